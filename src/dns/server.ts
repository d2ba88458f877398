// The sockets: UDP through the native batching addon when it is built (udp-batched.ts), otherwise the
// socket dns2 binds; TCP through the server dns2 creates. cairn reads the raw bytes itself (dns2's
// parse-then-encode path costs more than the whole answer, and its TCP reader cannot hand over the
// question bytes) and writes prepared responses straight to the sockets.
import type dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import dns2 from 'dns2';
import type { Logger } from 'pino';
import type { Response, Transport } from './respond.ts';
import { batchedUdpAddon, batchedUdpUnavailable, openBatchedUdp } from './udp-batched.ts';
import { framed } from './wire.ts';

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
  log: Logger;
}

export interface Sockets {
  host: string;
  port: number;
  /** How UDP is read and written. */
  udpIo: 'batched' | 'dgram';
  close(): Promise<void>;
}

/** What dns2 3.x keeps in `server.servers` (untyped in its declarations). */
interface Dns2Servers { udp: dgram.Socket; tcp: net.Server }

/** Logs handler failures at most once a second: a client must not be able to flood the log. */
function throttledError(log: Logger): (err: unknown, what: string) => void {
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
  const connections = new Set<net.Socket>();
  let tcp: net.Server;
  try {
    tcp = await listenTcp(o, port, connections, fail);
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
      const tcpClosed = closeTcp(tcp, connections);
      await closeUdp();
      await tcpClosed;
    },
  };
}

async function bindBatched(o: ListenOptions, host: string, addon: NonNullable<ReturnType<typeof batchedUdpAddon>>): Promise<Sockets> {
  const fail = throttledError(o.log);
  const udp = openBatchedUdp(addon, host, o.port, o.handler, fail);
  let tcp: net.Server;
  const connections = new Set<net.Socket>();
  try {
    tcp = await listenTcp(o, udp.port, connections, fail);
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
      await closeTcp(tcp, connections);
    },
  };
}

/** dns2's TCP server on `port`, with cairn's connection handling. */
async function listenTcp(o: ListenOptions, port: number, connections: Set<net.Socket>, fail: (err: unknown, what: string) => void): Promise<net.Server> {
  const server = dns2.createServer({ tcp: true });
  const { tcp } = (server as unknown as { servers: Pick<Dns2Servers, 'tcp'> }).servers;
  server.on('error', (err: Error, transport: string) => fail(err, `dns ${transport} socket error`));
  tcp.removeAllListeners('connection');
  tcp.on('connection', (socket: net.Socket) => tcpConnection(socket, connections, o, fail));
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, o.host, () => { tcp.off('error', reject); resolve(); });
  });
  return tcp;
}

function closeTcp(tcp: net.Server, connections: Set<net.Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
  for (const c of connections) c.destroy();
  return closed;
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

/**
 * One TCP connection (RFC 7766): length-prefixed messages, several per connection, each answered when
 * ready (forwarded ones may come later, matched by id); half-close honoured once all are answered;
 * idle connections are closed.
 */
function tcpConnection(socket: net.Socket, connections: Set<net.Socket>, o: ListenOptions, fail: (err: unknown, what: string) => void): void {
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
  socket.on('error', () => socket.destroy());
  socket.setNoDelay(true);
  let idleStrikes = 0;
  socket.setTimeout(o.tcpIdleTimeoutMs, () => {
    // First end gracefully; a peer that ignores it is cut off at the next timeout.
    if (idleStrikes++ === 0) socket.end(); else socket.destroy();
  });
  const address = socket.remoteAddress ?? '';
  let pending: Buffer = Buffer.alloc(0);
  let inFlight = 0;
  let peerEnded = false;
  let paused = false;

  const write = (b: Buffer): void => {
    if (socket.destroyed || !socket.writable) return;
    if (!socket.write(framed(b)) && !paused) {
      // The client does not read its answers: stop reading its queries until it does.
      paused = true;
      socket.pause();
      socket.once('drain', () => { paused = false; socket.resume(); });
    }
  };
  const maybeEnd = (): void => {
    if (peerEnded && inFlight === 0 && !socket.destroyed) socket.end();
  };
  const dispatch = (msg: Buffer): void => {
    let res: Response | Promise<Response>;
    try {
      res = o.handler(msg, address, 'tcp');
    } catch (err) {
      fail(err, 'dns query failed');
      return;
    }
    if (res === null) return;
    if (Buffer.isBuffer(res)) { write(res); return; }
    inFlight++;
    res.then((b) => { if (b) write(b); }, (err: unknown) => fail(err, 'dns query failed'))
      .finally(() => { inFlight--; maybeEnd(); });
  };

  socket.on('data', (chunk: Buffer) => {
    idleStrikes = 0;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < 2 + len) break;
      const msg = pending.subarray(2, 2 + len);
      pending = pending.subarray(2 + len);
      dispatch(msg);
    }
  });
  socket.on('end', () => {
    peerEnded = true;
    maybeEnd();
  });
}
