// The process as an operator meets it: --help and --version, mistakes on the command line (a typo, flags
// npm took for itself), a port already taken, and the log's two formats.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { envName, settings } from '../../src/config.ts';
import { freePort, loopbackFlags } from '../../bench/lib/ports.ts';

const repo = new URL('../../', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` in the repository to its end (or until `until` says the output suffices, then SIGTERM). */
function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; until?: (stdout: string) => boolean } = {},
): Promise<Run> {
  const child = spawn(command, args, { cwd: repo, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // A test that fails or times out before the process ends does not leave it running.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (options.until?.(stdout)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
const cairn = (args: string[], until?: (stdout: string) => boolean): Promise<Run> =>
  run(process.execPath, ['src/main.ts', ...args], until ? { until } : {});

/** The environment without what the `npm test` running this put in it. */
function withoutNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

describe('the command line', () => {
  it('--help lists every setting with its environment variable and default, and exits 0', async () => {
    const r = await cairn(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: npm start -- /);
    for (const [flag, s] of Object.entries(settings)) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  --${flag}  (`));
      expect(line, `--${flag} in --help`).toBeDefined();
      expect(line).toContain(envName(flag));
      if (s.default !== undefined) expect(line).toContain(`default ${s.default}`);
    }
  });

  it('-h is --help, even after other flags', async () => {
    const r = await cairn(['--dns-port', '5353', '-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--redis-url');
  });

  it('--version prints the version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { version: string };
    const r = await cairn(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`cairn ${version} (Node.js ${process.version})\n`);
  });

  it('names the closest known flag for an unknown one, in one line, exit code 2', async () => {
    const r = await cairn(['--dns-prot', '5353']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('cairn: unknown flag --dns-prot; did you mean --dns-port? (npm start -- --help lists every setting)\n');
  });

  it('catches `npm start --dns-port 9091` without -- and says where flags go', async () => {
    const r = await run('npm', ['start', '--dns-port', '9091'], { env: withoutNpm() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cairn: npm kept --dns-port for itself: put cairn's flags after --, as in npm start -- --dns-port 9091\n");
    expect(r.stdout).not.toContain('"level"');
  });
});

describe('a port already taken', () => {
  async function refused(apiPort: number, dnsPort: number): Promise<Run> {
    const r = await cairn(loopbackFlags(apiPort, dnsPort));
    expect(r.code).toBe(1);
    // Nothing said it was listening or serving.
    expect(r.stdout).not.toMatch(/listening|serving|without --credentials/i);
    return r;
  }

  it('DNS over UDP: one line naming the address and the flags to change, nothing announced, exit code 1', async () => {
    const [apiPort, dnsPort] = [await freePort(), await freePort()];
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(dnsPort, '127.0.0.1', r));
    try {
      const r = await refused(apiPort, dnsPort);
      expect(r.stderr).toBe(
        `cairn: cannot listen on 127.0.0.1:${dnsPort}/udp (address already in use); choose another --dns-port or --dns-host\n`,
      );
      // The API it had bound is closed again.
      await expect(connect(apiPort)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      taken.close();
    }
  });

  it('DNS over TCP', async () => {
    const [apiPort, dnsPort] = [await freePort(), await freePort()];
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(dnsPort, '127.0.0.1', r));
    try {
      const r = await refused(apiPort, dnsPort);
      expect(r.stderr).toBe(
        `cairn: cannot listen on 127.0.0.1:${dnsPort}/tcp (address already in use); choose another --dns-port or --dns-host\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('the API', async () => {
    const [apiPort, dnsPort] = [await freePort(), await freePort()];
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(apiPort, '127.0.0.1', r));
    try {
      const r = await refused(apiPort, dnsPort);
      expect(r.stderr).toBe(
        `cairn: cannot listen on 127.0.0.1:${apiPort}/tcp (address already in use); choose another --api-port or --api-host\n`,
      );
    } finally {
      taken.close();
    }
  });
});

describe('the log', () => {
  const serving = (out: string): boolean => out.includes('cairn is serving');

  it('is JSON lines with ISO times when stdout is not a terminal', async () => {
    const [apiPort, dnsPort] = [await freePort(), await freePort()];
    const r = await cairn(loopbackFlags(apiPort, dnsPort), serving);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: unknown; msg: string; level: number });
    for (const l of lines) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const announced = lines.find((l) => l.msg === 'cairn is serving');
    expect(announced).toMatchObject({ api: `127.0.0.1:${apiPort}`, dns: `127.0.0.1:${dnsPort}` });
    expect(lines.at(-1)?.msg).toBe('stopped');
  });

  it('is one readable line per event with --log-format pretty', async () => {
    const [apiPort, dnsPort] = [await freePort(), await freePort()];
    const r = await cairn(['--log-format', 'pretty', ...loopbackFlags(apiPort, dnsPort)], serving);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('cairn is serving'));
    expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO: cairn is serving \{.*"api":"127\.0\.0\.1:\d+"/);
    expect(r.stdout).not.toMatch(/^\{/m);
  });
});

function connect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}
