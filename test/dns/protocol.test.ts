// The protocol rules around the answers (spec §8-§11): header checks, EDNS, truncation sizes, and
// TCP (pipelining, half-close, idle timeout), tested with raw packets.
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { decode, encodeQuery, framed, lines, opt, tcp, tcpPipeline, tcpRaw, udp, udpRaw } from './dns-client.ts';

let t: TestServer;
let port: number;
const id30 = (i: number): string => `instance-${String(i).padStart(2, '0')}-${'x'.repeat(18)}`;

beforeAll(async () => {
  t = await startTestServer({ flags: ['--dns-tcp-idle-timeout', '400ms'] });
  port = t.server.dnsAddress.port;
  const ns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'DNS_PUBLIC' });
  const srv = (name: string) =>
    seedService(t.server, { name, namespaceId: ns.id, dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'SRV', ttl: 30 }] } });
  const backend = await seedService(t.server, {
    name: 'backend',
    namespaceId: ns.id,
    dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
  });
  await seedInstance(t.server, backend.id, 'backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2' });
  // 8 SRV records of ~76 bytes: the answer alone exceeds 512 bytes.
  const big = await srv('big');
  for (let i = 0; i < 8; i++)
    await seedInstance(t.server, big.id, `${id30(i)}-and-more`, { AWS_INSTANCE_IPV4: `10.1.0.${i}`, AWS_INSTANCE_PORT: '80' });
  // 6 SRV records of 65 bytes (422-byte reply) plus 6 additional A of 16 bytes (518): only the
  // additional section has to go to fit 512.
  const mid = await srv('mid');
  for (let i = 0; i < 6; i++) await seedInstance(t.server, mid.id, id30(i), { AWS_INSTANCE_IPV4: `10.2.0.${i}`, AWS_INSTANCE_PORT: '80' });
});
afterAll(async () => {
  await t?.stop();
});

/** A 12-byte header with the given fields, followed by `rest`. */
function message(
  h: { id?: number; flags?: number; qd?: number; an?: number; ns?: number; ar?: number },
  rest: Buffer = Buffer.alloc(0),
): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(h.id ?? 7, 0);
  b.writeUInt16BE(h.flags ?? 0x0100, 2);
  b.writeUInt16BE(h.qd ?? 0, 4);
  b.writeUInt16BE(h.an ?? 0, 6);
  b.writeUInt16BE(h.ns ?? 0, 8);
  b.writeUInt16BE(h.ar ?? 0, 10);
  return Buffer.concat([b, rest]);
}
const question = (name: string, type = 1): Buffer => {
  const q = encodeQuery({ name, edns: false });
  const body = Buffer.from(q.subarray(12));
  body.writeUInt16BE(type, body.length - 4);
  return body;
};
const optRecord = (owner = Buffer.from([0]), version = 0): Buffer =>
  Buffer.concat([owner, Buffer.from([0, 41, 0x04, 0xd0, 0, version, 0, 0, 0, 0])]);

