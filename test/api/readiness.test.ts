// GET /readyz: 503 while the replica starts and once it drains, 200 in between, even while Redis is away
// (it then says so); /healthz stays liveness only; neither needs a signature.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListNamespacesCommand } from '@aws-sdk/client-servicediscovery';
import type { ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { freePort, loopbackFlags } from '../../bench/lib/ports.ts';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { eventually } from '../support/eventually.ts';
import { startRedis } from '../support/redis-deployments.ts';
import { newPrefix, rawCall, sdkClient, startTestServer } from '../support/server.ts';

interface Readiness {
  status: string;
  store: string;
  revision: number;
  storeDownSeconds: number;
}

async function get(port: number, path: string): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

const silent = pino({ level: 'silent' });

describe('/readyz', () => {
  it('is 503 while the catalog loads (the API already answers liveness, writes wait), then 200', async () => {
    const port = await freePort();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const loading = new Promise<void>((r) => (reached = r));
    const starting = startServer(loadConfig(loopbackFlags(port), {}), {
      log: silent,
      beforeLoad: () => {
        reached();
        return held;
      },
    });
    await loading;
    expect(await get(port, '/readyz')).toEqual({
      status: 503,
      body: { status: 'starting', store: 'up', revision: 0, storeDownSeconds: 0 },
    });
    expect((await get(port, '/healthz')).status).toBe(200);
    const client = sdkClient(`http://127.0.0.1:${port}`);
    const refused = await client.send(new ListNamespacesCommand({})).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect(refused).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect((refused as Error).message).toMatch(/starting/);

    release();
    const server = await starting;
    try {
      expect(await get(port, '/readyz')).toEqual({ status: 200, body: { status: 'ready', store: 'up', revision: 0, storeDownSeconds: 0 } });
      await rawCall(`http://127.0.0.1:${port}`, 'Route53AutoNaming_v20170314.CreateHttpNamespace', '{"Name":"ready-ns"}');
      expect((await get(port, '/readyz')).body.revision).toBe(server.catalog.revision);
      expect(server.catalog.revision).toBeGreaterThan(0);
      await client.send(new ListNamespacesCommand({}));
    } finally {
      client.destroy();
      await server.stop();
    }
  });

  it('stays 200 while Redis is away, saying the store is down and for how long, and up again when it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-readyz-redis-'));
    const redisPort = await freePort();
    let redis: ChildProcess = await startRedis(redisPort, dir);
    const port = await freePort();
    const server = await startServer(
      loadConfig([...loopbackFlags(port), '--redis-url', `redis://127.0.0.1:${redisPort}`, '--redis-prefix', newPrefix()], {}),
      { log: silent },
    );
    try {
      expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', store: 'up', storeDownSeconds: 0 } });
      const exited = new Promise((r) => redis.once('exit', r));
      redis.kill('SIGKILL');
      await exited;
      const first = await eventually(async () => {
        const r = await get(port, '/readyz');
        expect(r.body.store).toBe('down');
        return r;
      });
      expect(first).toMatchObject({ status: 200, body: { status: 'ready', store: 'down' } });
      await new Promise((r) => setTimeout(r, 1100));
      const later = await get(port, '/readyz');
      expect(later.status).toBe(200);
      expect(later.body.storeDownSeconds).toBeGreaterThanOrEqual(first.body.storeDownSeconds + 1);

      redis = await startRedis(redisPort, dir);
      await eventually(async () => expect((await get(port, '/readyz')).body.store).toBe('up'), 5000, 50);
      expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: { store: 'up', storeDownSeconds: 0 } });
    } finally {
      await server.stop();
      redis.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is 503 at once when the replica drains, while a request in flight is still answered', async () => {
    const t = await startTestServer({ flags: ['--drain-timeout', '4s'] });
    const port = t.server.apiAddress.port;
    // A request whose body has not all arrived: in flight when the stop begins.
    const inFlight = await rawSocket(port);
    inFlight.socket.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n' +
        'X-Amz-Target: Route53AutoNaming_v20170314.ListNamespaces\r\nContent-Length: 10\r\n\r\n{}',
    );
    // A kept-alive connection, idle when the stop begins.
    const idle = await rawSocket(port);
    idle.socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await idle.response()).toMatch(/^HTTP\/1.1 200 /);

    const stopped = t.stop();
    idle.socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
    const draining = await idle.response();
    expect(draining).toMatch(/^HTTP\/1.1 503 /);
    expect(draining).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(draining.slice(draining.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'draining', store: 'up' });
    // No new connection is taken.
    await expect(rawSocket(port)).rejects.toThrow(/ECONNREFUSED/);

    inFlight.socket.write('        ');
    const answered = await inFlight.response();
    expect(answered).toMatch(/^HTTP\/1.1 200 /);
    expect(answered).toMatch(/\r\nconnection: close\r\n/i);
    await stopped;
  });

  it('needs no signature when the API verifies them, like /healthz', async () => {
    const t = await startTestServer({ flags: ['--credentials', 'AKIDREADY:secret'] });
    try {
      expect((await get(t.server.apiAddress.port, '/readyz')).status).toBe(200);
      expect((await get(t.server.apiAddress.port, '/healthz')).status).toBe(200);
      expect((await rawCall(t.endpoint, 'Route53AutoNaming_v20170314.ListNamespaces', '{}')).status).toBe(403);
    } finally {
      await t.stop();
    }
  });
});

/** A raw HTTP/1.1 connection that reads one whole response (headers and Content-Length body) at a time. */
async function rawSocket(port: number): Promise<{ socket: net.Socket; response(): Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buffered += d.toString();
    waiting?.();
  });
  const whole = (): string | undefined => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
    if (buffered.length < end + 4 + length) return undefined;
    const one = buffered.slice(0, end + 4 + length);
    buffered = buffered.slice(one.length);
    return one;
  };
  return {
    socket,
    response: () =>
      new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const r = whole();
          if (r !== undefined) {
            waiting = undefined;
            resolve(r);
          }
        };
        waiting = check;
        socket.once('close', () => reject(new Error(`closed before a whole response: ${JSON.stringify(buffered)}`)));
        check();
      }),
  };
}
