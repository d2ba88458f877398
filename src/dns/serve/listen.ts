// The sockets: UDP through the native batching addon when it is built (udp-batched.ts), otherwise the
// socket dns2 binds; TCP through node:net with bounded connections (tcp.ts). cairn reads the raw bytes
// itself (dns2's parse-then-encode path costs more than the whole answer) and writes prepared responses
// straight to the sockets.
import type dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import dns2 from 'dns2';
import type { Log } from '../../model/log.ts';
import type { Response, Transport } from './respond.ts';
import { batchedUdpAddon, batchedUdpUnavailable, openBatchedUdp } from './udp-batched.ts';
import { listenTcp, type TcpListener, type TcpOptions } from './tcp.ts';

/** --dns-udp-io: batched needs the native addon; auto uses it when it loads. */
export type UdpIo = 'auto' | 'batched' | 'dgram';

/** Answers one message; responses must come from Out#take (their TCP length prefix is in place). */
export type Handler = (msg: Buffer, address: string, transport: Transport) => Response | Promise<Response>;

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
  log: Log;
}

export interface Sockets {
  host: string;
  port: number;
  /** How UDP is read and written. */
  udpIo: 'batched' | 'dgram';
  close(): Promise<void>;
}

/** What dns2 3.x keeps in `server.servers` (untyped in its declarations). */
interface Dns2Servers { udp: dgram.Socket }

/** Logs handler failures at most once a second: a client must not be able to flood the log. */
function throttledError(log: Log): (err: unknown, what: string) => void {
  let last = 0;
  let suppressed = 0;
  return (err, what) => {
    const now = Date.now();
    if (now - last < 1000) { suppressed++; return; }
    log.error({ err, suppressed }, what);
    last = now;
    suppressed = 0;
  };
}

export async function listen(o: ListenOptions): Promise<Sockets> {
  const batched = o.udpIo === 'dgram' ? null : batchedUdpAddon();
  if (!batched && o.udpIo === 'batched') throw new Error(`--dns-udp-io batched: ${batchedUdpUnavailable() ?? 'unavailable'}`);
  if (!batched && o.udpIo === 'auto') o.log.warn({ reason: batchedUdpUnavailable() }, 'dns udp falls back to node:dgram (several times slower)');
  // The addon binds numeric addresses only.
  const host = batched && net.isIP(o.host) === 0 ? (await lookup(o.host)).address : o.host;
  const attempts = o.port === 0 ? 10 : 1;
  for (let i = 1; ; i++) {
    try {
      return batched ? await bindBatched(o, host, batched) : await bindDgram(o);
    } catch (e) {
      // With port 0 the port the OS gave UDP may be taken for TCP: try another one.
      if (i >= attempts || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

async function bindDgram(o: ListenOptions): Promise<Sockets> {
  const server = dns2.createServer({ udp: { type: net.isIPv6(o.host) ? 'udp6' : 'udp4' } });
  const { udp } = (server as unknown as { servers: Pick<Dns2Servers, 'udp'> }).servers;
  const fail = throttledError(o.log);
  server.on('error', (err: Error, transport: string) => fail(err, `dns ${transport} socket error`));
  udp.removeAllListeners('message');
  udp.on('message', udpHandler(udp, o.handler, fail));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(o.port, o.host, () => { udp.off('error', reject); resolve(); });
  });
  const port = udp.address().port;
  const closeUdp = (): Promise<void> => new Promise<void>((resolve) => { try { udp.close(() => resolve()); } catch { resolve(); } });
  let tcp: TcpListener;
  try {
    tcp = await listenTcp(tcpOptions(o, port, fail));
  } catch (e) {
    await closeUdp();
    throw e;
  }
  // Bursts of queries should queue in the kernel, not be dropped (capped by net.core.rmem_max).
  try { udp.setRecvBufferSize(4 * 1024 * 1024); udp.setSendBufferSize(4 * 1024 * 1024); } catch { /* not allowed: keep defaults */ }
  return {
    host: o.host,
    port,
    udpIo: 'dgram',
    close: async () => {
      const tcpClosed = tcp.close();
      await closeUdp();
      await tcpClosed;
    },
  };
}

async function bindBatched(o: ListenOptions, host: string, addon: NonNullable<ReturnType<typeof batchedUdpAddon>>): Promise<Sockets> {
  const fail = throttledError(o.log);
  const udp = openBatchedUdp(addon, host, o.port, o.handler, fail);
  let tcp: TcpListener;
  try {
    tcp = await listenTcp(tcpOptions(o, udp.port, fail));
  } catch (e) {
    udp.close();
    throw e;
  }
  return {
    host: o.host,
    port: udp.port,
    udpIo: 'batched',
    close: async () => {
      udp.close();
      await tcp.close();
    },
  };
}

function tcpOptions(o: ListenOptions, port: number, fail: (err: unknown, what: string) => void): TcpOptions {
  return { host: o.host, port, idleTimeoutMs: o.tcpIdleTimeoutMs, maxConnections: o.tcpMaxConnections, maxPending: o.tcpMaxPending, handler: o.handler, fail };
}

function udpHandler(udp: dgram.Socket, handler: Handler, fail: (err: unknown, what: string) => void) {
  const send = (b: Buffer, rinfo: dgram.RemoteInfo): void => {
    try {
      udp.send(b, rinfo.port, rinfo.address);
    } catch (err) {
      fail(err, 'dns udp send failed'); // e.g. source port 0
    }
  };
  return (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    let res: Response | Promise<Response>;
    try {
      res = handler(msg, rinfo.address, 'udp');
    } catch (err) {
      fail(err, 'dns query failed');
      return;
    }
    if (res === null) return;
    if (Buffer.isBuffer(res)) send(res, rinfo);
    else res.then((b) => { if (b) send(b, rinfo); }, (err: unknown) => fail(err, 'dns query failed'));
  };
}
