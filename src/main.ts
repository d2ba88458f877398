// Entry point: read the configuration (or answer --help and --version), start a replica, and drain it on
// SIGTERM or SIGINT.
import { ConfigError, loadConfig } from './config.ts';
import { redactSecrets } from './model/redact.ts';
import { startServer, StartError } from './server.ts';
import { askedFor, helpText, versionText } from './usage.ts';

/** Beyond --drain-timeout, how long the rest of the stop (DNS, health checks, the store) may take. */
const STOP_MARGIN_MS = 3000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const asked = askedFor(argv);
  if (asked) {
    process.stdout.write(`${asked === 'help' ? helpText() : versionText()}\n`);
    return;
  }
  let config;
  try {
    config = loadConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`cairn: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // Listening for the signals before the start says it serves: one that comes in between still drains.
  let signalled: string | undefined;
  let drain = (signal: string): void => {
    signalled ??= signal;
  };
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));
  const server = await startServer(config);
  drain = (signal) => {
    drain = () => undefined;
    server.log.info({ signal }, 'stopping: draining the API, DNS answers until it is done');
    const force = setTimeout(() => {
      server.log.error({}, 'the stop took too long; exiting');
      process.exit(1);
    }, config.drainTimeout + STOP_MARGIN_MS);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        server.log.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  if (signalled) drain(signalled);
}

// `cairn agent …` is the Docker agent, a separate process that only speaks the Cloud Map API.
const run = process.argv[2] === 'agent' ? import('./agent/index.ts').then((a) => a.agentMain(process.argv.slice(3))) : main();
run.catch((e: unknown) => {
  const message = redactSecrets((e as Error).message);
  process.stderr.write(e instanceof StartError ? `cairn: ${message}\n` : `cairn: failed to start: ${message}\n`);
  process.exit(1);
});
