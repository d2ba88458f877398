// DNS over TCP (RFC 7766) with every resource bounded: a message must arrive whole within the idle
// timeout of its first byte, connections are capped (the one idle the longest makes room for a new
// one), and a connection stops being read while its answers go unread or its upstream queries pile up.
import net from 'node:net';
import type { Buckets } from '../../model/bucketed-histogram.ts';
import type { Fail, Handler } from './transport.ts';
import { framed } from '../wire/index.ts';

export interface TcpOptions {
  host: string;
  port: number;
  idleTimeoutMs: number;
  maxConnections: number;
  maxPending: number;
  handler: Handler;
  fail: Fail;
  /** Each answer's time, from its message's last byte to its write. */
  times: Buckets;
}

export interface TcpListener {
  /** Connections open now. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Kept small so that a connection whose answers are not read holds little: at most this much queued
 * plus one answer and its upstream answers, and this much read ahead of the parser.
 */
const HIGH_WATER_MARK = 16 * 1024;
const EMPTY = Buffer.alloc(0);

export async function listenTcp(o: TcpOptions): Promise<TcpListener> {
  // In order of last activity, so the first is the one idle the longest.
  const open = new Set<Connection>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: HIGH_WATER_MARK }, (socket) => {
    if (open.size >= o.maxConnections) open.values().next().value?.close();
    open.add(new Connection(socket, open, o));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => o.fail(err, 'dns tcp socket error'));
  return {
    connections: () => open.size,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of [...open]) c.close();
      return closed;
    },
  };
}

/**
 * One connection: length-prefixed messages, several per connection, each answered when ready
 * (forwarded ones may come later, matched by id by the client); half-close honoured once all are
 * answered. What it holds at most: one partial message, one read chunk it was not allowed to parse yet,
 * and the answers queued up to the high-water mark plus those of its pending queries.
 */
class Connection {
  private readonly socket: net.Socket;
  private readonly open: Set<Connection>;
  private readonly o: TcpOptions;
  private readonly address: string;
  private readonly timer: NodeJS.Timeout;
  /** The message being received, allocated at its full length once the prefix is known. */
  private message: Buffer | null = null;
  private filled = 0;
  /** The first byte of a length prefix whose second byte has not come yet; -1 when none. */
  private prefixHigh = -1;
  /** Bytes read but not parsed because the connection was blocked. */
  private backlog: Buffer | null = null;
  /** Answers still being prepared (forwarded queries). */
  private pending = 0;
  private paused = false;
  private peerEnded = false;
  private idleStrikes = 0;

