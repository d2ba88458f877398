// What cairn answers for the spec's example zone (dns-behaviour.md §14 and §3-§8): each row is a
// query and the complete reply it must get, over real UDP (and TCP where the row says so).
import { promises as dns } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsConfigRecord } from '../../src/model/records.ts';
import { seedInstance, seedNamespace, seedService } from '../support/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { encodeQuery, lines, opt, tcp, tcpRaw, udp, udpRaw, decode, type Ask, type Reply } from './dns-client.ts';

let t: TestServer;
let port: number;

const SOA = 'kouzie.com. 15 SOA ns1.kouzie.com. hostmaster.kouzie.com. 1 7200 900 1209600 15';
const multi = (records: { type: 'A' | 'AAAA' | 'SRV' | 'CNAME'; ttl: number }[]) => ({
  routingPolicy: 'MULTIVALUE' as const,
  dnsRecords: records,
});
const weighted = (records: { type: 'A' | 'AAAA' | 'SRV' | 'CNAME'; ttl: number }[]) => ({
  routingPolicy: 'WEIGHTED' as const,
  dnsRecords: records,
});

beforeAll(async () => {
  t = await startTestServer();
  port = t.server.dnsAddress.port;
  const s = t.server;
  // Stored as given ("Kouzie.com"): DNS writes namespace and service names lower-cased.
  const ns = await seedNamespace(s, { name: 'Kouzie.com', type: 'DNS_PUBLIC', soaTtl: 15 });
  const svc = async (name: string, dnsConfig?: DnsConfigRecord) =>
    seedService(s, { name, namespaceId: ns.id, ...(dnsConfig ? { dnsConfig } : {}) });
  const backend = await svc('Backend', multi([{ type: 'A', ttl: 60 }]));
  await seedInstance(s, backend.id, 'backend-1', { AWS_INSTANCE_IPV4: '192.168.10.2', stage: 'beta' });
  const api = await svc('_api._tcp', multi([{ type: 'SRV', ttl: 30 }]));
  await seedInstance(s, api.id, 'api-1', { AWS_INSTANCE_IPV4: '192.168.10.3', AWS_INSTANCE_PORT: '8080' });
  const dual = await svc(
    'dual',
    multi([
      { type: 'A', ttl: 20 },
      { type: 'AAAA', ttl: 21 },
    ]),
  );
  await seedInstance(s, dual.id, 'd1', { AWS_INSTANCE_IPV4: '10.9.0.1', AWS_INSTANCE_IPV6: '2001:db8::1' });
  const www = await svc('www', weighted([{ type: 'CNAME', ttl: 300 }]));
  await seedInstance(s, www.id, 'w1', { AWS_INSTANCE_CNAME: 'a.example.net' });
  const edge = await svc('edge', weighted([{ type: 'CNAME', ttl: 5 }]));
  await seedInstance(s, edge.id, 'e1', { AWS_INSTANCE_CNAME: 'backend.kouzie.com' });
  const loop1 = await svc('loop1', weighted([{ type: 'CNAME', ttl: 5 }]));
  await seedInstance(s, loop1.id, 'l1', { AWS_INSTANCE_CNAME: 'loop2.kouzie.com' });
  const loop2 = await svc('loop2', weighted([{ type: 'CNAME', ttl: 5 }]));
  await seedInstance(s, loop2.id, 'l2', { AWS_INSTANCE_CNAME: 'loop1.kouzie.com' });
  const dangling = await svc('dangling', weighted([{ type: 'CNAME', ttl: 5 }]));
  await seedInstance(s, dangling.id, 'x', { AWS_INSTANCE_CNAME: 'gone.kouzie.com' });
  await svc('empty', multi([{ type: 'A', ttl: 5 }]));
  const apiOnly = await svc('apionly');
  await seedInstance(s, apiOnly.id, 'i1', { AWS_INSTANCE_IPV4: '10.0.0.9' });
  const apex = await svc('.', multi([{ type: 'A', ttl: 7 }]));
  await seedInstance(s, apex.id, 'root-1', { AWS_INSTANCE_IPV4: '10.7.7.7' });
  const http = await seedNamespace(s, { name: 'http.example', type: 'HTTP' });
  const httpSvc = await seedService(s, { name: 'web', namespaceId: http.id });
  await seedInstance(s, httpSvc.id, 'h1', { AWS_INSTANCE_IPV4: '10.0.0.8' });
});
afterAll(async () => {
  await t?.stop();
});

