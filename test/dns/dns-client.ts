// A DNS client for the tests that is not dns2: raw packets built and read with dns-packet, over UDP
// (from any loopback source address) or TCP (several queries on one connection).
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';

export interface Ask {
  name: string;
  type?: string;
  /** Question class number (1 = IN, 3 = CH). */
  qclass?: number;
  id?: number;
  /** Header flag word (default RD). */
  flags?: number;
  /** EDNS: false for none; otherwise the OPT's payload size, version and DO bit. */
  edns?: false | { payload?: number; version?: number; do?: boolean };
}

export interface Reply {
  raw: Buffer;
  packet: Packet & {
    rcode?: string;
    flag_qr?: boolean;
    flag_aa?: boolean;
    flag_tc?: boolean;
    flag_rd?: boolean;
    flag_ra?: boolean;
    flag_cd?: boolean;
    flag_ad?: boolean;
  };
}

export function encodeQuery(a: Ask): Buffer {
  const additionals: Answer[] = [];
  if (a.edns !== false) {
    const e = a.edns ?? {};
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: e.payload ?? 1232,
      ednsVersion: e.version ?? 0,
      flags: e.do ? 0x8000 : 0,
    } as unknown as Answer);
  }
  const raw = dnsPacket.encode({
    id: a.id ?? Math.floor(Math.random() * 65536),
    type: 'query',
    flags: a.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ name: a.name, type: (a.type ?? 'A') as 'A' }],
    additionals,
  });
  // dns-packet writes class IN; patch the class for CH and friends. The question is the only one.
  if (a.qclass !== undefined) raw.writeUInt16BE(a.qclass, 12 + qnameLength(raw) + 2);
  return raw;
}

function qnameLength(raw: Buffer): number {
  let p = 12;
  while (raw[p] !== 0) p += raw[p]! + 1;
  return p + 1 - 12;
}

export const decode = (raw: Buffer): Reply => ({ raw, packet: dnsPacket.decode(raw) });

/** Sends raw bytes over UDP and resolves with the reply (same port, same id), or null after `timeoutMs` without one. */
export function udpRaw(port: number, msg: Buffer, options: { from?: string; timeoutMs?: number } = {}): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, options.timeoutMs ?? 2000);
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(e);
    });
    socket.on('message', (reply, from) => {
      // As a resolver does (RFC 5452 §9.1): a datagram from elsewhere, or one answering another query (a
      // late reply to an earlier socket that had this port), is not the reply.
      const sameId = msg.length < 2 || (reply.length >= 2 && reply.readUInt16BE(0) === msg.readUInt16BE(0));
      if (from.port !== port || !sameId) return;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.bind(0, options.from ?? '127.0.0.1', () => socket.send(msg, port, '127.0.0.1'));
  });
}

export async function udp(port: number, a: Ask, options: { from?: string } = {}): Promise<Reply> {
  const raw = await udpRaw(port, encodeQuery(a), options);
  if (!raw) throw new Error(`no reply to ${a.name} ${a.type ?? 'A'}`);
  return decode(raw);
}

/** Sends several messages on one TCP connection (all written at once) and collects one reply each. */
export function tcpRaw(port: number, msgs: Buffer[], options: { from?: string; timeoutMs?: number } = {}): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(options.from ? { localAddress: options.from } : {}) });
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp: ${replies.length} of ${msgs.length} replies`));
    }, options.timeoutMs ?? 3000);
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const len = buffered.readUInt16BE(0);
        replies.push(buffered.subarray(2, 2 + len));
        buffered = buffered.subarray(2 + len);
      }
      if (replies.length === msgs.length) {
        clearTimeout(timer);
        socket.end();
        resolve(replies);
      }
    });
    socket.write(Buffer.concat(msgs.map(framed)));
  });
}

/** A message with its TCP length prefix (dns-packet's streamEncode does the same for packets). */
export const framed = (m: Buffer): Buffer => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);

export async function tcp(port: number, a: Ask, options: { from?: string } = {}): Promise<Reply> {
  const [raw] = await tcpRaw(port, [encodeQuery(a)], options);
  return decode(raw!);
}

/** Pipelined queries on one connection, framed by dns-packet's streamEncode; replies in arrival order. */
export async function tcpPipeline(port: number, asks: Ask[]): Promise<Reply[]> {
  const framedQueries = asks.map((a) => dnsPacket.streamEncode(dnsPacket.decode(encodeQuery(a))));
  const replies = await tcpRaw(
    port,
    framedQueries.map((f) => f.subarray(2)),
  );
  return replies.map(decode);
}

/** Records of a section as `name ttl TYPE data` lines, for readable table assertions. */
export function lines(section: Answer[] | undefined): string[] {
  return (section ?? []).filter((r) => r.type !== 'OPT').map((r) => `${r.name}. ${'ttl' in r ? r.ttl : ''} ${r.type} ${render(r)}`);
}

function render(r: Answer): string {
  const d = (r as { data?: unknown }).data;
  if (r.type === 'SRV') {
    const s = d as { priority: number; weight: number; port: number; target: string };
    return `${s.priority} ${s.weight} ${s.port} ${s.target}.`;
  }
  if (r.type === 'SOA') {
    const s = d as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
    return `${s.mname}. ${s.rname}. ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
  }
  if (r.type === 'NS' || r.type === 'CNAME') return `${String(d)}.`;
  return String(d);
}

/** The OPT record of a reply, if any. */
export function opt(reply: Reply): { udpPayloadSize: number; extendedRcode: number; ednsVersion: number; flag_do: boolean } | undefined {
  return (reply.packet.additionals ?? []).find((r) => r.type === 'OPT');
}
