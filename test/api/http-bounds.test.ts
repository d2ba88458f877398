// The HTTP server's resource bounds over real sockets: slow headers, slow bodies and idle keep-alive
// connections are cut within their setting (+ the sweep), the connection cap refuses new connections
// while the open ones keep working, and an oversize body is refused before it is read.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServerOptions, sweepIntervalMs } from '../../src/api/http-bounds.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TARGET = 'X-Amz-Target: Route53AutoNaming_v20170314.ListNamespaces\r\n';
const head = (contentLength: number): string =>
  `POST / HTTP/1.1\r\nHost: cairn\r\nContent-Type: application/x-amz-json-1.1\r\n${TARGET}Content-Length: ${contentLength}\r\n\r\n`;
const LIST = `${head(2)}{}`;
/** How late after its limit a connection may be cut: the sweep runs every quarter of the shortest limit. */
const SLACK_MS = 1500;

interface Watched {
  socket: Socket;
  received: () => string;
  closedAfter: Promise<number>;
}

function open(port: number): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (d: Buffer) => {
      received += d.toString();
    });
    socket.on('error', () => undefined);
    const closedAfter = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.once('connect', () => resolve({ socket, received: () => received, closedAfter }));
    socket.once('error', reject);
  });
}

/** Writes one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, everyMs: number, byte = ' '): void {
  const timer = setInterval(() => {
    if (socket.writable) socket.write(byte);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** Sends one request on an open connection and waits for its complete response. */
function roundTrip(w: Watched, request = LIST): Promise<string> {
  const before = w.received().length;
  w.socket.write(request);
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const text = w.received().slice(before);
      const m = /content-length: (\d+)\r\n/i.exec(text);
      const end = text.indexOf('\r\n\r\n');
      if (m && end >= 0 && text.length >= end + 4 + Number(m[1])) {
        w.socket.off('data', check);
        resolve(text);
      }
    };
    w.socket.on('data', check);
    w.socket.once('close', () => reject(new Error('closed before the response')));
  });
}

function expectTimeoutAnswer(text: string): void {
  expect(text).toMatch(/^HTTP\/1\.1 408 /);
  expect(text).toContain('x-amzn-ErrorType: RequestTimeoutException');
  expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ __type: 'RequestTimeoutException' });
}

describe('server options', () => {
  const bounds = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 };

  it('sweeps connections every second by default, and every quarter of a shorter limit', () => {
    expect(sweepIntervalMs(bounds)).toBe(1000);
    expect(sweepIntervalMs({ ...bounds, headersTimeoutMs: 1000 })).toBe(250);
    expect(sweepIntervalMs({ ...bounds, requestTimeoutMs: 100, headersTimeoutMs: 100 })).toBe(100);
  });

  it('holds the headers to the request timeout when that is shorter (node refuses otherwise)', () => {
    expect(httpServerOptions({ ...bounds, requestTimeoutMs: 2000 }).http).toMatchObject({ requestTimeout: 2000, headersTimeout: 2000 });
    expect(httpServerOptions(bounds).http).toMatchObject({
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1000,
    });
  });
});

describe.concurrent('time bounds (request 2s, headers 1s, keep-alive 1s)', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--api-request-timeout', '2s', '--api-headers-timeout', '1s', '--api-keep-alive-timeout', '1s'] });
    port = t.server.apiAddress.port;
  });
  afterAll(async () => {
    await t.stop();
  });

  it('cuts a connection that sends nothing after the headers timeout, with a 408 in the AWS shape', async () => {
    const w = await open(port);
    const ms = await w.closedAfter;
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(1000 + SLACK_MS);
    expectTimeoutAnswer(w.received());
  });

  it('cuts headers that trickle in, one byte every 200 ms, after the headers timeout', async () => {
    const w = await open(port);
    w.socket.write(`POST / HTTP/1.1\r\nHost: cairn\r\n${TARGET}X-Slow: `);
    trickle(w.socket, 200, 'x');
    const ms = await w.closedAfter;
    expect(ms).toBeLessThan(1000 + SLACK_MS);
    expectTimeoutAnswer(w.received());
  });

  it('cuts a body that trickles in after the request timeout, then serves a normal request', async () => {
    const slow = await Promise.all(Array.from({ length: 50 }, () => open(port)));
    for (const w of slow) {
      w.socket.write(head(100_000));
      trickle(w.socket, 200);
    }
    const times = await Promise.all(slow.map((w) => w.closedAfter));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(1900); // the body is bound by the request timeout, not the headers one
    expect(Math.max(...times)).toBeLessThan(2000 + SLACK_MS);
    for (const w of slow) expectTimeoutAnswer(w.received());

    const fresh = await open(port);
    expect(await roundTrip(fresh)).toMatch(/^HTTP\/1\.1 200 [\s\S]*\{"Namespaces":\[\]\}$/);
    fresh.socket.destroy();
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const w = await open(port);
    expect(await roundTrip(w)).toMatch(/^HTTP\/1\.1 200 /);
    const ms = await w.closedAfter;
    // Node adds its keep-alive buffer (1 s) to what it advertises, so clients never reuse a dying socket.
    expect(ms).toBeLessThan(1000 + 1000 + SLACK_MS);
  });

  it('refuses a body over 1 MiB from its Content-Length, before reading it', async () => {
    const w = await open(port);
    w.socket.write(head(2 * 1024 * 1024));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (w.received().includes('}')) resolve();
      };
      w.socket.on('data', check);
    });
    expect(w.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(w.received()).toContain('"__type":"SerializationException"');
    w.socket.destroy();
  });

  it('answers bytes that are not HTTP with a 400 in the AWS shape', async () => {
    const w = await open(port);
    w.socket.write('NONSENSE\r\n\r\n');
    await w.closedAfter;
    expect(w.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(w.received()).toContain('x-amzn-ErrorType: SerializationException');
  });
});

describe('the connection cap (3)', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--api-max-connections', '3'] });
    port = t.server.apiAddress.port;
  });
  afterAll(async () => {
    await t.stop();
  });

  it('closes a new connection at once while the open ones keep working', async () => {
    const open3 = await Promise.all([open(port), open(port), open(port)]);
    for (const w of open3) expect(await roundTrip(w)).toMatch(/^HTTP\/1\.1 200 /);

    const refused = await open(port);
    refused.socket.write(LIST);
    expect(await refused.closedAfter).toBeLessThan(500);
    expect(refused.received()).toBe('');

    for (const w of open3) expect(await roundTrip(w)).toMatch(/^HTTP\/1\.1 200 /);
    for (const w of open3) w.socket.destroy();
    await Promise.all(open3.map((w) => w.closedAfter));

    // Room again once they are gone (the server counts a closed socket a moment later).
    await new Promise((r) => setTimeout(r, 50));
    const later = await open(port);
    expect(await roundTrip(later)).toMatch(/^HTTP\/1\.1 200 /);
    later.socket.destroy();
  });
});
