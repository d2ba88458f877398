// The sockets: UDP through the native batching addon when it is built (udp-batched.ts), otherwise
// through node:dgram (udp-dgram.ts); TCP through node:net with bounded connections (tcp.ts), on the
// same port. Each hands raw query bytes to the handler and writes its prepared responses back.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { ListenError } from '../../model/listen-error.ts';
import type { Log } from '../../model/log.ts';
import type { Buckets } from '../../model/bucketed-histogram.ts';
import { listenTcp, type TcpListener } from './tcp.ts';
import type { Fail, Handler } from './transport.ts';
import { batchedUdpAddon, batchedUdpUnavailable, openBatchedUdp, type Addon } from './udp-batched.ts';
import { openDgramUdp } from './udp-dgram.ts';

/** --dns-udp-io: batched needs the native addon; auto uses it when it loads. */
export type UdpIo = 'auto' | 'batched' | 'dgram';

export interface ListenOptions {
  host: string;
  /** 0: any free port (the same one for UDP and TCP). */
  port: number;
  /** A TCP connection idle this long, or with a message incomplete this long after its first byte, is closed. */
  tcpIdleTimeoutMs: number;
  /** TCP connections at once: at the cap the one idle the longest is closed to admit a new one. */
  tcpMaxConnections: number;
  /** Answers one TCP connection may be waiting for (forwarded queries) before its reading pauses. */
  tcpMaxPending: number;
  udpIo: UdpIo;
  handler: Handler;
  /** Where every answer's time is recorded. */
  times: Buckets;
  log: Log;
}

export interface Sockets {
  host: string;
  port: number;
  /** How UDP is read and written. */
  udpIo: 'batched' | 'dgram';
  /** TCP connections open now. */
  tcpConnections(): number;
  close(): Promise<void>;
}

/** Logs handler failures at most once a second: a client must not be able to flood the log. */
function throttledError(log: Log): Fail {
  let last = 0;
  let suppressed = 0;
  return (err, what) => {
    const now = Date.now();
    if (now - last < 1000) {
      suppressed++;
      return;
    }
    log.error({ err, suppressed }, what);
    last = now;
    suppressed = 0;
  };
}

export async function listen(o: ListenOptions): Promise<Sockets> {
  const batched = o.udpIo === 'dgram' ? null : batchedUdpAddon();
  if (!batched && o.udpIo === 'batched') throw new Error(`--dns-udp-io batched: ${batchedUdpUnavailable() ?? 'unavailable'}`);
  if (!batched && o.udpIo === 'auto')
    o.log.warn({ reason: batchedUdpUnavailable() }, 'dns udp falls back to node:dgram (several times slower)');
  // The addon binds numeric addresses only.
  const host = batched && net.isIP(o.host) === 0 ? (await lookup(o.host)).address : o.host;
  const attempts = o.port === 0 ? 10 : 1;
  for (let i = 1; ; i++) {
    try {
      return await bind(o, host, batched);
    } catch (e) {
      // With port 0 the port the OS gave UDP may be taken for TCP: try another one.
      if (i >= attempts || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

/** UDP first (it picks the port when 0 was asked for), then TCP on the same port. */
async function bind(o: ListenOptions, host: string, batched: Addon | null): Promise<Sockets> {
  const fail = throttledError(o.log);
  // Both close as a promise, so the rest needs not know which it has.
  let udp: { port: number; close(): Promise<void> };
  try {
    udp = batched
      ? closesAsync(openBatchedUdp(batched, host, o.port, o.handler, fail, o.times))
      : await openDgramUdp(o.host, o.port, o.handler, fail, o.times);
  } catch (e) {
    throw new ListenError(o.host, o.port, 'udp', e);
  }
  let tcp: TcpListener;
  try {
    tcp = await listenTcp({
      host: o.host,
      port: udp.port,
      idleTimeoutMs: o.tcpIdleTimeoutMs,
      maxConnections: o.tcpMaxConnections,
      maxPending: o.tcpMaxPending,
      handler: o.handler,
      fail,
      times: o.times,
    });
  } catch (e) {
    await udp.close();
    throw new ListenError(o.host, udp.port, 'tcp', e);
  }
  return {
    host: o.host,
    port: udp.port,
    udpIo: batched ? 'batched' : 'dgram',
    tcpConnections: () => tcp.connections(),
    close: async () => {
      const tcpClosed = tcp.close();
      await udp.close();
      await tcpClosed;
    },
  };
}

const closesAsync = (u: { port: number; close(): void }): { port: number; close(): Promise<void> } => ({
  port: u.port,
  close: () => {
    u.close();
    return Promise.resolve();
  },
});