interface Row {
  q: Ask;
  via?: 'udp' | 'tcp';
  rcode: string;
  aa: boolean;
  rd?: boolean;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  /** OPT expected in the reply (default: when the query had EDNS). */
  opt?: boolean;
}

const rows: [string, Row][] = [
  [
    '#1 the service name answers its A record with TTL 60 and aa',
    { q: { name: 'backend.kouzie.com' }, rcode: 'NOERROR', aa: true, answer: ['backend.kouzie.com. 60 A 192.168.10.2'] },
  ],
  [
    '#2 mixed case matches and the answer is owned by the query spelling',
    { q: { name: 'BaCkEnD.KOUZIE.com' }, rcode: 'NOERROR', aa: true, answer: ['BaCkEnD.KOUZIE.com. 60 A 192.168.10.2'] },
  ],
  [
    '#3 a type the name lacks is NODATA with the SOA',
    { q: { name: 'backend.kouzie.com', type: 'AAAA' }, rcode: 'NOERROR', aa: true, authority: [SOA] },
  ],
  [
    '#4 SRV on an A-only service is NODATA',
    { q: { name: 'backend.kouzie.com', type: 'SRV' }, rcode: 'NOERROR', aa: true, authority: [SOA] },
  ],
  [
    '#5 an unknown service name is NXDOMAIN with the SOA',
    { q: { name: 'frontend.kouzie.com' }, rcode: 'NXDOMAIN', aa: true, authority: [SOA] },
  ],
  ['#6 no instance host names without SRV', { q: { name: 'backend-1.backend.kouzie.com' }, rcode: 'NXDOMAIN', aa: true, authority: [SOA] }],
  ['#7 a name below a service is NXDOMAIN', { q: { name: 'x.backend.kouzie.com' }, rcode: 'NXDOMAIN', aa: true, authority: [SOA] }],
  ['#8 the apex answers its SOA', { q: { name: 'kouzie.com', type: 'SOA' }, rcode: 'NOERROR', aa: true, answer: [SOA] }],
  [
    '#9 the apex answers NS with the NS TTL',
    { q: { name: 'kouzie.com', type: 'NS' }, rcode: 'NOERROR', aa: true, answer: ['kouzie.com. 172800 NS ns1.kouzie.com.'] },
  ],
  [
    '#10 the apex answers A from a service named "."',
    { q: { name: 'kouzie.com' }, rcode: 'NOERROR', aa: true, answer: ['kouzie.com. 7 A 10.7.7.7'] },
  ],
  [
    '#10b the apex without AAAA records is NODATA',
    { q: { name: 'kouzie.com', type: 'AAAA' }, rcode: 'NOERROR', aa: true, authority: [SOA] },
  ],
  [
    '#11 RD=0 is answered the same, without rd',
    {
      q: { name: 'backend.kouzie.com', flags: 0 },
      rcode: 'NOERROR',
      aa: true,
      rd: false,
      answer: ['backend.kouzie.com. 60 A 192.168.10.2'],
    },
  ],
  [
    '#12 a query without EDNS gets no OPT',
    {
      q: { name: 'backend.kouzie.com', edns: false },
      rcode: 'NOERROR',
      aa: true,
      answer: ['backend.kouzie.com. 60 A 192.168.10.2'],
      opt: false,
    },
  ],
  [
    '#13 TCP gives the same answer',
    { q: { name: 'backend.kouzie.com' }, via: 'tcp', rcode: 'NOERROR', aa: true, answer: ['backend.kouzie.com. 60 A 192.168.10.2'] },
  ],
  ['#15 a name outside every namespace is REFUSED without aa', { q: { name: 'example.org' }, rcode: 'REFUSED', aa: false }],
  ['#17 class CH is REFUSED', { q: { name: 'backend.kouzie.com', qclass: 3 }, rcode: 'REFUSED', aa: false }],
  ['#18 AXFR is REFUSED', { q: { name: 'kouzie.com', type: 'AXFR', edns: false }, via: 'tcp', rcode: 'REFUSED', aa: false, opt: false }],
  [
    'SRV answers with the target addresses in the additional section',
    {
      q: { name: '_api._tcp.kouzie.com', type: 'SRV' },
      rcode: 'NOERROR',
      aa: true,
      answer: ['_api._tcp.kouzie.com. 30 SRV 1 1 8080 api-1._api._tcp.kouzie.com.'],
      additional: ['api-1._api._tcp.kouzie.com. 30 A 192.168.10.3'],
    },
  ],
  [
    'an SRV target host name answers its A record with the SRV TTL',
    { q: { name: 'api-1._api._tcp.kouzie.com' }, rcode: 'NOERROR', aa: true, answer: ['api-1._api._tcp.kouzie.com. 30 A 192.168.10.3'] },
  ],
  [
    'an SRV target host name without IPv6 is NODATA for AAAA',
    { q: { name: 'api-1._api._tcp.kouzie.com', type: 'AAAA' }, rcode: 'NOERROR', aa: true, authority: [SOA] },
  ],
  ['an empty non-terminal is NODATA', { q: { name: '_tcp.kouzie.com' }, rcode: 'NOERROR', aa: true, authority: [SOA] }],
  [
    'AAAA answers the 16 bytes of a :: address',
    { q: { name: 'dual.kouzie.com', type: 'AAAA' }, rcode: 'NOERROR', aa: true, answer: ['dual.kouzie.com. 21 AAAA 2001:db8::1'] },
  ],
  [
    'ANY answers every record set at the name',
    {
      q: { name: 'dual.kouzie.com', type: 'ANY' },
      rcode: 'NOERROR',
      aa: true,
      answer: ['dual.kouzie.com. 20 A 10.9.0.1', 'dual.kouzie.com. 21 AAAA 2001:db8::1'],
    },
  ],
  [
    'a CNAME out of every zone ends the chain with NOERROR',
    { q: { name: 'www.kouzie.com' }, rcode: 'NOERROR', aa: true, answer: ['www.kouzie.com. 300 CNAME a.example.net.'] },
  ],
  [
    'a CNAME query gets the CNAME itself',
    { q: { name: 'www.kouzie.com', type: 'CNAME' }, rcode: 'NOERROR', aa: true, answer: ['www.kouzie.com. 300 CNAME a.example.net.'] },
  ],
  [
    'a CNAME into the zone is followed',
    {
      q: { name: 'edge.kouzie.com' },
      rcode: 'NOERROR',
      aa: true,
      answer: ['edge.kouzie.com. 5 CNAME backend.kouzie.com.', 'backend.kouzie.com. 60 A 192.168.10.2'],
    },
  ],
  [
    'a CNAME chain to a missing name ends NXDOMAIN with the SOA',
    {
      q: { name: 'dangling.kouzie.com' },
      rcode: 'NXDOMAIN',
      aa: true,
      answer: ['dangling.kouzie.com. 5 CNAME gone.kouzie.com.'],
      authority: [SOA],
    },
  ],
  [
    'a CNAME chain to a name without the type ends NODATA',
    {
      q: { name: 'edge.kouzie.com', type: 'AAAA' },
      rcode: 'NOERROR',
      aa: true,
      answer: ['edge.kouzie.com. 5 CNAME backend.kouzie.com.'],
      authority: [SOA],
    },
  ],
  [
    'a CNAME loop stops when a name repeats',
    {
      q: { name: 'loop1.kouzie.com' },
      rcode: 'NOERROR',
      aa: true,
      answer: ['loop1.kouzie.com. 5 CNAME loop2.kouzie.com.', 'loop2.kouzie.com. 5 CNAME loop1.kouzie.com.'],
    },
  ],
  ['a service without instances has no name', { q: { name: 'empty.kouzie.com' }, rcode: 'NXDOMAIN', aa: true, authority: [SOA] }],
  ['a service without DnsConfig has no name', { q: { name: 'apionly.kouzie.com' }, rcode: 'NXDOMAIN', aa: true, authority: [SOA] }],
  ['an HTTP namespace is not in DNS', { q: { name: 'web.http.example' }, rcode: 'REFUSED', aa: false }],
];

