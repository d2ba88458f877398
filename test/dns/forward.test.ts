// Forwarding (spec §9) against small upstream servers started here: who may recurse, what is sent
// upstream, how the reply is relayed (names decompressed, OPT replaced), TCP retry on TC, fallback to
// the next upstream, SERVFAIL when all fail, and what is never forwarded.
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { lines, opt, udp } from './dns-client.ts';
import { reply, upstream, type Behaviour, type Upstream } from './upstream.ts';

const questionEnd = (q: Buffer): number => {
  let p = 12;
  while (q[p] !== 0) p += q[p]! + 1;
  return p + 5;
};

/** A reply built by hand, with compression pointers as real servers send them. */
function compressedReply(query: Buffer): Buffer {
  const qEnd = questionEnd(query);
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // QR RD RA, NOERROR
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(2, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(1, 10);
  const cnameAt = 12 + (qEnd - 12) + 12; // rdata of the first record
  const cname = Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 30, 0, 6]), Buffer.from([3, 0x77, 0x77, 0x77, 0xc0, 0x0c])]);
  const a = Buffer.from([0xc0 | (cnameAt >> 8), cnameAt & 0xff, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 7]);
  const upstreamOpt = Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, query.subarray(12, qEnd), cname, a, upstreamOpt]);
}

const behaviour: Behaviour = (query, transport) => {
  const name = dnsPacket.decode(query).questions![0]!.name.toLowerCase();
  if (name === 'example.org') return compressedReply(query);
  if (name === 'nx.example')
    return reply(query, 3, {
      authorities: [
        {
          name: 'example',
          type: 'SOA',
          ttl: 60,
          data: { mname: 'a.example', rname: 'h.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 },
        },
      ],
    });
  if (name === 'big.example') {
    return transport === 'udp'
      ? reply(query, 0, {}, true)
      : reply(query, 0, {
          answers: Array.from({ length: 40 }, (_, i) => ({ name: 'big.example', type: 'A' as const, ttl: 5, data: `198.51.100.${i}` })),
        });
  }
  if (name === 'elb.example.net') {
    const type = dnsPacket.decode(query).questions![0]!.type;
    return reply(query, 0, {
      answers:
        type !== 'A'
          ? []
          : [
              { name: 'elb.example.net', type: 'A', ttl: 30, data: '198.51.100.10' },
              { name: 'elb.example.net', type: 'A', ttl: 30, data: '198.51.100.11' },
            ],
    });
  }
  return null; // silence: the forwarder must time out
};

let up: Upstream;
let silent: Upstream;
let t: TestServer;
let fallback: TestServer;
let port: number;

beforeAll(async () => {
  up = await upstream(behaviour);
  silent = await upstream(() => null);
  t = await startTestServer({
    flags: [
      '--upstream',
      `127.0.0.1:${up.port}`,
      '--upstream-timeout',
      '300ms',
      '--recursion-cidr',
      '127.0.0.1/32',
      '--vpc',
      'vpc-1=127.0.0.1/32',
    ],
  });
  port = t.server.dnsAddress.port;
  const ns = await seedNamespace(t.server, { name: 'kouzie.com', type: 'DNS_PUBLIC' });
  const svc = await seedService(t.server, {
    name: 'backend',
    namespaceId: ns.id,
    dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 60 }] },
  });
  await seedInstance(t.server, svc.id, 'backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2' });
  await seedNamespace(t.server, { name: 'secret.internal', type: 'DNS_PRIVATE', vpc: 'vpc-other' });
  const alias = (name: string) =>
    seedService(t.server, {
      name,
      namespaceId: ns.id,
      dnsConfig: {
        routingPolicy: 'WEIGHTED',
        dnsRecords: [
          { type: 'A', ttl: 60 },
          { type: 'AAAA', ttl: 60 },
        ],
      },
    });
  await seedInstance(t.server, (await alias('lb')).id, 'elb', { AWS_ALIAS_DNS_NAME: 'elb.example.net' });
  await seedInstance(t.server, (await alias('lb-broken')).id, 'elb', { AWS_ALIAS_DNS_NAME: 'silent.example.net' });
  fallback = await startTestServer({
    flags: ['--upstream', `127.0.0.1:${silent.port}`, '--upstream', `127.0.0.1:${up.port}`, '--upstream-timeout', '200ms'],
  });
});
afterAll(async () => {
  await t?.stop();
  await fallback?.stop();
  await up?.close();
  await silent?.close();
});

