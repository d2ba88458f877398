// The DNS index is edited one instance at a time: after any mix of registrations, re-registrations,
// deregistrations and health flips it serves exactly what an index built from scratch from the same
// catalog serves, and a health flip re-encodes nothing.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.ts';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from '../../src/model/records.ts';
import { emptyTables, type Mutation } from '../../src/model/changes.ts';
import { targetKey, Zones, type RrSet, type Zone } from '../../src/dns/index/index.ts';
import { nameOfKey } from '../../src/dns/wire/index.ts';

const settings = { defaultSoaTtl: 15, nsNames: undefined, nsAddresses: [], soaRname: undefined, nsTtl: 172800 };
const ns: NamespaceRecord = { id: 'ns-1', name: 'example.com', type: 'DNS_PUBLIC', httpName: 'example.com', createDate: 1, soaTtl: 15 };
const service = (
  id: string,
  name: string,
  dnsRecords: { type: 'A' | 'AAAA' | 'SRV' | 'CNAME'; ttl: number }[],
  routingPolicy: 'MULTIVALUE' | 'WEIGHTED' = 'MULTIVALUE',
): ServiceRecord => ({
  id,
  name,
  namespaceId: 'ns-1',
  type: 'DNS_HTTP',
  createDate: 1,
  attributes: {},
  instancesRevision: 0,
  healthCheckCustomConfig: { failureThreshold: 1 },
  dnsConfig: { routingPolicy, dnsRecords },
});

/** A catalog whose changes feed an incremental index, applied the way the registry writes them. */
function world() {
  const catalog = new Catalog();
  const zones = new Zones(settings, pino({ level: 'silent' }), () => true);
  catalog.subscribe(zones);
  catalog.reset({ revision: 0, tables: emptyTables() });
  let rev = 0;
  let seq = 0;
  const apply = (...mutations: Mutation[]) => {
    expect(catalog.apply({ revision: ++rev, mutations })).toBe(true);
  };
  // Every instance write also bumps the service's InstancesRevision, as registry/health.ts does.
  const bump = (sid: string): Mutation => {
    const s = catalog.service(sid)!;
    return { table: 'services', key: sid, value: { ...s, instancesRevision: s.instancesRevision + 1 } };
  };
  return {
    catalog,
    zones,
    apply,
    register(sid: string, id: string, attributes: Record<string, string>, status: 'HEALTHY' | 'UNHEALTHY' = 'HEALTHY') {
      const inst: InstanceRecord = { serviceId: sid, id, attributes, createDate: 1, seq: ++seq };
      apply(
        { table: 'instances', key: `${sid}/${id}`, value: inst },
        { table: 'health', key: `${sid}/${id}`, value: { status, since: 1 } },
        bump(sid),
      );
    },
    deregister(sid: string, id: string) {
      apply({ table: 'instances', key: `${sid}/${id}`, value: null }, { table: 'health', key: `${sid}/${id}`, value: null }, bump(sid));
    },
    flip(sid: string, id: string, status: 'HEALTHY' | 'UNHEALTHY') {
      apply({ table: 'health', key: `${sid}/${id}`, value: { status, since: 2 } }, bump(sid));
    },
  };
}

const hex = (b: Buffer, from: number, to: number): string => b.toString('hex', from, to);

/** One record as served: its bytes, its additional records, its alias target and whether it counts as healthy. */
function records(set: RrSet): string[] {
  const out: string[] = [];
  for (let i = 0; i < set.size; i++) {
    const extra = set.extras ? hex(set.blob, set.extras[i]!, set.extras[i + 1]!) : '';
    out.push(
      `${hex(set.blob, set.starts[i]!, set.starts[i + 1]!)}|${extra}|${set.aliases?.[i]?.key ?? ''}|${set.isHealthy(i) ? 'healthy' : 'unhealthy'}`,
    );
  }
  return out;
}

/** Everything a zone serves, by name; `ordered` keeps the record order of each set. */
function served(zone: Zone, ordered: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sort = (xs: string[]) => (ordered ? xs : [...xs].sort());
  for (const [key, node] of [...zone.names].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[nameOfKey(key)] = {
      refs: node.refs,
      sets: node.sets.map((s) => ({ type: s.type, policy: s.policy, records: sort(records(s)) })),
      hosts: node.hosts
        .map((h) => {
          // The host's record really is the SRV record whose target is this name.
          expect(targetKey(h.set, h.index)).toBe(h.key);
          return hex(h.set.blob, h.set.extras![h.index]!, h.set.extras![h.index + 1]!);
        })
        .sort(),
    };
  }
  return out;
}

