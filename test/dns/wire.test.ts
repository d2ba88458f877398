// The wire layer against an independent decoder (dns-packet): prepared records encode what they
// claim, the query reader finds question and OPT, and the zone index keeps names exactly while they
// own records.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.ts';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { emptyTables, type Mutation } from '../../src/model/changes.ts';
import { readQuery } from '../../src/dns/serve/query.ts';
import { writeOpt } from '../../src/dns/serve/edns.ts';
import { POLICY, RrSetBuilder, targetOffset, Zones, type RrSet } from '../../src/dns/index/index.ts';
import { writeNs, writeSoa } from '../../src/dns/index/apex.ts';
import { RECORD_TYPES, writeAddress, type RecordCodec } from '../../src/dns/index/types/index.ts';
import { pino } from 'pino';
import { encodeName, framed, ipv4Bytes, ipv6Bytes, keyOf, labelsOf, nameOfKey, Out, TailWriter, TYPE } from '../../src/dns/wire/index.ts';
import { encodeQuery } from './dns-client.ts';

/** One record set of one record, written with `write`. */
function set(type: number, write: (w: TailWriter) => void): RrSet {
  const b = new RrSetBuilder(type);
  write(b.w);
  b.add(true);
  return b.build(POLICY.ALL, 'test')!;
}

/** One record set of the record an instance `i-1` of service `svc.example.com` puts in a set of `codec`'s type. */
function encoded(codec: RecordCodec, ttl: number, attributes: Record<string, string>): RrSet {
  const b = new RrSetBuilder(codec.code);
  const inst: InstanceRecord = { serviceId: 's', id: 'i-1', attributes, createDate: 1, seq: 1 };
  expect(codec.encode(inst, ttl, labelsOf('svc.example.com'), b)).toBeDefined();
  b.add(true);
  return b.build(POLICY.ALL, 'test')!;
}

/** A response with the question `name` and the records of `sets` owned by it (pointer to offset 12). */
function build(name: string, sets: RrSet[]): Buffer {
  const out = new Out();
  out.begin();
  out.reserve(12);
  out.bytes(encodeName(labelsOf(name)));
  out.u16(1);
  out.u16(1);
  const extras: { at: number; s: RrSet }[] = [];
  for (const s of sets) {
    const at = out.record(12, s.blob, s.starts[0]!, s.starts[1]!);
    if (s.extras) extras.push({ at: at + targetOffset(s.type), s });
  }
  let ar = 0;
  for (const e of extras) {
    for (let p = e.s.extras![0]!; p < e.s.extras![1]!; ar++) {
      const end = p + 10 + e.s.blob.readUInt16BE(p + 8);
      out.record(e.at, e.s.blob, p, end);
      p = end;
    }
  }
  writeOpt(out, 1232, 16, true);
  // Every header field, as the server's reply writer does: the slab is not zeroed.
  out.setU16(0, 0x1234);
  out.setU16(2, 0x8400);
  out.setU16(4, 1);
  out.setU16(6, sets.length);
  out.setU16(8, 0);
  out.setU16(10, ar + 1);
  return out.take();
}

