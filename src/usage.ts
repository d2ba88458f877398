// What the command line may ask instead of a start: --help, every setting from config.ts's table (as the
// README's settings table is made), and --version.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { envName, settings } from './config.ts';

/** 'help' or 'version' when the command line asks for it (anywhere, as a flag), undefined otherwise. */
export function askedFor(argv: string[]): 'help' | 'version' | undefined {
  // Every setting takes a value, so `--replica-id --help` names a replica rather than asking for help.
  const options = Object.fromEntries(Object.keys(settings).map((flag) => [flag, { type: 'string' as const }]));
  const { tokens } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const names = new Set(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  if (names.has('help')) return 'help';
  if (names.has('version')) return 'version';
  return undefined;
}

export function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `cairn ${pkg.version} (Node.js ${process.version})`;
}

const WIDTH = 100;
const INDENT = '      ';

export function helpText(): string {
  const lines = [
    'Usage: npm start -- [--flag value]...      (in the image: docker run cairn [--flag value]...)',
    '',
    'cairn serves the AWS Cloud Map API over HTTP and answers DNS (UDP and TCP) for what is registered.',
    'Every setting is a flag and an environment variable; flags win. Durations take a unit (500ms, 2s,',
    '1m, 30d). Repeatable flags may be given several times; in the environment, separate the values with',
    'spaces. With npm, flags go after --: npm start -- --dns-port 5353.',
    '',
    '  -h, --help      print this and exit',
    '  -V, --version   print the version and exit',
    '',
  ];
  for (const [flag, s] of Object.entries(settings)) {
    const extra = [envName(flag), s.default === undefined ? 'no default' : `default ${s.default}`];
    if (s.repeatable) extra.push('repeatable');
    lines.push(`  --${flag}  (${extra.join(', ')})`, ...wrap(s.help, WIDTH - INDENT.length).map((l) => INDENT + l));
  }
  lines.push('', 'Logs are JSON lines unless stdout is a terminal; to read them: npm start | npx pino-pretty');
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}