function fromScratch(catalog: Catalog): Zones {
  const zones = new Zones(settings, pino({ level: 'silent' }), () => true);
  zones.reset(catalog);
  return zones;
}

/** A seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

describe('incremental DNS index', () => {
  it('serves, record for record and in the same order, what a rebuild serves after edits to a service of 1,000', () => {
    const w = world();
    w.apply(
      { table: 'namespaces', key: 'ns-1', value: ns },
      {
        table: 'services',
        key: 'srv-1',
        value: service('srv-1', 'api', [
          { type: 'A', ttl: 60 },
          { type: 'AAAA', ttl: 60 },
          { type: 'SRV', ttl: 30 },
        ]),
      },
    );
    const attrs = (i: number, port = 80) => ({
      AWS_INSTANCE_IPV4: `10.0.${i >> 8}.${i & 255}`,
      AWS_INSTANCE_IPV6: `fd00::${i.toString(16)}`,
      AWS_INSTANCE_PORT: String(port),
    });
    for (let i = 0; i < 1000; i++) w.register('srv-1', `i-${i}`, attrs(i), i % 7 === 0 ? 'UNHEALTHY' : 'HEALTHY');
    w.flip('srv-1', 'i-14', 'HEALTHY');
    w.flip('srv-1', 'i-500', 'UNHEALTHY');
    w.deregister('srv-1', 'i-0');
    w.deregister('srv-1', 'i-999');
    w.deregister('srv-1', 'i-321');
    w.register('srv-1', 'i-42', attrs(42, 8080)); // re-registration with another port keeps its place
    w.register('srv-1', 'i-43', { ...attrs(43), AWS_INSTANCE_IPV4: '10.9.9.9' }); // another address: additional records change
    w.register('srv-1', 'i-44', attrs(44)); // the same attributes again
    w.register('srv-1', 'i-1000', attrs(1000));
    const expected = served(fromScratch(w.catalog).zone('ns-1')!, true);
    expect(served(w.zones.zone('ns-1')!, true)).toEqual(expected);
    expect(Object.keys(expected)).toHaveLength(1000 - 3 + 1 + 2); // hosts, D and the apex
  });

  it('serves what a rebuild serves after random edits with shared addresses, aliases, CNAMEs and gaps', () => {
    const w = world();
    const random = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    w.apply(
      { table: 'namespaces', key: 'ns-1', value: ns },
      {
        table: 'services',
        key: 'srv-1',
        value: service('srv-1', 'api', [
          { type: 'A', ttl: 60 },
          { type: 'AAAA', ttl: 60 },
          { type: 'SRV', ttl: 30 },
        ]),
      },
      { table: 'services', key: 'srv-2', value: service('srv-2', 'web', [{ type: 'CNAME', ttl: 60 }], 'WEIGHTED') },
      // A service name that is also an SRV host name of srv-1: the records are served together.
      { table: 'services', key: 'srv-3', value: service('srv-3', 'x.api', [{ type: 'A', ttl: 5 }]) },
    );
    const ids = Array.from({ length: 60 }, (_, i) => (i === 0 ? 'x' : i === 1 ? 'X' : `i-${i}`));
    const attributeChoices = (): Record<string, string> => {
      const a: Record<string, string> = {};
      const r = random();
      if (r < 0.7)
        a.AWS_INSTANCE_IPV4 = `10.0.0.${Math.floor(random() * 12)}`; // few addresses: many duplicates
      else if (r < 0.85) a.AWS_ALIAS_DNS_NAME = pick(['lb.example.net', 'other.example.net']);
      if (random() < 0.5) a.AWS_INSTANCE_IPV6 = `fd00::${Math.floor(random() * 6)}`;
      if (random() < 0.8) a.AWS_INSTANCE_PORT = String(pick([80, 443]));
      if (random() < 0.5) a.AWS_INSTANCE_CNAME = pick(['a.example.net', 'b.example.net']);
      return a;
    };
    for (let step = 0; step < 1500; step++) {
      const sid = pick(['srv-1', 'srv-1', 'srv-1', 'srv-2', 'srv-3']);
      const id = pick(ids);
      const exists = w.catalog.instance(sid, id) !== undefined;
      const r = random();
      if (!exists || r < 0.35) w.register(sid, id, attributeChoices(), random() < 0.3 ? 'UNHEALTHY' : 'HEALTHY');
      else if (r < 0.6) w.deregister(sid, id);
      else w.flip(sid, id, random() < 0.5 ? 'UNHEALTHY' : 'HEALTHY');
      if (step % 100 === 99) expect(served(w.zones.zone('ns-1')!, false)).toEqual(served(fromScratch(w.catalog).zone('ns-1')!, false));
    }
    // Then every instance goes: nothing but the apex is left.
    for (const sid of ['srv-1', 'srv-2', 'srv-3']) for (const id of [...w.catalog.instancesOf(sid).keys()]) w.deregister(sid, id);
    expect(Object.keys(served(w.zones.zone('ns-1')!, false))).toEqual(['example.com.']);
  });

  it('flips health without encoding a record again, and registers without touching the other instances', () => {
    const w = world();
    w.apply(
      { table: 'namespaces', key: 'ns-1', value: ns },
      {
        table: 'services',
        key: 'srv-1',
        value: service('srv-1', 'api', [
          { type: 'A', ttl: 60 },
          { type: 'SRV', ttl: 30 },
        ]),
      },
    );
    for (let i = 0; i < 1000; i++)
      w.register('srv-1', `i-${i}`, { AWS_INSTANCE_IPV4: `10.0.${i >> 8}.${i & 255}`, AWS_INSTANCE_PORT: '80' });
    const zone = w.zones.zone('ns-1')!;
    const d = [...zone.names.values()].find((n) => n.sets[0]?.type === 1)!;
    const [a, srv] = d.sets as [RrSet, RrSet];
    const blobs = [a.blob, srv.blob];
    const hostsBefore = [...zone.names.values()].flatMap((n) => n.hosts);
    w.flip('srv-1', 'i-5', 'UNHEALTHY');
    expect([a.blob, srv.blob]).toEqual(blobs);
    expect(a.blob).toBe(blobs[0]);
    expect(srv.blob).toBe(blobs[1]);
    expect(records(a)[5]).toMatch(/\|unhealthy$/);
    // The record sets stay the same objects at D; only the new instance's host name is new.
    w.register('srv-1', 'i-new', { AWS_INSTANCE_IPV4: '10.1.0.1', AWS_INSTANCE_PORT: '80' });
    expect(d.sets[0]).toBe(a);
    expect(d.sets[1]).toBe(srv);
    const hostsAfter = [...zone.names.values()].flatMap((n) => n.hosts);
    expect(hostsAfter.filter((h) => !hostsBefore.includes(h))).toHaveLength(1);
    expect(served(zone, true)).toEqual(served(fromScratch(w.catalog).zone('ns-1')!, true));
  });

  it('rebuilds a service when its DnsConfig changes, and drops its names when it is deleted', () => {
    const w = world();
    w.apply(
      { table: 'namespaces', key: 'ns-1', value: ns },
      { table: 'services', key: 'srv-1', value: service('srv-1', 'api', [{ type: 'A', ttl: 60 }]) },
    );
    for (let i = 0; i < 5; i++) w.register('srv-1', `i-${i}`, { AWS_INSTANCE_IPV4: `10.0.0.${i}`, AWS_INSTANCE_PORT: '80' });
    w.apply({
      table: 'services',
      key: 'srv-1',
      value: {
        ...w.catalog.service('srv-1')!,
        dnsConfig: {
          routingPolicy: 'MULTIVALUE',
          dnsRecords: [
            { type: 'A', ttl: 10 },
            { type: 'SRV', ttl: 10 },
          ],
        },
      },
    });
    expect(served(w.zones.zone('ns-1')!, true)).toEqual(served(fromScratch(w.catalog).zone('ns-1')!, true));
    expect(Object.keys(served(w.zones.zone('ns-1')!, true))).toHaveLength(7);
    w.apply({ table: 'services', key: 'srv-1', value: null });
    expect(Object.keys(served(w.zones.zone('ns-1')!, true))).toEqual(['example.com.']);
  });
});
