// The UDP path: batched through the native addon (recvmmsg/sendmmsg) by default on Linux, node:dgram
// with --dns-udp-io dgram; both answer the same bytes, bursts larger than a batch, sources on many
// ports, oversize datagrams, and forwarded answers that come back after later batches.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { decode, encodeQuery, udpRaw } from './dns-client.ts';

async function seeded(flags: string[] = []): Promise<TestServer> {
  const t = await startTestServer({ flags });
  const ns = await seedNamespace(t.server, { name: 'batch.test', type: 'DNS_PUBLIC', soaTtl: 15 });
  const svc = await seedService(t.server, {
    name: 'web',
    namespaceId: ns.id,
    dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
  });
  await seedInstance(t.server, svc.id, 'web-1', { AWS_INSTANCE_IPV4: '10.1.0.1' });
  return t;
}

/** Sends every message from one socket at once and collects the replies by id. */
function burst(port: number, msgs: Buffer[], timeoutMs = 3000): Promise<Map<number, Buffer>> {
  return new Promise((resolve, reject) => {
    // A big receive buffer: the replies of a burst arrive faster than this process reads them.
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    const replies = new Map<number, Buffer>();
    const done = (): void => {
      clearTimeout(timer);
      socket.close();
      resolve(replies);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(e);
    });
    socket.on('message', (m) => {
      replies.set(m.readUInt16BE(0), m);
      if (replies.size === msgs.length) done();
    });
    socket.bind(0, '127.0.0.1', () => {
      for (const m of msgs) socket.send(m, port, '127.0.0.1');
    });
  });
}

/** An upstream resolver that answers every query with its own question, NOERROR, after `delayMs`. */
async function echoUpstream(delayMs: number): Promise<dgram.Socket> {
  const upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply.writeUInt16BE(0x8180, 2);
    setTimeout(() => upstream.send(reply, rinfo.port, rinfo.address), delayMs);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  return upstream;
}

