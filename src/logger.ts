// The process's log: pino's JSON lines with ISO times for collectors, or pino-pretty's lines for people
// (--log-format; auto picks pretty when stdout is a terminal). `npm start | npx pino-pretty` reads JSON.
import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(level: string, format: LogFormat): Logger {
  const options = { level, base: { app: 'cairn' }, timestamp: pino.stdTimeFunctions.isoTime };
  const terminal = process.stdout.isTTY === true;
  // Both synchronous: the last lines before an exit are not lost.
  if (format === 'json' || (format === 'auto' && !terminal)) return pino(options, pino.destination({ fd: 1, sync: true }));
  return pino(
    options,
    PinoPretty({ destination: 1, sync: true, colorize: terminal, translateTime: 'SYS:standard', ignore: 'app', singleLine: true }),
  );
}
