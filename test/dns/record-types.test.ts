// The record-type table, one row per case: what an instance's attributes put in a set of each DnsRecords
// type (the prepared bytes decoded by dns-packet, an alias target, or no record), how a set of each type
// treats several instances, and that every RecordType of Cloud Map's model has its entry.
import dnsPacket, { type Answer } from 'dns-packet';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/index.ts';
import { emptyTables, type Mutation } from '../../src/model/changes.ts';
import type { InstanceRecord, RecordType, RoutingPolicy, ServiceRecord } from '../../src/model/records.ts';
import { modelEnum } from '../../src/model/service-model.ts';
import { POLICY, RrSetBuilder, targetOffset, Zones } from '../../src/dns/index/index.ts';
import { RECORD_TYPES } from '../../src/dns/index/types/index.ts';
import { encodeName, keyOf, labelsOf, Out, TYPE } from '../../src/dns/wire/index.ts';
import { lines } from './dns-client.ts';

const D = 'svc.example.com';

/**
 * The record instance `id` of service D puts in a set of `type` with TTL 60, as dns-packet reads it
 * back: answer and additional lines (additional records owned by the target, through a compression
 * pointer into the record as an answer makes it), the question asked upstream for an alias, or [] for none.
 */
function recordOf(type: RecordType, id: string, attributes: Record<string, string>): string[] {
  const codec = RECORD_TYPES[type];
  const inst: InstanceRecord = { serviceId: 's', id, attributes, createDate: 1, seq: 1 };
  const b = new RrSetBuilder(codec.code);
  const e = codec.encode(inst, 60, labelsOf(D), b);
  if (!e) {
    expect(b.w.pos).toBe(0); // nothing written
    return [];
  }
  b.add(true, e.alias, id);
  const set = b.buildEditable(POLICY.ALL, 's');
  if (e.alias) {
    // The question asked upstream, read as the one question of a message.
    const q = dnsPacket.decode(Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), e.alias.question])).questions![0]!;
    return [`alias ${q.name} ${q.type} ${q.class}`];
  }
  const out = new Out();
  out.begin();
  out.reserve(12);
  out.bytes(encodeName(labelsOf(D)));
  out.u16(codec.code);
  out.u16(1);
  const at = out.record(12, set.blob, set.starts[0]!, set.starts[1]!);
  let ar = 0;
  for (let p = set.extras?.[0] ?? 0, end = set.extras?.[1] ?? 0; p < end; ar++) {
    const next = p + 10 + set.blob.readUInt16BE(p + 8);
    out.record(at + targetOffset(codec.code), set.blob, p, next);
    p = next;
  }
  out.setU16(0, 0);
  out.setU16(2, 0x8400);
  out.setU16(4, 1);
  out.setU16(6, 1);
  out.setU16(8, 0);
  out.setU16(10, ar);
  const p = dnsPacket.decode(out.take());
  expect(e.host).toBe(ar > 0);
  return [...lines(p.answers), ...lines(p.additionals as Answer[]).map((l) => `+ ${l}`)];
}

const long = 'x'.repeat(64);

