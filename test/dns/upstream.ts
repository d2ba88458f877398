// A small upstream DNS server for forwarding tests: UDP and TCP on one free port, answering each
// question as the test's behaviour says (or not at all), and keeping what it was sent.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

/** What an upstream does with a question name. */
export type Behaviour = (query: Buffer, transport: 'udp' | 'tcp') => Buffer | null;

export interface Upstream {
  port: number;
  seen: { raw: Buffer; transport: 'udp' | 'tcp' }[];
  close(): Promise<void>;
}

/** A DNS server on one free port, UDP and TCP, answering with `behave`. */
export async function upstream(behave: Behaviour, attempt = 1): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  sock.on('message', (msg, rinfo) => {
    seen.push({ raw: msg, transport: 'udp' });
    const reply = behave(msg, 'udp');
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  const server = net.createServer((c) => {
    c.on('data', (d: Buffer) => {
      const msg = d.subarray(2, 2 + d.readUInt16BE(0));
      seen.push({ raw: msg, transport: 'tcp' });
      const reply = behave(msg, 'tcp');
      if (reply) c.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
    });
    c.on('error', () => undefined);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    // The UDP port's number may be taken for TCP by another process: start again on a fresh port.
    sock.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10) return upstream(behave, attempt + 1);
    throw e;
  }
  return {
    port,
    seen,
    close: async () => {
      sock.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A response to `query` with this RCODE (QR RD RA set, TC when asked) and these sections. */
export function reply(query: Buffer, rcode: number, build: Partial<dnsPacket.Packet> = {}, tc = false): Buffer {
  const q = dnsPacket.decode(query);
  return dnsPacket.encode({ id: q.id, type: 'response', flags: (tc ? 0x0200 : 0) | 0x0180 | rcode, questions: q.questions, ...build });
}
