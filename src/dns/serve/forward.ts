// Forwarding for names outside every namespace (docs/dns.md, "Forwarding"): the same question to each
// upstream in turn (UDP, TCP when the reply is truncated), and the relay of its sections into cairn's
// own reply.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Reply } from './reply.ts';
import { EDNS_DO, expandName, FLAG, HEADER_SIZE, headerFlags, lowerKey, RCODE_MASK, skipName, TYPE } from '../wire/index.ts';
import { OPT_SIZE } from './edns.ts';
import type { DnsCounts } from './counts.ts';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwardQuestion {
  /** The question section exactly as the client sent it. */
  question: Buffer;
  dnssecOk: boolean;
  checkingDisabled: boolean;
}

/** Builds the upstream query: new id, RD=1 (CD copied), the question, an OPT with our payload size. */
export function upstreamQuery(id: number, f: ForwardQuestion, payload: number): Buffer {
  const b = Buffer.alloc(HEADER_SIZE + f.question.length + OPT_SIZE);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(FLAG.RD | (f.checkingDisabled ? FLAG.CD : 0), 2);
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(1, 10);
  f.question.copy(b, HEADER_SIZE);
  const o = HEADER_SIZE + f.question.length;
  b.writeUInt16BE(TYPE.OPT, o + 1);
  b.writeUInt16BE(payload, o + 3);
  if (f.dnssecOk) b.writeUInt16BE(EDNS_DO, o + 7);
  return b;
}

/** Whether `reply` answers `query`: same id, QR set, same question (case-insensitively). */
export function matches(reply: Buffer, query: Buffer, questionLength: number): boolean {
  if (reply.length < HEADER_SIZE + questionLength) return false;
  if (reply[0] !== query[0] || reply[1] !== query[1] || (headerFlags(reply) & FLAG.QR) === 0) return false;
  if (reply.readUInt16BE(4) !== 1) return false;
  const end = HEADER_SIZE + questionLength;
  const nameEnd = skipName(query, HEADER_SIZE);
  if (skipName(reply, HEADER_SIZE) !== nameEnd) return false;
  return (
    lowerKey(reply, HEADER_SIZE, nameEnd) === lowerKey(query, HEADER_SIZE, nameEnd) &&
    reply.compare(query, nameEnd, end, nameEnd, end) === 0
  );
}

export class Forwarder {
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly payload: number;
  private readonly inFlight = new Set<() => void>();
  private readonly maxPending: number;
  /** Questions waiting for upstreams: each holds a socket for up to the timeout per upstream. */
  private pending = 0;
  private closed = false;
  private readonly counts: DnsCounts;

  constructor(upstreams: Upstream[], timeoutMs: number, payload: number, maxPending: number, counts: DnsCounts) {
    this.upstreams = upstreams;
    this.timeoutMs = timeoutMs;
    this.payload = payload;
    this.maxPending = maxPending;
    this.counts = counts;
  }

  /**
   * The first valid reply from the upstreams in order, or undefined when every one failed, or at once
   * when --upstream-max-inflight questions are already waiting (clients that flood cannot exhaust sockets).
   */
  async resolve(f: ForwardQuestion): Promise<Buffer | undefined> {
    if (this.pending >= this.maxPending) {
      this.counts.forwardedWith('overloaded');
      return undefined;
    }
    this.pending++;
    try {
      const reply = await this.ask(f);
      this.counts.forwardedWith(reply ? 'answered' : 'unanswered');
      return reply;
    } finally {
      this.pending--;
    }
  }

