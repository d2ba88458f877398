// The image built from the Dockerfile: non-root, DNS on port 53, HEALTHCHECK healthy, SIGTERM stops it with
// exit 0 within 5 s, the README's AWS CLI scenario works against it, `agent` runs the agent, and it carries
// nothing but what runs (production dependencies, the sources, the addon).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePublicDnsNamespaceCommand } from '@aws-sdk/client-servicediscovery';
import { aRecords, dnsQuery, docker, dockerOk } from '../../bench/lib/docker.ts';
import { eventually } from '../support/eventually.ts';
import { repoRoot } from './support/global.ts';
import { Stack } from './support/stack.ts';

const stack = new Stack();
let net: string;

beforeAll(async () => {
  net = (await stack.network('img')).name;
});
afterAll(async () => {
  await stack.clean();
});

const inspect = async <T>(what: string, format: string): Promise<T> =>
  JSON.parse(await dockerOk(['inspect', '-f', `{{json ${format}}}`, what])) as T;
/** A shell script run in a throwaway container of the image: its output. */
const inImage = (script: string): Promise<string> => dockerOk(['run', '--rm', '--entrypoint', 'sh', stack.image, '-c', script]);

describe('the image', () => {
  it('runs as the non-root node user and serves DNS on port 53 (UDP and TCP)', async () => {
    const c = await stack.cairn('user', [net]);
    expect(await inspect<string>(stack.image, '.Config.User')).toBe('node');
    expect(await dockerOk(['exec', c.name, 'id', '-u'])).toBe('1000');
    // The process itself, not only what `exec` runs as.
    expect(await dockerOk(['exec', c.name, 'sh', '-c', "grep '^Uid:' /proc/1/status"])).toMatch(/^Uid:\s+1000\s+1000/);
    await c.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'image.test' }));
    const reply = await dnsQuery(c.ip, 53, 'image.test', 'SOA');
    expect(reply?.rcode).toBe('NOERROR');
    expect(reply?.answers?.[0]?.type).toBe('SOA');
    // TCP on 53 as well: dig from the host.
    const tcp = await new Promise<string>((resolve) =>
      execFile('dig', ['+tcp', '+short', `@${c.ip}`, '-p', '53', 'image.test', 'SOA'], (_e, out) => resolve(out)),
    );
    expect(tcp).toContain('ns1.image.test.');
  });

  it('turns healthy by its HEALTHCHECK on /healthz', async () => {
    const test = await inspect<string[]>(stack.image, '.Config.Healthcheck.Test');
    expect(test.join(' ')).toContain('/healthz');
    // The image's check, probed every second instead of every 10 s so the test is quick.
    const name = await stack.start('health', ['--network', net, '--health-interval', '1s', stack.image]);
    const status = await eventually(
      async () => {
        const s = await inspect<string>(name, '.State.Health.Status');
        if (s !== 'healthy') throw new Error(`health: ${s}`);
        return s;
      },
      20_000,
      250,
    );
    expect(status).toBe('healthy');
  });

  it('stops on SIGTERM within 5 s with exit code 0', async () => {
    const c = await stack.cairn('term', [net]);
    const started = Date.now();
    await dockerOk(['kill', '--signal', 'TERM', c.name]);
    const code = await dockerOk(['wait', c.name], { timeoutMs: 10_000 });
    const took = Date.now() - started;
    process.stderr.write(`[containers] SIGTERM → exit ${code} in ${took} ms\n`);
    expect(code).toBe('0');
    expect(took).toBeLessThan(5000);
    expect(await inspect<boolean>(c.name, '.State.OOMKilled')).toBe(false);
  });

  it("answers the README's AWS CLI scenario, run as written against the container", async () => {
    const c = await stack.cairn('cli', [net]);
    const readme = readFileSync(`${repoRoot}/README.md`, 'utf8');
    const block = /AWS CLI:\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    // The same commands; only where cairn is differs (the container's address, DNS on 53).
    const script = block!.replace('EP=http://127.0.0.1:8080', `EP=${c.endpoint}`).replace('dig @127.0.0.1 -p 8053', `dig @${c.ip} -p 53`);
    expect(script).not.toContain('127.0.0.1');
    const r = await docker(['-c', `set -e\n${script}`], { command: 'bash', timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"InstanceId": "backend-1"');
    expect(r.stdout).toContain('"AWS_INSTANCE_IPV4": "192.168.10.2"');
    expect(r.stdout).toMatch(/backend\.kouzie\.com\.\s+60\s+IN\s+A\s+192\.168\.10\.2/);
    expect(aRecords(await dnsQuery(c.ip, 53, 'backend.kouzie.com'))).toEqual(['192.168.10.2']);
  });

  it('runs the agent with `agent` as its first argument (exit 2 and the usage on a bad flag)', async () => {
    const r = await stack.once([stack.image, 'agent', '--endpoint', 'not-a-url']);
    expect(r.code).toBe(2);
    expect(r.out).toContain("cairn agent: --endpoint: 'not-a-url' is not valid");
    expect(r.out).toContain('usage: cairn agent');
  });

  it('holds production dependencies, the sources, the addon and the built console only, within 30 MB of node:24-slim', async () => {
    const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { devDependencies: Record<string, string> };
    const listing = await inImage('ls -A /app; echo --; ls -A /app/dist/ui; echo --; ls -A /app/node_modules /app/node_modules/@*');
    const [top, ui, modules] = listing.split('\n--\n');
    expect(top!.split('\n').sort()).toEqual(['build', 'dist', 'node_modules', 'package.json', 'src']);
    expect(ui!.split('\n')).toContain('index.html');
    const installed = new Set(modules!.split(/\s+/));
    expect(Object.keys(pkg.devDependencies).filter((d) => installed.has(d.split('/').pop()!) && !d.startsWith('@types/'))).toEqual([]);
    expect(installed.has('typescript')).toBe(false);
    expect(installed.has('vitest')).toBe(false);
    const declarations = await inImage("find /app/node_modules -name '*.d.ts' -o -name '*.map' | wc -l");
    expect(declarations).toBe('0');
    const size = Number(await dockerOk(['image', 'inspect', '-f', '{{.Size}}', stack.image]));
    const base = Number(await dockerOk(['image', 'inspect', '-f', '{{.Size}}', 'node:24-slim']));
    const added = (size - base) / 1e6;
    process.stderr.write(`[containers] image ${(size / 1e6).toFixed(1)} MB, ${added.toFixed(1)} MB over node:24-slim\n`);
    expect(added).toBeLessThan(30);
  });
});
