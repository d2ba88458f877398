// Row 3 of the probe: 1,500 HTTP requests whose headers promise a 100,000-byte body that then arrives
// one byte every 5 s, against the default --api-request-timeout (30s) and --api-max-connections (1024).
import net from 'node:net';
import { startCairn } from '../lib/cairn.ts';
import { rssBytes } from '../lib/proc.ts';
import { mb } from '../lib/table.ts';
import { n, openSlow, quantile, rssPeak, s1, sleep, type SlowConnection, type ProbeResult } from './common.ts';

const CLIENTS = 1500;
const CONTENT_LENGTH = 100_000;
const EVERY_MS = 5000;
/** Longer than the request timeout and its sweep: anything still open then was never cut. */
const GIVE_UP_MS = 45_000;

/** A normal request on a new connection (not one fetch keeps alive): its status, or what happened instead. */
function fresh(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let received = '';
    const done = (what: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('no answer within 3 s'), 3000);
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      if (status) done(status[1]!);
    });
    socket.once('close', () => done(received === '' ? 'closed at once' : 'closed'));
    socket.once('connect', () =>
      socket.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-amz-json-1.1\r\n` +
          'X-Amz-Target: Route53AutoNaming_v20170314.ListNamespaces\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      ),
    );
  });
}

export async function slowBodies(): Promise<ProbeResult> {
  const cairn = await startCairn({ name: 'row3-slow-http' });
  const problems: string[] = [];
  try {
    const head =
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${cairn.apiPort}\r\nContent-Type: application/x-amz-json-1.1\r\n` +
      `X-Amz-Target: Route53AutoNaming_v20170314.ListServices\r\nContent-Length: ${CONTENT_LENGTH}\r\n\r\n`;
    const rssBefore = rssBytes(cairn.proc.pid);
    const rss = rssPeak(cairn.proc.pid, 500);
    const started = performance.now();
    const conns: SlowConnection[] = [];
    // In batches, so the listen backlog never overflows and no connection waits for a SYN retry.
    for (let i = 0; i < CLIENTS; i += 100)
      conns.push(...(await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, () => openSlow(cairn.apiPort, head)))));
    const openedMs = performance.now() - started;
    const trickle = setInterval(() => {
      for (const c of conns) if (c.closedAt === undefined && c.socket.writable) c.socket.write(' ');
    }, EVERY_MS);
    await sleep(2000);
    const duringFlood = await fresh(cairn.apiPort);
    const deadline = performance.now() + GIVE_UP_MS;
    while (conns.some((c) => c.closedAt === undefined) && performance.now() < deadline) await sleep(250);
    clearInterval(trickle);
    rss.stop();
    const after = await fresh(cairn.apiPort);
    await sleep(1000);
    const rssAfter = rssBytes(cairn.proc.pid);

    const lifetime = (c: SlowConnection): number => (c.closedAt ?? NaN) - c.connectedAt;
    const refused = conns.filter((c) => c.received === '' && c.closedAt !== undefined && !(lifetime(c) > 2000));
    const cut = conns.filter((c) => c.received.startsWith('HTTP/1.1 408 ') && c.received.includes('RequestTimeoutException'));
    const stillOpen = conns.filter((c) => c.closedAt === undefined);
    const other = conns.length - refused.length - cut.length - stillOpen.length;
    const cutTimes = cut.map(lifetime);
    for (const c of conns) c.socket.destroy();

    if (stillOpen.length > 0) problems.push(`${stillOpen.length} connections still open after ${GIVE_UP_MS / 1000} s`);
    if (other > 0) problems.push(`${other} connections ended some other way`);
    if (cut.length > 1024) problems.push(`${cut.length} connections were let in, more than --api-max-connections (1024)`);
    if (Math.max(...cutTimes) > 32_000) problems.push(`a slow request lived ${s1(Math.max(...cutTimes))} s`);
    if (after !== '200') problems.push(`a normal request after the flood: ${after}`);
    return {
      row: '3',
      sent: `${n(CLIENTS)} requests with \`Content-Length: ${n(CONTENT_LENGTH)}\`, the body one byte every ${EVERY_MS / 1000} s (opened in ${s1(openedMs)} s)`,
      now:
        `${n(cut.length)} cut with 408 RequestTimeoutException; ${n(refused.length)} closed at accept (--api-max-connections 1024); ${stillOpen.length} left open. ` +
        `A new client during the flood: ${duringFlood}; after it: ${after}`,
      measured:
        `cut after ${s1(Math.min(...cutTimes))}–${s1(Math.max(...cutTimes))} s (p50 ${s1(quantile(cutTimes, 0.5))}) with --api-request-timeout 30s; ` +
        `RSS ${mb(rssBefore)} → peak ${mb(rss.peak())} → ${mb(rssAfter)} MB`,
      problems,
    };
  } finally {
    await cairn.stop();
  }
}
