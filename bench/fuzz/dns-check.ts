// The DNS side of the contract: whatever bytes arrive over UDP or TCP, the server answers with a
// well-formed response (or stays silent), and it still answers a known query right after.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { Violation } from './api.ts';
import { compact } from './json.ts';

export interface DnsTarget {
  host: string;
  port: number;
  /** A name the server must keep answering with at least one A record. */
  probeName: string;
  /** --dns-max-udp-payload of the server: no UDP reply may be larger. */
  maxUdp: number;
}

const hex = (b: Buffer): string => compact(b.toString('hex'), 300);
const rcodeOf = (p: dnsPacket.DecodedPacket): string => (p as { rcode?: string }).rcode ?? '?';

/** Checks one reply against the queries it may answer; returns its rcode. */
export function checkReply(reply: Buffer, sent: readonly Buffer[], transport: 'udp' | 'tcp', maxUdp: number): string {
  const what = (): string => `${transport} reply ${hex(reply)} to ${sent.map(hex).join(' + ')}`;
  if (reply.length < 12) throw new Violation(`dns ${transport}: reply shorter than a header`, what());
  if ((reply[2]! & 0x80) === 0) throw new Violation(`dns ${transport}: reply without QR`, what());
  if (transport === 'udp') {
    if (reply.length > maxUdp) throw new Violation(`dns udp: reply of ${reply.length} bytes (limit ${maxUdp})`, what());
    const id = reply.readUInt16BE(0);
    if (!sent.some((q) => q.length >= 2 && q.readUInt16BE(0) === id)) throw new Violation('dns udp: reply id matches no query', what());
  }
  let p: dnsPacket.DecodedPacket;
  try {
    p = dnsPacket.decode(reply);
  } catch (e) {
    throw new Violation(`dns ${transport}: malformed reply`, `${what()}: ${(e as Error).message}`);
  }
  return rcodeOf(p);
}

let nextId = Math.floor(Math.random() * 65536);
function probeQuery(name: string, avoid: readonly Buffer[]): { id: number; bytes: Buffer } {
  let id = (nextId = (nextId + 1) & 0xffff);
  while (avoid.some((q) => q.length >= 2 && q.readUInt16BE(0) === id)) id = nextId = (nextId + 1) & 0xffff;
  return { id, bytes: dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] }) };
}

function checkProbe(reply: Buffer, transport: string, after: string): void {
  let p: dnsPacket.DecodedPacket;
  try {
    p = dnsPacket.decode(reply);
  } catch (e) {
    throw new Violation(`dns ${transport}: malformed reply to the known query`, `${hex(reply)} (${(e as Error).message}), after ${after}`);
  }
  if (rcodeOf(p) !== 'NOERROR' || !(p.answers ?? []).some((a) => a.type === 'A')) {
    throw new Violation(
      `dns ${transport}: the known query got a wrong answer`,
      `${rcodeOf(p)} with ${p.answers?.length ?? 0} answers, after ${after}`,
    );
  }
}

/**
 * Sends the messages from one socket, then the known query; collects replies until the known query is
 * answered. Returns the rcodes of the replies to the messages.
 */
export async function udpExchange(t: DnsTarget, messages: readonly Buffer[], timeoutMs = 3000): Promise<string[]> {
  const socket = dgram.createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
  const probe = probeQuery(t.probeName, messages);
  const replies: Buffer[] = [];
  try {
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    const answered = new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      socket.on('message', (m: Buffer) => {
        if (m.length >= 12 && m.readUInt16BE(0) === probe.id && (m[2]! & 0x80) !== 0) {
          clearTimeout(timer);
          resolve(m);
        } else replies.push(m);
      });
    });
    for (const m of messages) socket.send(m, t.port, t.host);
    socket.send(probe.bytes, t.port, t.host);
    const reply = await answered;
    const after = `udp ${messages.map(hex).join(' + ')}`;
    if (!reply) throw new Violation('dns udp: the known query was not answered', `within ${timeoutMs} ms after ${after}`);
    checkProbe(reply, 'udp', after);
    return replies.map((r) => checkReply(r, messages, 'udp', t.maxUdp));
  } finally {
    socket.close();
  }
}

/** Length-prefixed messages in a TCP byte stream (a trailing partial one is left out). */
export function frames(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p + 2 <= stream.length) {
    const len = stream.readUInt16BE(p);
    if (p + 2 + len > stream.length) break;
    out.push(stream.subarray(p + 2, p + 2 + len));
    p += 2 + len;
  }
  return out;
}

/** The known query on a fresh TCP connection; resolves with the reply or null after `timeoutMs`. */
export function tcpQuery(t: DnsTarget, bytes: Buffer, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: t.host, port: t.port });
    let buf = Buffer.alloc(0);
    const done = (r: Buffer | null): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.on('error', () => done(null));
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const f = frames(buf);
      if (f.length > 0) done(f[0]!);
    });
    s.write(Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]));
  });
}

/**
 * Writes the chunks on one connection; then the known query must be answered on another. Returns the
 * rcodes of the complete replies that came back on the first connection.
 */
export async function tcpExchange(t: DnsTarget, chunks: readonly Buffer[], timeoutMs = 3000): Promise<string[]> {
  const s = net.connect({ host: t.host, port: t.port });
  let received = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
  });
  s.on('error', () => undefined);
  const after = `tcp ${chunks.map(hex).join(' | ')}`;
  try {
    const connected = await new Promise<boolean>((resolve) => {
      s.once('connect', () => resolve(true));
      s.once('error', () => resolve(false));
    });
    if (!connected) throw new Violation('dns tcp: connection refused', after);
    for (const c of chunks) s.write(c);
    const probe = probeQuery(t.probeName, []);
    const reply = await tcpQuery(t, probe.bytes, timeoutMs);
    if (!reply) throw new Violation('dns tcp: the known query was not answered', `within ${timeoutMs} ms after ${after}`);
    checkProbe(reply, 'tcp', after);
    await new Promise((r) => setTimeout(r, 10));
    return frames(received).map((f) => checkReply(f, [], 'tcp', t.maxUdp));
  } finally {
    s.destroy();
  }
}
