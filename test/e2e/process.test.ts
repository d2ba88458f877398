// The server as a user runs it: `node src/main.ts <flags>` in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { freePort, loopbackFlags } from '../../bench/lib/ports.ts';

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['src/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test that fails or times out before the process ends does not leave it running.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitHealthy(port: number, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200), timeoutMs, 100);
}

async function waitForLine(
  output: () => string,
  match: (line: { level?: number; msg?: string }) => boolean,
  timeoutMs = 5000,
): Promise<{ level?: number; msg?: string } | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = output()
      .split('\n')
      .map((text) => {
        try {
          return JSON.parse(text) as { level?: number; msg?: string };
        } catch {
          return undefined;
        }
      })
      .find((line) => line !== undefined && match(line));
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the cairn process', () => {
  it('serves /healthz, warns that the embedded store is not durable, and exits 0 on SIGTERM', async () => {
    const apiPort = await freePort();
    const dnsPort = await freePort();
    const p = run(loopbackFlags(apiPort, dnsPort));
    await waitHealthy(apiPort);
    expect(p.output()).toContain('nothing survives a restart');
    expect(p.output()).not.toContain('without --credentials');
    const started = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('warns at start that anyone can write the registry when the API listens on 0.0.0.0 without --credentials', async () => {
    const apiPort = await freePort();
    const dnsPort = await freePort();
    const p = run(['--api-host', '0.0.0.0', '--api-port', String(apiPort), '--dns-host', '127.0.0.1', '--dns-port', String(dnsPort)]);
    await waitHealthy(apiPort);
    // The log reaches this process through a pipe, possibly after the health check's answer.
    const warning = await waitForLine(p.output, (line) => line.msg?.includes('without --credentials') === true);
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain(`0.0.0.0:${apiPort}`);
    expect(warning?.msg).toContain('--api-host 127.0.0.1');
    expect(warning?.msg).toContain('--credentials');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('does not warn on 0.0.0.0 when --credentials is given', async () => {
    const apiPort = await freePort();
    const dnsPort = await freePort();
    const p = run([
      '--api-host',
      '0.0.0.0',
      '--api-port',
      String(apiPort),
      '--dns-host',
      '127.0.0.1',
      '--dns-port',
      String(dnsPort),
      '--credentials',
      'AKID:secret',
    ]);
    await waitHealthy(apiPort);
    expect(await waitForLine(p.output, (line) => line.msg === 'cairn is serving')).toBeDefined();
    expect(p.output()).not.toContain('without --credentials');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('refuses a bad flag value with one line naming it and exit code 2', async () => {
    const p = run(['--dns-port', 'fifty']);
    expect(await p.exited).toBe(2);
    expect(p.output().trim()).toBe("cairn: --dns-port: 'fifty' is not valid; expected a whole number from 0 to 65535");
  });
});
