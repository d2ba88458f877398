// The sockets: dns2 creates and binds the UDP socket and the TCP server; cairn reads the raw bytes
// itself (dns2's parse-then-encode path costs more than the whole answer, and its TCP reader cannot
// hand over the question bytes) and writes prepared responses straight to the sockets.
import type dgram from 'node:dgram';
import net from 'node:net';
import dns2 from 'dns2';
import type { Logger } from 'pino';
import type { Response, Transport } from './respond.ts';
import { framed } from './wire.ts';

/** Answers one message; responses must come from Out#take (their TCP length prefix is in place). */
export type Handler = (msg: Buffer, address: string, transport: Transport) => Response | Promise<Response>;

export interface ListenOptions {
  host: string;
  /** 0: any free port (the same one for UDP and TCP). */
  port: number;
  tcpIdleTimeoutMs: number;
  handler: Handler;
  log: Logger;
}

export interface Sockets {
  host: string;
  port: number;
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
  const attempts = o.port === 0 ? 10 : 1;
  for (let i = 1; ; i++) {
    try {
      return await bindOnce(o);
    } catch (e) {
      // With port 0 the port the OS gave UDP may be taken for TCP: try another one.
      if (i >= attempts || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

async function bindOnce(o: ListenOptions): Promise<Sockets> {
  const server = dns2.createServer({ udp: { type: net.isIPv6(o.host) ? 'udp6' : 'udp4' }, tcp: true });
  const { udp, tcp } = (server as unknown as { servers: Dns2Servers }).servers;
  const fail = throttledError(o.log);
  server.on('error', (err: Error, transport: string) => fail(err, `dns ${transport} socket error`));
  server.on('requestError', (err: Error) => o.log.debug({ err }, 'unparsable dns request'));
  udp.removeAllListeners('message');
  tcp.removeAllListeners('connection');
  udp.on('message', udpHandler(udp, o.handler, fail));
  const connections = new Set<net.Socket>();
  tcp.on('connection', (socket: net.Socket) => tcpConnection(socket, connections, o, fail));

  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(o.port, o.host, () => { udp.off('error', reject); resolve(); });
  });
  const port = udp.address().port;
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, o.host, () => { tcp.off('error', reject); resolve(); });
    });
  } catch (e) {
    udp.close();
    throw e;
  }
  // Bursts of queries should queue in the kernel, not be dropped (capped by net.core.rmem_max).
  try { udp.setRecvBufferSize(4 * 1024 * 1024); udp.setSendBufferSize(4 * 1024 * 1024); } catch { /* not allowed: keep defaults */ }

  return {
    host: o.host,
    port,
    close: async () => {
      const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => { try { udp.close(() => resolve()); } catch { resolve(); } });
      await tcpClosed;
    },
  };
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