  constructor(socket: net.Socket, open: Set<Connection>, o: TcpOptions) {
    this.socket = socket;
    this.open = open;
    this.o = o;
    this.address = socket.remoteAddress ?? '';
    this.timer = setTimeout(() => this.timedOut(), o.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('drain', () => this.unblock());
    socket.on('end', () => {
      this.peerEnded = true;
      this.maybeEnd();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.release());
  }

  close(): void {
    this.release();
    this.socket.destroy();
  }

  private release(): void {
    this.open.delete(this);
    clearTimeout(this.timer);
    this.message = null;
    this.backlog = null;
  }

  private inMessage(): boolean {
    return this.message !== null || this.prefixHigh >= 0;
  }

  private blocked(): boolean {
    return this.pending >= this.o.maxPending || this.socket.writableNeedDrain;
  }

  /** Activity: restarts the idle deadline and makes this the most recently used connection. */
  private active(): void {
    this.timer.refresh();
    this.idleStrikes = 0;
    this.open.delete(this);
    this.open.add(this);
  }

  private feed(chunk: Buffer): void {
    // After our end (idle), queries could not be answered any more.
    if (!this.socket.writable) return;
    if (this.backlog !== null) {
      // Not expected (a paused socket emits no data), but never lose or reorder bytes.
      this.backlog = Buffer.concat([this.backlog, chunk]);
      return;
    }
    let at = 0;
    // Whether a message ended or began here: either restarts the deadline.
    let boundary = false;
    while (at < chunk.length) {
      if (this.blocked()) {
        this.backlog = at === 0 ? chunk : chunk.subarray(at);
        if (!this.paused) {
          this.paused = true;
          this.socket.pause();
        }
        break;
      }
      const message = this.message;
      if (message !== null) {
        const n = Math.min(message.length - this.filled, chunk.length - at);
        chunk.copy(message, this.filled, at, at + n);
        this.filled += n;
        at += n;
        if (this.filled === message.length) {
          this.message = null;
          boundary = true;
          this.dispatch(message);
        }
        continue;
      }
      boundary = true;
      if (this.prefixHigh >= 0) {
        const length = (this.prefixHigh << 8) | chunk[at++]!;
        this.prefixHigh = -1;
        this.begin(length);
      } else if (chunk.length - at >= 2) {
        const length = chunk.readUInt16BE(at);
        at += 2;
        if (chunk.length - at >= length) {
          // Whole in this chunk: handed over as a view, the handler copies what it keeps.
          const m = chunk.subarray(at, at + length);
          at += length;
          this.dispatch(m);
        } else {
          this.begin(length);
        }
      } else {
        this.prefixHigh = chunk[at++]!;
      }
    }
    if (boundary && !this.socket.destroyed) this.active();
  }

  /** A message of `length` bytes starts; it gets a buffer of its own, filled as its bytes come. */
  private begin(length: number): void {
    if (length === 0) {
      this.dispatch(EMPTY);
      return;
    }
    this.message = Buffer.allocUnsafeSlow(length);
    this.filled = 0;
  }

  private dispatch(msg: Buffer): void {
    const start = performance.now();
    let res: ReturnType<Handler>;
    try {
      res = this.o.handler(msg, this.address, 'tcp');
    } catch (err) {
      this.o.fail(err, 'dns query failed');
      return;
    }
    if (res === null) return;
    if (Buffer.isBuffer(res)) {
      this.send(res, start);
      return;
    }
    this.pending++;
    res.then(
      (b) => {
        this.pending--;
        if (b) this.send(b, start);
        this.unblock();
      },
      (err: unknown) => {
        this.pending--;
        this.o.fail(err, 'dns query failed');
        this.unblock();
      },
    );
  }

  private send(answer: Buffer, start: number): void {
    if (!this.socket.writable) return;
    // A copy: an answer is a view of a shared slab, which a queued write would otherwise keep alive.
    this.socket.write(Buffer.from(framed(answer)));
    this.o.times.observe((performance.now() - start) / 1000, 1);
    if (!this.inMessage()) this.active();
  }

  /** Parses what was held back once the connection may take more, then reads again. */
  private unblock(): void {
    if (this.socket.destroyed || this.blocked()) return;
    const backlog = this.backlog;
    if (backlog !== null) {
      this.backlog = null;
      this.feed(backlog);
    }
    if (this.paused && this.backlog === null) {
      this.paused = false;
      this.socket.resume();
      // Its bytes waited on us: the message in progress gets its full time again.
      this.active();
    }
    this.maybeEnd();
  }

  /** After the peer's half-close, ends ours once everything it sent is answered. */
  private maybeEnd(): void {
    if (!this.peerEnded || this.backlog !== null) return;
    // A message still incomplete can never be.
    this.message = null;
    this.prefixHigh = -1;
    if (this.pending === 0 && !this.socket.destroyed) this.socket.end();
  }

  private timedOut(): void {
    if (this.socket.destroyed) return;
    if (this.inMessage() && !this.paused) {
      // The client has had all that time to send one message.
      this.socket.destroy();
      return;
    }
    this.timer.refresh();
    // Waiting for upstream answers is bounded by --upstream-timeout.
    if (this.pending > 0) return;
    // First end gracefully; a peer that ignores it (or does not read) is cut off at the next timeout.
    if (this.idleStrikes++ === 0) this.socket.end();
    else this.socket.destroy();
  }
}