describe('prepared records', () => {
  it('decode with dns-packet to what was encoded', () => {
    const v4 = '192.0.2.1';
    const v6 = '2001:db8::ff00:42:8329';
    const msg = build('Svc.Example.com', [
      encoded(RECORD_TYPES.A, 60, { AWS_INSTANCE_IPV4: v4 }),
      encoded(RECORD_TYPES.AAAA, 61, { AWS_INSTANCE_IPV6: v6 }),
      encoded(RECORD_TYPES.SRV, 30, { AWS_INSTANCE_PORT: '8080', AWS_INSTANCE_IPV4: v4, AWS_INSTANCE_IPV6: v6 }),
      encoded(RECORD_TYPES.CNAME, 300, { AWS_INSTANCE_CNAME: 'target.example.net' }),
      set(TYPE.NS, (w) => writeNs(w, 172800, labelsOf('ns1.example.com'))),
      set(TYPE.SOA, (w) =>
        writeSoa(w, 15, {
          mname: labelsOf('ns1.example.com'),
          rname: labelsOf('hostmaster.example.com'),
          serial: 1,
          refresh: 7200,
          retry: 900,
          expire: 1209600,
          minimum: 15,
        }),
      ),
    ]);
    const p = dnsPacket.decode(msg);
    expect(p.flag_aa).toBe(true);
    expect(p.questions).toEqual([{ name: 'Svc.Example.com', type: 'A', class: 'IN' }]);
    expect(p.answers!.map((a) => [a.name, a.type, (a as { ttl: number }).ttl, (a as { data: unknown }).data])).toEqual([
      ['Svc.Example.com', 'A', 60, '192.0.2.1'],
      ['Svc.Example.com', 'AAAA', 61, '2001:db8::ff00:42:8329'],
      ['Svc.Example.com', 'SRV', 30, { priority: 1, weight: 1, port: 8080, target: 'i-1.svc.example.com' }],
      ['Svc.Example.com', 'CNAME', 300, 'target.example.net'],
      ['Svc.Example.com', 'NS', 172800, 'ns1.example.com'],
      [
        'Svc.Example.com',
        'SOA',
        15,
        { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 15 },
      ],
    ]);
    // Additional records are owned by the SRV target through a pointer into the SRV RDATA.
    expect(p.additionals!.map((a) => [a.name, a.type, (a as { data?: unknown }).data])).toEqual([
      ['i-1.svc.example.com', 'A', '192.0.2.1'],
      ['i-1.svc.example.com', 'AAAA', '2001:db8::ff00:42:8329'],
      ['.', 'OPT', undefined],
    ]);
    expect(p.additionals![2]).toMatchObject({ udpPayloadSize: 1232, extendedRcode: 1, ednsVersion: 0, flag_do: true });
  });

  it('hands out each message with its TCP length prefix in front, never overwritten by the next', () => {
    const first = build('a.example', [set(TYPE.A, (w) => writeAddress(w, 1, ipv4Bytes('10.0.0.1')!))]);
    const copy = Buffer.from(first);
    const second = build('b.example', [set(TYPE.A, (w) => writeAddress(w, 1, ipv4Bytes('10.0.0.2')!))]);
    expect(first).toEqual(copy);
    expect(framed(second).readUInt16BE(0)).toBe(second.length);
    expect(framed(second).subarray(2)).toEqual(second);
  });

  it('merges identical records and keeps the healthy ones as the pool', () => {
    const b = new RrSetBuilder(TYPE.A);
    for (const [addr, healthy] of [
      ['10.0.0.1', false],
      ['10.0.0.2', false],
      ['10.0.0.1', true],
    ] as const) {
      writeAddress(b.w, 5, ipv4Bytes(addr)!);
      b.add(healthy);
    }
    const s = b.build(POLICY.MULTI, 'x')!;
    expect(s.size).toBe(2);
    const picked = new Uint32Array(8);
    expect(s.pick(picked, Math.random)).toBe(1);
    expect(s.blob.subarray(s.starts[picked[0]!]! + 10, s.starts[picked[0]! + 1])).toEqual(ipv4Bytes('10.0.0.1'));
  });

  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['FD00::A', 'fd00000000000000000000000000000a'],
    ['2001:db8::ff00:42:8329', '20010db8000000000000ff0000428329'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
  ])('encodes the IPv6 address %s in 16 bytes', (text, hex) => {
    expect(ipv6Bytes(text)?.toString('hex')).toBe(hex);
  });

  it('rejects what is not an address', () => {
    for (const bad of [':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::', '1.2.3.4', '', ':1', '1:', '::1.2.3'])
      expect(ipv6Bytes(bad)).toBeUndefined();
    for (const bad of ['10.0.0', '10.0.0.256', 'x', '']) expect(ipv4Bytes(bad)).toBeUndefined();
  });

  it('keys names case-insensitively by wire labels, so a dot inside a label stays one label', () => {
    expect(keyOf(['Backend', 'KOUZIE', 'com'])).toBe(keyOf(['backend', 'kouzie', 'com']));
    expect(keyOf(['a.b', 'com'])).not.toBe(keyOf(['a', 'b', 'com']));
    expect(nameOfKey(keyOf(['x', 'kouzie', 'com']))).toBe('x.kouzie.com.');
  });
});