async function ask(row: Row): Promise<Reply> {
  return row.via === 'tcp' ? tcp(port, row.q) : udp(port, row.q);
}

describe('answers (spec §14)', () => {
  it.each(rows)('%s', async (_name, row) => {
    const reply = await ask(row);
    const p = reply.packet;
    expect(p.rcode).toBe(row.rcode);
    expect(p.flag_qr).toBe(true);
    expect(p.flag_aa).toBe(row.aa);
    expect(p.flag_rd).toBe(row.rd ?? true);
    expect(p.flag_ra).toBe(false);
    expect(p.flag_tc).toBe(false);
    expect(p.flag_ad).toBe(false);
    expect(p.id).toBe(decode(reply.raw).packet.id);
    expect(lines(p.answers)).toEqual(row.answer ?? []);
    expect(lines(p.authorities)).toEqual(row.authority ?? []);
    expect(lines(p.additionals)).toEqual(row.additional ?? []);
    const o = opt(reply);
    if (row.opt ?? row.q.edns !== false) {
      expect(o).toMatchObject({ udpPayloadSize: 1232, ednsVersion: 0, extendedRcode: 0 });
    } else {
      expect(o).toBeUndefined();
    }
  });

  it('echoes the question byte for byte, whatever its case', async () => {
    const query = encodeQuery({ name: 'bAcKeNd.KoUzIe.CoM', id: 4242 });
    for (const raw of [await udpRaw(port, query), (await tcpRaw(port, [query]))[0]!]) {
      expect(raw).not.toBeNull();
      const qlen = query.indexOf(0, 12) + 5 - 12;
      expect(raw!.subarray(12, 12 + qlen)).toEqual(query.subarray(12, 12 + qlen));
      expect(raw!.readUInt16BE(0)).toBe(4242);
    }
  });

  it('copies the CD bit and never sets AD', async () => {
    const reply = await udp(port, { name: 'backend.kouzie.com', flags: 0x0100 | 0x0010 | 0x0020 });
    expect(reply.packet.flag_cd).toBe(true);
    expect(reply.packet.flag_ad).toBe(false);
  });

  it('copies the DO bit into the OPT', async () => {
    expect(opt(await udp(port, { name: 'backend.kouzie.com', edns: { do: true } }))?.flag_do).toBe(true);
    expect(opt(await udp(port, { name: 'backend.kouzie.com', edns: { do: false } }))?.flag_do).toBe(false);
  });
});

describe('answers to a stub resolver (node:dns)', () => {
  const resolver = (): dns.Resolver => {
    const r = new dns.Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    return r;
  };

  it('resolves A with its TTL, SRV and AAAA', async () => {
    const r = resolver();
    expect(await r.resolve4('backend.kouzie.com', { ttl: true })).toEqual([{ address: '192.168.10.2', ttl: 60 }]);
    expect(await r.resolveSrv('_api._tcp.kouzie.com')).toMatchObject([
      { name: 'api-1._api._tcp.kouzie.com', port: 8080, priority: 1, weight: 1 },
    ]);
    expect(await r.resolve6('dual.kouzie.com')).toEqual(['2001:db8::1']);
    expect(await r.resolveCname('www.kouzie.com')).toEqual(['a.example.net']);
  });

  it.each([
    ['NXDOMAIN', 'frontend.kouzie.com', 'ENOTFOUND'],
    ['NODATA', '_tcp.kouzie.com', 'ENODATA'],
    ['REFUSED', 'example.org', 'EREFUSED'],
  ])('reports %s as %s', async (_rcode, name, code) => {
    await expect(resolver().resolve4(name)).rejects.toMatchObject({ code });
  });
});
