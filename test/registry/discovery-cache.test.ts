// DiscoverInstances' prepared views: each instance's HttpInstanceSummary bytes in one buffer per service,
// rebuilt after a change with the other instances' bytes reused, always equal to serialising afresh.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.ts';
import { instanceKey, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../../src/model/records.ts';
import { DiscoveryCache, type ServiceView } from '../../src/registry/discovery-cache.ts';
import { emptyTables, type Mutation } from '../../src/model/changes.ts';

const ns: NamespaceRecord = { id: 'ns-1', name: 'shop', type: 'HTTP', httpName: 'shop', createDate: 1 };
const service: ServiceRecord = {
  id: 'srv-1',
  name: 'api',
  namespaceId: 'ns-1',
  type: 'HTTP',
  createDate: 1,
  attributes: {},
  instancesRevision: 0,
  healthCheckCustomConfig: { failureThreshold: 1 },
};
const inst = (id: string, attributes: Record<string, string>, seq: number): InstanceRecord => ({
  serviceId: 'srv-1',
  id,
  attributes,
  createDate: 1,
  seq,
});
const put = (i: InstanceRecord): Mutation => ({ table: 'instances', key: instanceKey('srv-1', i.id), value: i });
const health = (id: string, status: 'HEALTHY' | 'UNHEALTHY'): Mutation => ({
  table: 'health',
  key: instanceKey('srv-1', id),
  value: { status, since: 1 },
});

/** The view's fragments, decoded, in registration order. */
const summaries = (view: ServiceView): unknown[] => view.entries.map((e) => JSON.parse(view.json.toString('utf8', e.start, e.end)));
const summary = (id: string, HealthStatus: string, Attributes: Record<string, string>) => ({
  InstanceId: id,
  NamespaceName: 'shop',
  ServiceName: 'api',
  HealthStatus,
  Attributes,
});

describe('the discovery cache', () => {
  it('serves each instance as a fragment of one buffer and rebuilds a changed service from fresh and reused fragments', () => {
    const catalog = new Catalog();
    const tables = emptyTables();
    tables.namespaces.set(ns.id, ns);
    tables.services.set(service.id, service);
    catalog.reset({ revision: 1, tables });
    let rev = 1;
    const apply = (...m: Mutation[]) => expect(catalog.apply({ revision: ++rev, mutations: m })).toBe(true);
    apply(
      put(inst('a', { k: 'caf\u00e9' }, 1)),
      put(inst('b', { k: '2' }, 2)),
      put(inst('c', {}, 3)),
      health('a', 'HEALTHY'),
      health('b', 'HEALTHY'),
      health('c', 'HEALTHY'),
    );
    const cache = new DiscoveryCache(catalog);
    catalog.subscribe(cache);

    const first = cache.find('shop', 'api') as ServiceView;
    expect(summaries(first)).toEqual([
      summary('a', 'HEALTHY', { k: 'caf\u00e9' }),
      summary('b', 'HEALTHY', { k: '2' }),
      summary('c', 'HEALTHY', {}),
    ]);
    expect(first.json.length).toBe(first.entries.at(-1)!.end);
    expect(cache.find('shop', 'api')).toBe(first);

    apply(put(inst('b', { k: 'new' }, 2)), health('c', 'UNHEALTHY'), put(inst('d', { z: '\u{1F680}' }, 9)));
    const second = cache.find('shop', 'api') as ServiceView;
    expect(second).not.toBe(first);
    expect(summaries(second)).toEqual([
      summary('a', 'HEALTHY', { k: 'caf\u00e9' }),
      summary('b', 'HEALTHY', { k: 'new' }),
      summary('c', 'UNHEALTHY', {}),
      summary('d', 'HEALTHY', { z: '\u{1F680}' }),
    ]);

    apply({ table: 'instances', key: instanceKey('srv-1', 'a'), value: null });
    expect(summaries(cache.find('shop', 'api') as ServiceView).map((s) => (s as { InstanceId: string }).InstanceId)).toEqual([
      'b',
      'c',
      'd',
    ]);
  });
});