describe('readQuery', () => {
  it('reads id, flags, the question and the OPT fields', () => {
    const q = readQuery(
      encodeQuery({ name: 'BaCkEnD.kouzie.com', type: 'SRV', id: 513, flags: 0x0110, edns: { payload: 4096, do: true } }),
    )!;
    expect(q).toMatchObject({
      id: 513,
      opcode: 0,
      qdcount: 1,
      parsed: true,
      qtype: 33,
      qclass: 1,
      optCount: 1,
      optPayload: 4096,
      optVersion: 0,
      optDo: true,
      optBadOwner: false,
    });
    expect(q.key).toBe(keyOf(['backend', 'kouzie', 'com']));
    expect(q.questionEnd).toBe(12 + 20 + 4);
  });

  it('returns null for responses and short datagrams, and parsed=false for a broken body', () => {
    const response = encodeQuery({ name: 'a.b' });
    response[2]! |= 0x80;
    expect(readQuery(response)).toBeNull();
    expect(readQuery(Buffer.alloc(11))).toBeNull();
    expect(readQuery(encodeQuery({ name: 'a.b' }).subarray(0, 20))).toMatchObject({ parsed: false });
  });
});

describe('zone index', () => {
  const ns: NamespaceRecord = { id: 'ns-1', name: 'Kouzie.com', type: 'DNS_PUBLIC', httpName: 'kouzie.com', createDate: 1, soaTtl: 15 };
  const svc: ServiceRecord = {
    id: 'srv-1',
    name: '_api._tcp',
    namespaceId: 'ns-1',
    type: 'DNS_HTTP',
    createDate: 1,
    attributes: {},
    instancesRevision: 0,
    dnsConfig: { routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'SRV', ttl: 30 }] },
  };
  const inst = (id: string): InstanceRecord => ({
    serviceId: 'srv-1',
    id,
    attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' },
    createDate: 1,
    seq: 1,
  });

  it('creates names with their empty non-terminals and removes them with the last record', () => {
    const catalog = new Catalog();
    const zones = new Zones(
      { defaultSoaTtl: 15, nsNames: undefined, nsAddresses: [], soaRname: undefined, nsTtl: 172800 },
      pino({ level: 'silent' }),
      () => true,
    );
    catalog.subscribe(zones);
    catalog.reset({ revision: 0, tables: emptyTables() });
    let rev = 0;
    const apply = (...mutations: Mutation[]) => catalog.apply({ revision: ++rev, mutations });
    apply({ table: 'namespaces', key: 'ns-1', value: ns }, { table: 'services', key: 'srv-1', value: svc });
    const names = () => [...zones.zone('ns-1')!.names.keys()].map(nameOfKey).sort();
    expect(names()).toEqual(['kouzie.com.']);
    apply({ table: 'instances', key: 'srv-1/a.1', value: inst('a.1') });
    expect(names()).toEqual([
      '1._api._tcp.kouzie.com.',
      '_api._tcp.kouzie.com.',
      '_tcp.kouzie.com.',
      'a.1._api._tcp.kouzie.com.',
      'kouzie.com.',
    ]);
    apply({ table: 'instances', key: 'srv-1/b', value: inst('b') });
    apply({ table: 'instances', key: 'srv-1/a.1', value: null });
    expect(names()).toEqual(['_api._tcp.kouzie.com.', '_tcp.kouzie.com.', 'b._api._tcp.kouzie.com.', 'kouzie.com.']);
    apply({ table: 'instances', key: 'srv-1/b', value: null });
    expect(names()).toEqual(['kouzie.com.']);
    apply({ table: 'services', key: 'srv-1', value: null }, { table: 'namespaces', key: 'ns-1', value: null });
    expect(zones.size).toBe(0);
  });
});