describe('header checks', () => {
  it.each([
    ['NOTIFY', 4],
    ['UPDATE', 5],
    ['IQUERY', 1],
  ])('answers opcode %s with NOTIMP, opcode copied, question echoed', async (_name, opcode) => {
    const raw = await udpRaw(port, message({ flags: opcode << 11, qd: 1 }, question('kouzie.com', 6)));
    const p = decode(raw!).packet;
    expect(p.rcode).toBe('NOTIMP');
    expect((raw!.readUInt16BE(2) >> 11) & 0xf).toBe(opcode);
    expect(p.flag_aa).toBe(false);
    expect(p.questions).toEqual([{ name: 'kouzie.com', type: 'SOA', class: 'IN' }]);
  });

  it.each([
    ['no question', message({ qd: 0 })],
    ['two questions', message({ qd: 2 }, Buffer.concat([question('kouzie.com'), question('backend.kouzie.com')]))],
    ['a question cut short', message({ qd: 1 }, question('kouzie.com').subarray(0, 5))],
    ['a compression pointer as the question name', message({ qd: 1 }, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1]))],
    ['an additional count with nothing behind it', message({ qd: 1, ar: 3 }, question('kouzie.com'))],
  ])('answers %s with FORMERR and no question', async (_name, msg) => {
    const raw = await udpRaw(port, msg);
    const p = decode(raw!).packet;
    expect(p.rcode).toBe('FORMERR');
    expect(p.id).toBe(7);
    expect(p.questions).toEqual([]);
    expect(p.answers).toEqual([]);
  });

  it.each([
    ['two OPT records', message({ qd: 1, ar: 2 }, Buffer.concat([question('backend.kouzie.com'), optRecord(), optRecord()]))],
    [
      'an OPT not owned by the root',
      message({ qd: 1, ar: 1 }, Buffer.concat([question('backend.kouzie.com'), optRecord(Buffer.from([1, 0x61, 0]))])),
    ],
  ])('answers %s with FORMERR and one OPT', async (_name, msg) => {
    const reply = decode((await udpRaw(port, msg))!);
    expect(reply.packet.rcode).toBe('FORMERR');
    expect(reply.packet.additionals).toHaveLength(1);
    expect(opt(reply)).toMatchObject({ udpPayloadSize: 1232, ednsVersion: 0 });
  });

  it.each([
    ['a response (QR=1)', message({ flags: 0x8000, qd: 1 }, question('backend.kouzie.com'))],
    ['a datagram shorter than a header', Buffer.from([1, 2, 3, 4, 5])],
    ['an empty datagram', Buffer.alloc(0)],
  ])('drops %s without a reply', async (_name, msg) => {
    expect(await udpRaw(port, msg, { timeoutMs: 300 })).toBeNull();
    // ...and keeps answering.
    expect((await udp(port, { name: 'backend.kouzie.com' })).packet.rcode).toBe('NOERROR');
  });

  it('answers EDNS version 1 with BADVERS: extended RCODE 1 in an OPT of version 0, no records (#14)', async () => {
    const reply = await udp(port, { name: 'backend.kouzie.com', edns: { version: 1 } });
    const p = reply.packet;
    expect(p.rcode).toBe('NOERROR'); // the lower 4 bits of 16
    expect(opt(reply)).toMatchObject({ extendedRcode: 1, ednsVersion: 0, udpPayloadSize: 1232 });
    expect(p.flag_aa).toBe(false);
    expect(p.answers).toEqual([]);
    expect(p.authorities).toEqual([]);
  });

  it('ignores EDNS options in the query and echoes none', async () => {
    const q = dnsPacket.encode({
      type: 'query',
      id: 9,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: 'backend.kouzie.com', type: 'A' }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 4096,
          options: [
            { code: 10, data: Buffer.alloc(8, 1) },
            { code: 65001, data: Buffer.from('x') },
          ],
        } as unknown as dnsPacket.Answer,
      ],
    });
    const reply = decode((await udpRaw(port, q))!);
    expect(lines(reply.packet.answers)).toEqual(['backend.kouzie.com. 60 A 192.168.10.2']);
    expect(opt(reply)).toMatchObject({ udpPayloadSize: 1232, options: [] });
  });
});

describe('truncation over UDP (spec §11)', () => {
  it('sends TC with only the question when the answer exceeds 512 bytes without EDNS', async () => {
    const { packet: p, raw } = await udp(port, { name: 'big.kouzie.com', type: 'SRV', edns: false });
    expect(raw.length).toBeLessThanOrEqual(512);
    expect(p.flag_tc).toBe(true);
    expect(p.flag_aa).toBe(true);
    expect(p.rcode).toBe('NOERROR');
    expect(p.questions).toEqual([{ name: 'big.kouzie.com', type: 'SRV', class: 'IN' }]);
    expect([p.answers, p.authorities, p.additionals]).toEqual([[], [], []]);
  });

  it('keeps the OPT in a truncated reply to an EDNS query advertising 512', async () => {
    const reply = await udp(port, { name: 'big.kouzie.com', type: 'SRV', edns: { payload: 512 } });
    expect(reply.packet.flag_tc).toBe(true);
    expect(reply.packet.answers).toEqual([]);
    expect(reply.packet.additionals).toHaveLength(1);
    expect(opt(reply)).toMatchObject({ udpPayloadSize: 1232 });
  });

  it('counts an advertised size below 512 as 512', async () => {
    const reply = await udp(port, { name: 'mid.kouzie.com', type: 'SRV', edns: { payload: 100 } });
    expect(reply.packet.flag_tc).toBe(false);
    expect(reply.packet.answers).toHaveLength(6);
  });

  it('drops the additional records before setting TC', async () => {
    for (const edns of [false, { payload: 512 }] as const) {
      const { packet: p, raw } = await udp(port, { name: 'mid.kouzie.com', type: 'SRV', edns });
      expect(raw.length).toBeLessThanOrEqual(512);
      expect(p.flag_tc).toBe(false);
      expect(p.answers).toHaveLength(6);
      expect(lines(p.additionals)).toEqual([]);
    }
  });

  it('sends the whole answer with its additional records when the client advertises room', async () => {
    const { packet: p, raw } = await udp(port, { name: 'big.kouzie.com', type: 'SRV', edns: { payload: 1232 } });
    expect(raw.length).toBeGreaterThan(512);
    expect(p.flag_tc).toBe(false);
    expect(p.answers).toHaveLength(8);
    expect(lines(p.additionals)).toHaveLength(8);
  });

  it('answers in full over TCP what UDP truncates', async () => {
    const { packet: p } = await tcp(port, { name: 'big.kouzie.com', type: 'SRV', edns: false });
    expect(p.flag_tc).toBe(false);
    expect(p.answers).toHaveLength(8);
    // Every additional A is owned by an SRV target of the answer.
    const targets = new Set((p.answers ?? []).map((a) => (a as { data: { target: string } }).data.target));
    expect(new Set((p.additionals ?? []).map((a) => a.name))).toEqual(targets);
  });
});

