// The DNS metrics as GET /metrics shows them after real queries over UDP (both UDP paths) and TCP: each
// answer counted once under its transport, QTYPE and RCODE mnemonics, timed in the histogram, forwarded
// questions by result, and the TCP connections open.
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { moved, scrape } from '../support/prometheus.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { encodeQuery, tcpRaw, udp, udpRaw } from './dns-client.ts';
import { reply, upstream, type Behaviour, type Upstream } from './upstream.ts';

/** Answers names starting with `ok.` (NOERROR, one A record) and ignores the rest. */
const okOnly: Behaviour = (query) => {
  const name = dnsPacket.decode(query).questions![0]!.name;
  return name.startsWith('ok.') ? reply(query, 0, { answers: [{ name, type: 'A', ttl: 30, data: '192.0.2.1' }] }) : null;
};

/** A message of the header's counts and flags followed by `body` (id 7). */
const message = (h: { flags?: number; qd?: number }, body = Buffer.alloc(0)): Buffer => {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(7, 0);
  b.writeUInt16BE(h.flags ?? 0, 2);
  b.writeUInt16BE(h.qd ?? 0, 4);
  return Buffer.concat([b, body]);
};

describe.each(['batched', 'dgram'] as const)('DNS metrics (UDP through %s)', (udpIo) => {
  let t: TestServer;
  let port: number;
  let up: Upstream;
  const base = (): string => t.endpoint;

  beforeAll(async () => {
    up = await upstream(okOnly);
    t = await startTestServer({
      flags: ['--dns-udp-io', udpIo, '--upstream', `127.0.0.1:${up.port}`, '--upstream-timeout', '150ms', '--upstream-max-inflight', '1'],
    });
    port = t.server.dnsAddress.port;
    const ns = await seedNamespace(t.server, { name: 'm.example', type: 'DNS_PUBLIC' });
    const web = await seedService(t.server, {
      name: 'web',
      namespaceId: ns.id,
      dnsConfig: {
        routingPolicy: 'MULTIVALUE',
        dnsRecords: [
          { type: 'A', ttl: 5 },
          { type: 'AAAA', ttl: 5 },
          { type: 'SRV', ttl: 5 },
        ],
      },
    });
    await seedInstance(t.server, web.id, 'w1', {
      AWS_INSTANCE_IPV4: '10.0.0.1',
      AWS_INSTANCE_IPV6: '2001:db8::1',
      AWS_INSTANCE_PORT: '80',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await up?.close();
  });

  it('counts every answer once by transport, QTYPE and RCODE mnemonics, and times each in the histogram', async () => {
    const before = await scrape(base());
    const rcodeOf = async (a: Parameters<typeof udp>[1]) => (await udp(port, a)).packet.rcode;
    for (let i = 0; i < 3; i++) expect(await rcodeOf({ name: 'web.m.example', type: 'A' })).toBe('NOERROR');
    expect(await rcodeOf({ name: 'web.m.example', type: 'AAAA' })).toBe('NOERROR');
    expect(await rcodeOf({ name: 'web.m.example', type: 'SRV' })).toBe('NOERROR');
    expect(await rcodeOf({ name: 'nope.m.example', type: 'A' })).toBe('NXDOMAIN');
    expect(await rcodeOf({ name: 'web.m.example', type: 'MX' })).toBe('NOERROR');
    expect(await rcodeOf({ name: 'web.m.example', type: 'HINFO' })).toBe('NOERROR');
    expect(await rcodeOf({ name: 'web.m.example', type: 'A', qclass: 3 })).toBe('REFUSED');
    expect(await rcodeOf({ name: 'elsewhere.test', type: 'A', flags: 0 })).toBe('REFUSED');
    // BADVERS is extended (16): the header shows its lower bits, the OPT the rest.
    expect(await rcodeOf({ name: 'web.m.example', type: 'A', edns: { version: 1 } })).toBe('NOERROR');
    expect(await rcodeOf({ name: 'web.m.example', type: 'SOA', flags: 4 << 11 })).toBe('NOTIMP');
    expect(await udpRaw(port, message({ qd: 0 }))).not.toBeNull(); // FORMERR, no question: QTYPE unknown
    // Dropped without an answer: not counted.
    expect(await udpRaw(port, message({ flags: 0x8000, qd: 0 }), { timeoutMs: 200 })).toBeNull();
    const tcpReplies = await tcpRaw(port, [
      encodeQuery({ name: 'web.m.example', type: 'A' }),
      encodeQuery({ name: 'web.m.example', type: 'A' }),
      encodeQuery({ name: 'nope.m.example', type: 'SRV' }),
    ]);
    expect(tcpReplies).toHaveLength(3);
    const after = await scrape(base());

    const q = 'cairn_dns_queries_total';
    const expected: [string, string, string, number][] = [
      ['udp', 'A', 'NOERROR', 3],
      ['udp', 'AAAA', 'NOERROR', 1],
      ['udp', 'SRV', 'NOERROR', 1],
      ['udp', 'A', 'NXDOMAIN', 1],
      ['udp', 'MX', 'NOERROR', 1],
      ['udp', 'OTHER', 'NOERROR', 1],
      ['udp', 'A', 'REFUSED', 2],
      ['udp', 'A', 'BADVERS', 1],
      ['udp', 'SOA', 'NOTIMP', 1],
      ['udp', 'OTHER', 'FORMERR', 1],
      ['tcp', 'A', 'NOERROR', 2],
      ['tcp', 'SRV', 'NXDOMAIN', 1],
    ];
    for (const [transport, qtype, rcode, n] of expected)
      expect(moved(before, after, q, { transport, qtype, rcode }), `${transport} ${qtype} ${rcode}`).toBe(n);
    expect(after.sum(q) - before.sum(q)).toBe(16);
    expect(after.types.get(q)).toBe('counter');

    const h = 'cairn_dns_response_seconds';
    expect(after.types.get(h)).toBe('histogram');
    expect(moved(before, after, `${h}_count`)).toBe(16);
    expect(moved(before, after, `${h}_bucket`, { le: '+Inf' })).toBe(16);
    expect(moved(before, after, `${h}_sum`)).toBeGreaterThan(0);
    // Answered from memory on loopback: well within a second each, and the buckets are cumulative.
    expect(moved(before, after, `${h}_bucket`, { le: '1' })).toBe(16);
    const buckets = after.all(`${h}_bucket`).map((b) => b.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });

  it('counts forwarded questions as answered, unanswered (upstream silent) and overloaded (--upstream-max-inflight)', async () => {
    const before = await scrape(base());
    expect((await udp(port, { name: 'ok.fwd.test', type: 'A' })).packet.rcode).toBe('NOERROR');
    // One waits for the silent upstream until its timeout; the second finds the one slot taken.
    const [slow, refused] = await Promise.all([udp(port, { name: 'silent.fwd.test' }), udp(port, { name: 'silent2.fwd.test' })]);
    expect([slow.packet.rcode, refused.packet.rcode]).toEqual(['SERVFAIL', 'SERVFAIL']);
    const after = await scrape(base());
    const f = 'cairn_dns_forwarded_total';
    expect(moved(before, after, f, { result: 'answered' })).toBe(1);
    expect(moved(before, after, f, { result: 'unanswered' })).toBe(1);
    expect(moved(before, after, f, { result: 'overloaded' })).toBe(1);
    const q = 'cairn_dns_queries_total';
    expect(moved(before, after, q, { transport: 'udp', qtype: 'A', rcode: 'NOERROR' })).toBe(1);
    expect(moved(before, after, q, { transport: 'udp', qtype: 'A', rcode: 'SERVFAIL' })).toBe(2);
    // The one that waited for the upstream's timeout (150 ms) is timed from its own arrival: above 0.1 s, under 1 s.
    const h = 'cairn_dns_response_seconds';
    expect(moved(before, after, `${h}_count`)).toBe(3);
    expect(moved(before, after, `${h}_bucket`, { le: '1' }) - moved(before, after, `${h}_bucket`, { le: '0.1' })).toBe(1);
    expect(moved(before, after, `${h}_bucket`, { le: '+Inf' }) - moved(before, after, `${h}_bucket`, { le: '1' })).toBe(0);
    expect(moved(before, after, `${h}_sum`)).toBeGreaterThanOrEqual(0.15);
    expect(moved(before, after, `${h}_sum`)).toBeLessThan(1);
  });

  it('shows the DNS TCP connections open now', async () => {
    const gauge = async (): Promise<number | undefined> => (await scrape(base())).value('cairn_dns_tcp_connections');
    expect(await gauge()).toBe(0);
    const sockets = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
          }),
      ),
    );
    await eventually(async () => expect(await gauge()).toBe(2));
    for (const s of sockets) s.destroy();
    await eventually(async () => expect(await gauge()).toBe(0));
  });
});