describe('what one instance puts in a set of each type', () => {
  it.each<[RecordType, string, Record<string, string>, string[]]>([
    // A: AWS_INSTANCE_IPV4, else the alias target, else nothing.
    ['A', 'i-1', { AWS_INSTANCE_IPV4: '192.0.2.1' }, [`${D}. 60 A 192.0.2.1`]],
    ['A', 'i-1', { AWS_INSTANCE_IPV4: '192.0.2.1', AWS_ALIAS_DNS_NAME: 'target.example.net' }, [`${D}. 60 A 192.0.2.1`]],
    ['A', 'i-1', {}, []],
    ['A', 'i-1', { AWS_INSTANCE_IPV6: '2001:db8::1' }, []],
    ['A', 'i-1', { AWS_INSTANCE_IPV4: '10.0.0.256' }, []],
    ['A', 'i-1', { AWS_INSTANCE_IPV4: '10.0.0.01' }, []],
    ['A', 'i-1', { AWS_INSTANCE_IPV4: '10.0.0' }, []],
    ['A', 'i-1', { AWS_ALIAS_DNS_NAME: 'Target.Example.net' }, ['alias Target.Example.net A IN']],
    ['A', 'i-1', { AWS_ALIAS_DNS_NAME: 'bad..name' }, []],
    ['A', 'i-1', { AWS_ALIAS_DNS_NAME: `${long}.example.net` }, []],
    // AAAA: AWS_INSTANCE_IPV6 in any text form, else the alias target, else nothing.
    ['AAAA', 'i-1', { AWS_INSTANCE_IPV6: '2001:db8::ff00:42:8329' }, [`${D}. 60 AAAA 2001:db8::ff00:42:8329`]],
    ['AAAA', 'i-1', { AWS_INSTANCE_IPV6: '2001:DB8:0:0:0:0:0:1' }, [`${D}. 60 AAAA 2001:db8::1`]],
    ['AAAA', 'i-1', { AWS_INSTANCE_IPV6: '::ffff:10.0.0.1' }, [`${D}. 60 AAAA ::ffff:a00:1`]],
    ['AAAA', 'i-1', { AWS_INSTANCE_IPV6: 'fd00::g' }, []],
    ['AAAA', 'i-1', { AWS_INSTANCE_IPV6: '1:2:3:4:5:6:7:8:9' }, []],
    ['AAAA', 'i-1', { AWS_INSTANCE_IPV4: '192.0.2.1' }, []],
    ['AAAA', 'i-1', { AWS_ALIAS_DNS_NAME: 'target.example.net' }, ['alias target.example.net AAAA IN']],
    // SRV: 1 1 <port> <InstanceId>.D, with the instance's addresses as additional records of the target.
    ['SRV', 'i-1', { AWS_INSTANCE_PORT: '8080' }, [`${D}. 60 SRV 1 1 8080 i-1.${D}.`]],
    [
      'SRV',
      'i-1',
      { AWS_INSTANCE_PORT: '80', AWS_INSTANCE_IPV4: '192.0.2.1', AWS_INSTANCE_IPV6: 'fd00::1' },
      [`${D}. 60 SRV 1 1 80 i-1.${D}.`, `+ i-1.${D}. 60 A 192.0.2.1`, `+ i-1.${D}. 60 AAAA fd00::1`],
    ],
    ['SRV', 'i-1', { AWS_INSTANCE_PORT: '80', AWS_INSTANCE_IPV6: 'not an address' }, [`${D}. 60 SRV 1 1 80 i-1.${D}.`]],
    ['SRV', 'Web-1', { AWS_INSTANCE_PORT: '0' }, [`${D}. 60 SRV 1 1 0 Web-1.${D}.`]],
    ['SRV', 'a.b', { AWS_INSTANCE_PORT: '65535' }, [`${D}. 60 SRV 1 1 65535 a.b.${D}.`]],
    ['SRV', 'i-1', {}, []],
    ['SRV', 'i-1', { AWS_INSTANCE_PORT: '70000', AWS_INSTANCE_IPV4: '192.0.2.1' }, []],
    ['SRV', 'i-1', { AWS_INSTANCE_PORT: '-1' }, []],
    ['SRV', 'i-1', { AWS_INSTANCE_PORT: '80a' }, []],
    ['SRV', 'i-1', { AWS_INSTANCE_PORT: '123456' }, []],
    ['SRV', long, { AWS_INSTANCE_PORT: '80' }, []],
    ['SRV', 'a..b', { AWS_INSTANCE_PORT: '80' }, []],
    // CNAME: AWS_INSTANCE_CNAME, spelled as registered.
    ['CNAME', 'i-1', { AWS_INSTANCE_CNAME: 'Target.Example.net' }, [`${D}. 60 CNAME Target.Example.net.`]],
    ['CNAME', 'i-1', { AWS_INSTANCE_CNAME: 'target.example.net.' }, [`${D}. 60 CNAME target.example.net.`]],
    ['CNAME', 'i-1', {}, []],
    ['CNAME', 'i-1', { AWS_INSTANCE_CNAME: '' }, []],
    ['CNAME', 'i-1', { AWS_INSTANCE_CNAME: 'bad..name' }, []],
    ['CNAME', 'i-1', { AWS_INSTANCE_CNAME: `${long}.example.net` }, []],
    ['CNAME', 'i-1', { AWS_INSTANCE_IPV4: '192.0.2.1', AWS_ALIAS_DNS_NAME: 'target.example.net' }, []],
  ])('%s from instance %s with %j', (type, id, attributes, expected) => {
    expect(recordOf(type, id, attributes)).toEqual(expected);
  });
});