describe('UDP I/O', () => {
  let batched: TestServer;
  let plain: TestServer;
  beforeAll(async () => {
    [batched, plain] = await Promise.all([seeded(), seeded(['--dns-udp-io', 'dgram'])]);
  });
  afterAll(async () => {
    await Promise.all([batched?.stop(), plain?.stop()]);
  });

  it('batches UDP through the native addon by default on Linux (recvmmsg is Linux only)', () => {
    expect(batched.server.dns.udpIo).toBe(process.platform === 'linux' ? 'batched' : 'dgram');
  });

  it('uses node:dgram with --dns-udp-io dgram', () => {
    expect(plain.server.dns.udpIo).toBe('dgram');
  });

  it.each([
    ['an A answer', { name: 'web.batch.test', type: 'A' }],
    ['NXDOMAIN with the SOA', { name: 'nothere.batch.test', type: 'A' }],
    ['REFUSED outside every zone', { name: 'example.org', type: 'A' }],
    ['NODATA for a type the service has not', { name: 'web.batch.test', type: 'TXT' }],
  ])('answers %s with the same bytes either way', async (_what, ask) => {
    const q = encodeQuery({ ...ask, id: 4242 });
    const [a, b] = await Promise.all([udpRaw(batched.server.dnsAddress.port, q), udpRaw(plain.server.dnsAddress.port, q)]);
    expect(a).not.toBeNull();
    expect(a!.equals(b!)).toBe(true);
  });

  it('answers a burst of 300 queries sent at once, each with its own id, question and answer', async () => {
    const msgs = Array.from({ length: 300 }, (_, id) => encodeQuery({ name: id % 2 ? 'web.batch.test' : `n${id}.batch.test`, id }));
    const replies = await burst(batched.server.dnsAddress.port, msgs);
    expect(replies.size).toBe(300);
    for (const [id, raw] of replies) {
      const r = decode(raw);
      expect(r.packet.questions?.[0]?.name).toBe(id % 2 ? 'web.batch.test' : `n${id}.batch.test`);
      expect(r.packet.rcode).toBe(id % 2 ? 'NOERROR' : 'NXDOMAIN');
    }
  });

  it('answers each of many source ports at its own port', async () => {
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => udpRaw(batched.server.dnsAddress.port, encodeQuery({ name: 'web.batch.test', id: i }))),
    );
    expect(replies.map((r) => r?.readUInt16BE(0))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('reads the client address of each datagram (private namespaces choose answers by it)', async () => {
    // 127.0.0.2 and 127.0.0.3 are different clients: each gets its reply at its own address.
    const [a, b] = await Promise.all([
      udpRaw(batched.server.dnsAddress.port, encodeQuery({ name: 'web.batch.test', id: 2 }), { from: '127.0.0.2' }),
      udpRaw(batched.server.dnsAddress.port, encodeQuery({ name: 'web.batch.test', id: 3 }), { from: '127.0.0.3' }),
    ]);
    expect([a?.readUInt16BE(0), b?.readUInt16BE(0)]).toEqual([2, 3]);
  });

  it('drops a datagram longer than 4096 bytes and answers the next query', async () => {
    const huge = Buffer.concat([encodeQuery({ name: 'web.batch.test', id: 7 }), Buffer.alloc(5000)]);
    expect(await udpRaw(batched.server.dnsAddress.port, huge, { timeoutMs: 300 })).toBeNull();
    const next = await udpRaw(batched.server.dnsAddress.port, encodeQuery({ name: 'web.batch.test', id: 8 }));
    expect(decode(next!).packet.answers?.map((x) => (x as { data: unknown }).data)).toEqual(['10.1.0.1']);
  });
});

describe('UDP I/O with forwarding', () => {
  let t: TestServer;
  let upstream: dgram.Socket;
  beforeAll(async () => {
    // It answers 150 ms late, so that later batches reuse the receive buffer meanwhile.
    upstream = await echoUpstream(150);
    t = await seeded(['--upstream', `127.0.0.1:${upstream.address().port}`]);
  });
  afterAll(async () => {
    await t?.stop();
    upstream?.close();
  });

  it('answers a forwarded query with its own id and question after later queries were answered', async () => {
    const port = t.server.dnsAddress.port;
    const forwarded = udpRaw(port, encodeQuery({ name: 'elsewhere.example.org', id: 31337 }));
    await new Promise((r) => setTimeout(r, 20));
    const local = await burst(
      port,
      Array.from({ length: 200 }, (_, id) => encodeQuery({ name: 'web.batch.test', id })),
    );
    expect(local.size).toBe(200);
    const r = decode((await forwarded)!);
    expect(r.packet.id).toBe(31337);
    expect(r.packet.questions?.[0]?.name).toBe('elsewhere.example.org');
    expect(r.packet.rcode).toBe('NOERROR');
  });
});

describe('UDP I/O on a dual-stack socket (--dns-host ::)', () => {
  let t: TestServer;
  let upstream: dgram.Socket;
  beforeAll(async () => {
    upstream = await echoUpstream(0);
    t = await seeded(['--dns-host', '::', '--upstream', `127.0.0.1:${upstream.address().port}`]);
  });
  afterAll(async () => {
    await t?.stop();
    upstream?.close();
  });

  it('answers an IPv4 client from the zone and from the upstream (sent back to its mapped address)', async () => {
    expect(t.server.dnsAddress.host).toBe('::');
    const port = t.server.dnsAddress.port;
    const local = decode((await udpRaw(port, encodeQuery({ name: 'web.batch.test', id: 1 })))!);
    expect(local.packet.answers?.map((x) => (x as { data: unknown }).data)).toEqual(['10.1.0.1']);
    const forwarded = decode((await udpRaw(port, encodeQuery({ name: 'elsewhere.example.org', id: 2 })))!);
    expect([forwarded.packet.id, forwarded.packet.rcode, forwarded.packet.questions?.[0]?.name]).toEqual([
      2,
      'NOERROR',
      'elsewhere.example.org',
    ]);
  });
});
