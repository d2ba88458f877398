// Raw DNS for the probe: a query's exact bytes (to count amplification), one UDP exchange that returns
// the answer's bytes, and one query over a fresh TCP connection.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export interface QueryOptions {
  name: string;
  type: string;
  id?: number;
  rd?: boolean;
  edns?: number | undefined;
}

export function encodeQuery(o: QueryOptions): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? Math.floor(Math.random() * 65536),
    flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name: o.name, type: o.type as dnsPacket.RecordType, class: 'IN' }],
    ...(o.edns !== undefined ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: o.edns } as unknown as dnsPacket.Answer] } : {}),
  });
}

export interface Reply {
  bytes: Buffer;
  rcode: string;
  tc: boolean;
  ra: boolean;
  answers: number;
}

export function parseReply(bytes: Buffer): Reply {
  const p = dnsPacket.decode(bytes);
  const flags = p.flags ?? 0;
  return {
    bytes,
    rcode: (p as { rcode?: string }).rcode ?? '?',
    tc: (flags & dnsPacket.TRUNCATED_RESPONSE) !== 0,
    ra: (flags & dnsPacket.RECURSION_AVAILABLE) !== 0,
    answers: p.answers?.length ?? 0,
  };
}

/** Sends `query` (any bytes) over UDP and returns the raw reply, or undefined after `timeoutMs`. */
export function udpExchange(port: number, query: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const done = (b: Buffer | undefined): void => {
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('message', (msg) => done(msg));
    sock.on('error', () => done(undefined));
    sock.send(query, port, '127.0.0.1');
  });
}

/** One query on a new TCP connection; the reply's bytes, or undefined after `timeoutMs`. */
export function tcpExchange(port: number, query: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let buffered = Buffer.alloc(0);
    const done = (b: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) done(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
    const framed = Buffer.alloc(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    socket.write(framed);
  });
}