  private async ask(f: ForwardQuestion): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      if (this.closed) return undefined;
      const query = upstreamQuery(randomInt(65536), f, this.payload);
      let reply = await this.exchange(u, query, f.question.length, 'udp');
      // TC=1: repeat over TCP (RFC 7766).
      if (reply && (headerFlags(reply) & FLAG.TC) !== 0) reply = await this.exchange(u, query, f.question.length, 'tcp');
      if (reply) return reply;
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const abort of [...this.inFlight]) abort();
  }

  private exchange(u: Upstream, query: Buffer, questionLength: number, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let done = false;
      let cleanup = (): void => undefined;
      const finish = (reply: Buffer | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(abort);
        cleanup();
        resolve(reply);
      };
      const abort = (): void => finish(undefined);
      const timer = setTimeout(abort, this.timeoutMs);
      this.inFlight.add(abort);
      try {
        cleanup = transport === 'udp' ? this.overUdp(u, query, questionLength, finish) : this.overTcp(u, query, questionLength, finish);
      } catch {
        finish(undefined);
      }
    });
  }

  /** One socket per try: a random source port for every query (RFC 5452). */
  private overUdp(u: Upstream, query: Buffer, questionLength: number, finish: (b: Buffer | undefined) => void): () => void {
    const socket = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
    socket.on('error', () => finish(undefined));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== u.port || !matches(msg, query, questionLength)) return;
      finish(msg);
    });
    socket.send(query, u.port, u.host, (err) => {
      if (err) finish(undefined);
    });
    return () => {
      try {
        socket.close();
      } catch {
        /* already closed */
      }
    };
  }

  private overTcp(u: Upstream, query: Buffer, questionLength: number, finish: (b: Buffer | undefined) => void): () => void {
    const socket = net.connect({ host: u.host, port: u.port });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(query.length);
    socket.write(Buffer.concat([prefix, query]));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2) return;
      const len = buffered.readUInt16BE(0);
      if (buffered.length < 2 + len) return;
      const msg = buffered.subarray(2, 2 + len);
      finish(matches(msg, query, questionLength) ? msg : undefined);
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    return () => socket.destroy();
  }
}

/** RDATA layouts with domain names that may be compressed: [bytes before the name(s), names]. */
const NAMES_IN_RDATA: Record<number, [number, number]> = {
  2: [0, 1],
  3: [0, 1],
  4: [0, 1],
  5: [0, 1],
  7: [0, 1],
  8: [0, 1],
  9: [0, 1],
  12: [0, 1],
  39: [0, 1],
  6: [0, 2],
  14: [0, 2],
  17: [0, 2],
  15: [2, 1],
  18: [2, 1],
  21: [2, 1],
  36: [2, 1],
  33: [6, 1],
};

/**
 * Copies the upstream reply's answer, authority and additional records (without its OPT) into `r`,
 * names decompressed since offsets change. Returns the upstream RCODE, or -1 when the reply is
 * malformed.
 */
export function relay(r: Reply, reply: Buffer): number {
  const out = r.out;
  const counts = [reply.readUInt16BE(6), reply.readUInt16BE(8), reply.readUInt16BE(10)];
  let p = skipName(reply, HEADER_SIZE);
  if (p < 0) return -1;
  p += 4;
  for (let section = 0; section < 3; section++) {
    if (section === 2) r.beginAdditional();
    for (let i = 0; i < counts[section]!; i++) {
      const start = out.pos;
      p = expandName(reply, p, out);
      if (p < 0 || p + 10 > reply.length) return -1;
      const type = reply.readUInt16BE(p);
      const rdlen = reply.readUInt16BE(p + 8);
      const rdStart = p + 10;
      const rdEnd = rdStart + rdlen;
      if (rdEnd > reply.length) return -1;
      if (type === TYPE.OPT) {
        out.pos = start;
        p = rdEnd;
        continue;
      }
      out.bytes(reply, p, p + 8);
      const lenAt = out.reserve(2);
      const dataAt = out.pos;
      const layout = NAMES_IN_RDATA[type];
      if (layout && rdlen > 0) {
        const [fixed, names] = layout;
        if (rdStart + fixed > rdEnd) return -1;
        let q = rdStart;
        // MX-like: the fixed part comes first; SRV too. SOA: names first, then 20 bytes.
        const fixedFirst = type !== TYPE.SOA;
        if (fixedFirst) {
          out.bytes(reply, q, q + fixed);
          q += fixed;
        }
        for (let n = 0; n < names; n++) {
          q = expandName(reply, q, out);
          if (q < 0 || q > rdEnd) return -1;
        }
        out.bytes(reply, q, rdEnd);
      } else {
        out.bytes(reply, rdStart, rdEnd);
      }
      out.setU16(lenAt, out.pos - dataAt);
      if (section === 0) r.an++;
      else if (section === 1) r.ns++;
      else r.ar++;
      p = rdEnd;
    }
  }
  return headerFlags(reply) & RCODE_MASK;
}