describe('TCP (RFC 7766)', () => {
  it('answers several pipelined queries on one connection, each with its id', async () => {
    const names = ['backend.kouzie.com', 'nothere.kouzie.com', 'kouzie.com', 'mid.kouzie.com', 'example.org'];
    const replies = await tcpPipeline(
      port,
      names.map((name, i) => ({ name, id: 100 + i, type: i === 3 ? 'SRV' : 'A' })),
    );
    const byId = new Map(replies.map((r) => [r.packet.id, r.packet]));
    expect([...byId.keys()].sort()).toEqual([100, 101, 102, 103, 104]);
    expect(byId.get(100)!.rcode).toBe('NOERROR');
    expect(byId.get(101)!.rcode).toBe('NXDOMAIN');
    expect(byId.get(102)!.authorities).toHaveLength(1);
    expect(byId.get(103)!.additionals!.filter((a) => a.type === 'A')).toHaveLength(6);
    expect(byId.get(104)!.rcode).toBe('REFUSED');
  });

  it('reassembles messages split anywhere, even inside the length prefix', async () => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    const bytes = Buffer.concat([
      framed(encodeQuery({ name: 'backend.kouzie.com', id: 1 })),
      framed(encodeQuery({ name: 'backend.kouzie.com', id: 2 })),
    ]);
    const got = collect(socket, 2);
    let from = 0;
    for (const cut of [1, 20, bytes.length - 40, bytes.length]) {
      socket.write(bytes.subarray(from, cut));
      from = cut;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await got).map((m) => decode(m).packet.id)).toEqual([1, 2]);
    socket.destroy();
  });

  it('answers a malformed message with FORMERR and keeps the connection', async () => {
    const replies = await tcpRaw(port, [
      message({ qd: 1, id: 55 }, Buffer.from([5, 0x61])),
      encodeQuery({ name: 'backend.kouzie.com', id: 56 }),
    ]);
    expect(replies.map((r) => [decode(r).packet.id, decode(r).packet.rcode])).toEqual([
      [55, 'FORMERR'],
      [56, 'NOERROR'],
    ]);
  });

  it('answers a query sent with a half-close, then closes', async () => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const got = collect(socket, 1);
    socket.end(framed(encodeQuery({ name: 'backend.kouzie.com', id: 77 })));
    expect(decode((await got)[0]!).packet.id).toBe(77);
    await new Promise((r) => socket.once('close', r));
  });

  it('closes a connection that stays idle longer than --dns-tcp-idle-timeout', async () => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const opened = Date.now();
    await new Promise((r) => socket.once('connect', r));
    socket.resume();
    await new Promise((r) => socket.once('end', r));
    expect(Date.now() - opened).toBeGreaterThanOrEqual(350);
    expect(Date.now() - opened).toBeLessThan(3000);
    socket.destroy();
  });
});

function collect(socket: net.Socket, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const out: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        out.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (out.length === n) resolve(out);
    });
  });
}
