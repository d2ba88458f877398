// The README is the user's manual: its settings table must list every setting with its real default,
// and every command it shows must run as written on a machine whose own Node is older than 24.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envName, loadConfig, settings } from '../../src/config.ts';

const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(`${root}README.md`, 'utf8');
/** The server's settings table (the agent has a table of its own, under Containers). */
const settingsSection = readme.slice(readme.indexOf('\n## Settings\n'), readme.indexOf('\n## ', readme.indexOf('\n## Settings\n') + 1));
const manuals = ['README.md', 'bench/README.md'];
const scripts = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;

/**
 * Every command of a manual's ```sh blocks: continuation lines joined, comments dropped, split at | and
 * &&. A block that starts with #! is a script to save and run, not commands to type: it is left out.
 */
function commands(file: string): string[] {
  const text = readFileSync(`${root}${file}`, 'utf8');
  const blocks = [...text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => !b.startsWith('#!'));
  return blocks
    .flatMap((b) => b.replace(/\\\n/g, ' ').split('\n'))
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '')
    .flatMap((line) => line.split(/\s*(?:\||&&)\s*/))
    .map((c) => c.replace(/^[A-Z_]+=\$\((.*)\)$/, '$1')); // NS=$(aws ...): the command inside
}

/** What is wrong with running `command` as written (undefined: nothing). */
function problem(command: string): string | undefined {
  const [program, ...args] = command.split(/\s+/);
  switch (program) {
    case 'npm': {
      const [verb, name] = args;
      if (verb === 'ci' || verb === 'test') return undefined;
      const script = verb === 'run' ? name : verb;
      if (!script || !(script in scripts)) return `no npm script '${script}' in package.json`;
      const dashes = args.indexOf('--');
      if (script === 'start' && dashes >= 0) {
        try {
          loadConfig(args.slice(dashes + 1), {});
        } catch (e) {
          return `its flags are refused: ${(e as Error).message}`;
        }
      }
      return undefined;
    }
    case 'npx': {
      // Only what npm ci installed: npx must not download anything, and node is the project's Node 24.
      if (!existsSync(`${root}node_modules/.bin/${args[0]}`)) return `npx ${args[0]} is not installed by npm ci`;
      if (args[0] === 'node' && !existsSync(`${root}${args[1]}`)) return `${args[1]} does not exist`;
      return undefined;
    }
    case 'node':
      return 'a bare node runs the system Node, which may be older than 24 (no type stripping): use npx node or an npm script';
    default:
      return /^[A-Z_]+=\S*$/.test(command) || ['export', 'aws', 'dig', 'docker', 'docker-compose', 'curl'].includes(program!)
        ? undefined
        : `'${program}' is not a command the manual may assume`;
  }
}

describe('README', () => {
  it.each(Object.entries(settings))('documents --%s with its environment variable and default', (flag, s) => {
    const row = settingsSection.split('\n').find((line) => line.startsWith(`| \`--${flag}\``));
    expect(row, `no settings row for --${flag}`).toBeDefined();
    expect(row).toContain(`\`${envName(flag)}\``);
    expect(row).toContain(s.default === undefined ? '| — |' : `| \`${s.default}\` |`);
  });

  it.each(manuals.flatMap((file) => commands(file).map((c) => [file, c])))('%s: `%s` runs as written', (_file, command) => {
    expect(problem(command)).toBeUndefined();
  });

  it.each(manuals)('%s shows no bare `node <file>.ts` in its text either', (file) => {
    expect(readFileSync(`${root}${file}`, 'utf8')).not.toMatch(/(?<![\w-])(?<!npx )node [\w./-]+\.ts/);
  });

  it('the check above catches what it is for', () => {
    expect(problem('node bench/dns.ts')).toMatch(/bare node/);
    expect(problem('npm run no-such-script')).toMatch(/no npm script/);
    expect(problem('npm start -- --dns-prot 5353')).toMatch(/did you mean --dns-port/);
    expect(problem('npx some-downloaded-tool')).toMatch(/not installed/);
    expect(problem('npx node bench/missing.ts')).toMatch(/does not exist/);
    expect(commands('README.md').length).toBeGreaterThan(20);
  });

  it('gives the two-command quick start and the test command', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
