// Stopping the API without failing what clients already sent: a request still on the wire when the stop
// begins (here held 50 ms by a proxy, as a network would) reaches a connection that is kept open for it,
// and is answered with Connection: close. A request that never finishes arriving is cut at --drain-timeout.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.ts';

const LATENCY_MS = 50;

/** A TCP proxy to `port` that delays every chunk, each way, by LATENCY_MS. */
async function slowProxy(port: number): Promise<{ port: number; close(): void }> {
  const delayed = (from: net.Socket, to: net.Socket): void => {
    from.on('data', (d: Buffer) => setTimeout(() => to.writable && to.write(d), LATENCY_MS));
    from.on('close', () => setTimeout(() => to.destroy(), LATENCY_MS));
    from.on('error', () => undefined);
  };
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    delayed(client, upstream);
    delayed(upstream, client);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return { port: (proxy.address() as net.AddressInfo).port, close: () => proxy.close() };
}

function request(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString();
      const end = text.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1] ?? -1);
      if (end >= 0 && length >= 0 && text.length >= end + 4 + length) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`the connection closed before an answer: ${JSON.stringify(text)}`)));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

describe('stopping the API', () => {
  it('answers a request that was on its way over an idle kept-alive connection when the stop began', async () => {
    const t = await startTestServer({ flags: ['--drain-timeout', '4s'] }); // the default's idle grace
    const proxy = await slowProxy(t.server.apiAddress.port);
    try {
      const socket = net.connect(proxy.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      expect(await request(socket, '/healthz')).toMatch(/^HTTP\/1.1 200 /);

      // Written first, so it was sent before the stop; it reaches the server LATENCY_MS later.
      const answered = request(socket, '/healthz');
      const stopped = t.stop();
      const answer = await answered;
      expect(answer).toMatch(/^HTTP\/1.1 200 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      await stopped;
    } finally {
      proxy.close();
    }
  });

  it('cuts a request still arriving at --drain-timeout', async () => {
    const t = await startTestServer({ flags: ['--drain-timeout', '300ms'] });
    const socket = net.connect(t.server.apiAddress.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 50)); // the headers are read
    const started = Date.now();
    await t.stop();
    const took = Date.now() - started;
    await closed;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });
});