describe('how a set of each type treats several instances', () => {
  /**
   * Service D of one DnsRecords type with these instances, registered with the service (the set is
   * built at once) or one per change after it (the set is edited record by record).
   */
  function zoneWith(type: RecordType, policy: RoutingPolicy, instances: Record<string, Record<string, string>>, oneByOne: boolean) {
    const catalog = new Catalog();
    const zones = new Zones(
      { defaultSoaTtl: 15, nsNames: undefined, nsAddresses: [], soaRname: undefined, nsTtl: 172800 },
      pino({ level: 'silent' }),
      () => true,
    );
    catalog.subscribe(zones);
    catalog.reset({ revision: 0, tables: emptyTables() });
    const svc: ServiceRecord = {
      id: 's',
      name: 'svc',
      namespaceId: 'ns',
      type: 'DNS',
      createDate: 1,
      attributes: {},
      instancesRevision: 0,
      dnsConfig: { routingPolicy: policy, dnsRecords: [{ type, ttl: 60 }] },
    };
    const setup: Mutation[] = [
      {
        table: 'namespaces',
        key: 'ns',
        value: { id: 'ns', name: 'example.com', type: 'DNS_PUBLIC', httpName: 'example.com', createDate: 1 },
      },
      { table: 'services', key: 's', value: svc },
    ];
    const registrations = Object.entries(instances).map(([id, attributes]): Mutation => ({
      table: 'instances',
      key: `s/${id}`,
      value: { serviceId: 's', id, attributes, createDate: 1, seq: 1 },
    }));
    if (oneByOne) {
      let revision = 0;
      catalog.apply({ revision: ++revision, mutations: setup });
      for (const m of registrations) catalog.apply({ revision: ++revision, mutations: [m] });
    } else {
      catalog.apply({ revision: 1, mutations: [...setup, ...registrations] });
    }
    const zone = zones.zone('ns')!;
    const set = zone.names.get(keyOf(labelsOf(D)))?.sets[0];
    const hostNames = [...zone.names.values()].filter((n) => n.hosts.length > 0).length;
    return { records: set?.size ?? 0, answered: set?.answerSize ?? 0, hostNames };
  }

  const same = {
    AWS_INSTANCE_IPV4: '10.0.0.1',
    AWS_INSTANCE_IPV6: 'fd00::1',
    AWS_INSTANCE_PORT: '80',
    AWS_INSTANCE_CNAME: 'x.example.net',
  };
  const many = (n: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `i-${i}`,
        { AWS_INSTANCE_IPV4: `10.0.0.${i + 1}`, AWS_INSTANCE_PORT: '80', AWS_INSTANCE_CNAME: `t${i}.example.net` },
      ]),
    );

  it.each<[RecordType, RoutingPolicy, Record<string, Record<string, string>>, { records: number; answered: number; hostNames: number }]>([
    // Two instances with the same record give one record, except where the record names its instance.
    ['A', 'MULTIVALUE', { 'i-1': same, 'i-2': same }, { records: 1, answered: 1, hostNames: 0 }],
    ['AAAA', 'MULTIVALUE', { 'i-1': same, 'i-2': same }, { records: 1, answered: 1, hostNames: 0 }],
    ['CNAME', 'WEIGHTED', { 'i-1': same, 'i-2': same }, { records: 1, answered: 1, hostNames: 0 }],
    ['SRV', 'MULTIVALUE', { 'i-1': same, 'i-2': same }, { records: 2, answered: 2, hostNames: 2 }],
    // The policy's pick: up to 8 records, or one; a CNAME set answers one whatever the policy.
    ['A', 'MULTIVALUE', many(10), { records: 10, answered: 8, hostNames: 0 }],
    ['A', 'WEIGHTED', many(10), { records: 10, answered: 1, hostNames: 0 }],
    ['SRV', 'MULTIVALUE', many(10), { records: 10, answered: 8, hostNames: 10 }],
    ['CNAME', 'MULTIVALUE', many(3), { records: 3, answered: 1, hostNames: 0 }],
    // Host names come with SRV records of instances that have an address, and only with them.
    ['SRV', 'MULTIVALUE', { 'i-1': { AWS_INSTANCE_PORT: '80' } }, { records: 1, answered: 1, hostNames: 0 }],
    ['SRV', 'MULTIVALUE', { 'i-1': { AWS_INSTANCE_PORT: '80', AWS_INSTANCE_IPV6: 'fd00::1' } }, { records: 1, answered: 1, hostNames: 1 }],
    ['A', 'MULTIVALUE', { 'i-1': same }, { records: 1, answered: 1, hostNames: 0 }],
    // No instance with a record: no set at D.
    ['SRV', 'MULTIVALUE', { 'i-1': { AWS_INSTANCE_PORT: 'x' } }, { records: 0, answered: 0, hostNames: 0 }],
  ])('%s %s with instances %j', (type, policy, instances, expected) => {
    expect(zoneWith(type, policy, instances, false)).toEqual(expected);
    expect(zoneWith(type, policy, instances, true)).toEqual(expected);
  });
});

describe('the record-type table', () => {
  it('has an entry, under its own name, for every RecordType of the Cloud Map model', () => {
    const modelTypes = modelEnum('RecordType');
    expect(modelTypes.length).toBeGreaterThan(0);
    for (const name of modelTypes) {
      const codec = (RECORD_TYPES as Record<string, (typeof RECORD_TYPES)[RecordType] | undefined>)[name];
      expect(codec, name).toBeDefined();
      expect(codec!.name).toBe(name);
      // The TYPE code, as dns-packet encodes the type's name.
      const question = dnsPacket.encode({ questions: [{ name: 'x', type: name as 'A' }] });
      expect(codec!.code).toBe(question.readUInt16BE(12 + 3));
    }
    expect(Object.keys(RECORD_TYPES).sort()).toEqual([...modelTypes].sort());
  });

  it('answers target offsets from the table, NS included', () => {
    for (const codec of Object.values(RECORD_TYPES)) expect(targetOffset(codec.code)).toBe(codec.targetOffset);
    expect([TYPE.NS, TYPE.SOA, TYPE.OPT, 65535].map(targetOffset)).toEqual([10, -1, -1, -1]);
  });
});