describe('forwarding', () => {
  it('relays the upstream answer with RA, without AA, names decompressed and with its own OPT (#16)', async () => {
    const r = await udp(port, { name: 'Example.ORG', id: 4321, edns: { do: true } });
    expect(r.packet.id).toBe(4321);
    expect(r.packet.rcode).toBe('NOERROR');
    expect(r.packet.flag_ra).toBe(true);
    expect(r.packet.flag_aa).toBe(false);
    expect(r.packet.questions![0]!.name).toBe('Example.ORG');
    expect(lines(r.packet.answers)).toEqual(['Example.ORG. 30 CNAME www.Example.ORG.', 'www.Example.ORG. 30 A 192.0.2.7']);
    expect(r.packet.additionals).toHaveLength(1);
    expect(opt(r)).toMatchObject({ udpPayloadSize: 1232, flag_do: true });
  });

  it('asks the upstream the same question with RD, its own OPT and the client DO bit', async () => {
    up.seen.length = 0;
    await udp(port, { name: 'Example.ORG', id: 999, flags: 0x0100 | 0x0010, edns: { payload: 4000, do: true } });
    const sent = dnsPacket.decode(up.seen[0]!.raw);
    expect(sent.questions).toEqual([{ name: 'Example.ORG', type: 'A', class: 'IN' }]);
    expect(sent.flag_rd).toBe(true);
    expect(sent.flag_cd).toBe(true);
    expect(sent.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 1232, flag_do: true }]);
  });

  it('relays an upstream NXDOMAIN with its authority section', async () => {
    const r = await udp(port, { name: 'nx.example' });
    expect(r.packet.rcode).toBe('NXDOMAIN');
    expect(r.packet.flag_aa).toBe(false);
    expect(lines(r.packet.authorities)).toEqual(['example. 60 SOA a.example. h.example. 1 1 1 1 60']);
  });

  it('repeats a truncated upstream reply over TCP, and truncates for its own client', async () => {
    up.seen.length = 0;
    const small = await udp(port, { name: 'big.example', edns: false });
    expect(up.seen.map((s) => s.transport)).toEqual(['udp', 'tcp']);
    expect(small.packet.flag_tc).toBe(true);
    expect(small.packet.answers).toEqual([]);
    const large = await udp(port, { name: 'big.example', edns: { payload: 1232 } });
    expect(large.packet.flag_tc).toBe(false);
    expect(large.packet.answers).toHaveLength(40);
  });

  it('answers SERVFAIL with RA when every upstream fails', async () => {
    const r = await udp(port, { name: 'silent.example' });
    expect(r.packet.rcode).toBe('SERVFAIL');
    expect(r.packet.flag_ra).toBe(true);
  });

  it('answers SERVFAIL at once beyond --upstream-max-inflight questions waiting for upstreams, and forwards again once they end', async () => {
    const capped = await startTestServer({
      flags: ['--upstream', `127.0.0.1:${silent.port}`, '--upstream-timeout', '1s', '--upstream-max-inflight', '3'],
    });
    try {
      const p = capped.server.dnsAddress.port;
      silent.seen.length = 0;
      const started = performance.now();
      const asked = Array.from({ length: 8 }, (_, i) =>
        udp(p, { name: `q${i}.silent.example` }).then((r) => ({ rcode: r.packet.rcode, ms: performance.now() - started })),
      );
      const answers = await Promise.all(asked);
      const fast = answers.filter((a) => a.ms < 500);
      // Three waited the whole timeout for the silent upstream; the other five were refused at once.
      expect(answers.every((a) => a.rcode === 'SERVFAIL')).toBe(true);
      expect(fast).toHaveLength(5);
      expect(silent.seen).toHaveLength(3);
      // The slots are free again: the next question goes upstream.
      await udp(p, { name: 'again.silent.example' });
      expect(silent.seen).toHaveLength(4);
    } finally {
      await capped.stop();
    }
  });

  it('moves to the next upstream after --upstream-timeout', async () => {
    silent.seen.length = 0;
    const r = await udp(fallback.server.dnsAddress.port, { name: 'example.org' });
    expect(r.packet.rcode).toBe('NOERROR');
    expect(lines(r.packet.answers)).toHaveLength(2);
    expect(silent.seen).toHaveLength(1);
  });

  it.each([
    ['a client outside --recursion-cidr', { name: 'example.org' }, '127.0.0.2', false],
    ['a query without RD', { name: 'example.org', flags: 0 }, '127.0.0.1', true],
  ])('refuses %s', async (_name, ask, from, ra) => {
    up.seen.length = 0;
    const r = await udp(port, ask, { from });
    expect(r.packet.rcode).toBe('REFUSED');
    expect(r.packet.flag_ra).toBe(ra);
    expect(up.seen).toHaveLength(0);
  });

  it.each([
    ['a missing name under a namespace (NXDOMAIN)', 'nothere.kouzie.com', 'NXDOMAIN'],
    ['a name under a private namespace the client cannot see (REFUSED)', 'db.secret.internal', 'REFUSED'],
  ])('never forwards %s', async (_name, name, rcode) => {
    up.seen.length = 0;
    const r = await udp(port, { name });
    expect(r.packet.rcode).toBe(rcode);
    expect(up.seen).toHaveLength(0);
  });

  it('answers an alias instance with the addresses the upstream gives for its target, then from the cache', async () => {
    up.seen.length = 0;
    for (let i = 0; i < 3; i++) {
      const r = await udp(port, { name: 'LB.kouzie.com' });
      expect(r.packet).toMatchObject({ rcode: 'NOERROR', flag_aa: true });
      expect((r.packet.answers ?? []).map((a) => [a.name, a.type, (a as { data: string }).data]).sort()).toEqual([
        ['LB.kouzie.com', 'A', '198.51.100.10'],
        ['LB.kouzie.com', 'A', '198.51.100.11'],
      ]);
      for (const a of r.packet.answers ?? []) expect((a as { ttl: number }).ttl).toBeLessThanOrEqual(30);
    }
    expect(up.seen).toHaveLength(1);
    // No AAAA at the target: NODATA.
    const v6 = await udp(port, { name: 'lb.kouzie.com', type: 'AAAA' });
    expect(v6.packet.rcode).toBe('NOERROR');
    expect(v6.packet.answers).toEqual([]);
    expect(v6.packet.authorities).toHaveLength(1);
  });

  it('answers an alias whose target cannot be resolved with no records', async () => {
    const r = await udp(port, { name: 'lb-broken.kouzie.com' });
    expect(r.packet).toMatchObject({ rcode: 'NOERROR', flag_aa: true });
    expect(r.packet.answers).toEqual([]);
  });

  it('sets RA on authoritative answers to clients that may recurse, and only to them', async () => {
    expect((await udp(port, { name: 'backend.kouzie.com' })).packet).toMatchObject({ flag_aa: true, flag_ra: true });
    expect((await udp(port, { name: 'backend.kouzie.com' }, { from: '127.0.0.2' })).packet).toMatchObject({
      flag_aa: true,
      flag_ra: false,
    });
  });
});
