// The catalog holds instances once, per service: lookups by service and id, and the registration order,
// follow registrations, replacements and deregistrations (instance ids may hold '/'). Its index of
// operations by CreatorRequestId finds every operation of a token while they exist.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.ts';
import { instanceKey, type InstanceRecord, type OperationRecord } from '../../src/model/records.ts';
import { emptyTables, type Mutation } from '../../src/model/changes.ts';

const inst = (serviceId: string, id: string, seq: number, ip = '10.0.0.1'): InstanceRecord => ({
  serviceId,
  id,
  attributes: { AWS_INSTANCE_IPV4: ip },
  createDate: 1,
  seq,
});
const put = (i: InstanceRecord): Mutation => ({ table: 'instances', key: instanceKey(i.serviceId, i.id), value: i });
const del = (serviceId: string, id: string): Mutation => ({ table: 'instances', key: instanceKey(serviceId, id), value: null });

describe('catalog instances', () => {
  it('orders a snapshot by registration and follows registrations, replacements and deregistrations', () => {
    const tables = emptyTables();
    for (const i of [inst('srv-1', 'b', 2), inst('srv-1', 'a/1', 1), inst('srv-2', 'c', 3)])
      tables.instances.set(instanceKey(i.serviceId, i.id), i);
    const c = new Catalog();
    c.reset({ revision: 3, tables });
    expect([...c.instancesOf('srv-1').keys()]).toEqual(['a/1', 'b']);

    const replaced = inst('srv-1', 'a/1', 1, '10.0.0.9');
    expect(c.apply({ revision: 4, mutations: [put(inst('srv-1', 'd', 4)), put(replaced)] })).toBe(true);
    expect([...c.instancesOf('srv-1').keys()]).toEqual(['a/1', 'b', 'd']);
    expect(c.instance('srv-1', 'a/1')).toBe(replaced);

    expect(c.apply({ revision: 5, mutations: [del('srv-1', 'a/1'), del('srv-2', 'c'), del('srv-9', 'x')] })).toBe(true);
    expect(c.instance('srv-1', 'a/1')).toBeUndefined();
    expect(c.instance('srv-2', 'c')).toBeUndefined();
    expect([...c.instancesOf('srv-1').keys()]).toEqual(['b', 'd']);
    expect(c.instanceCount('srv-2')).toBe(0);
  });
});

const op = (id: string, extra: Partial<OperationRecord> = {}): OperationRecord => ({
  id,
  type: 'REGISTER_INSTANCE',
  status: 'SUCCESS',
  createDate: 1764236000000.25,
  updateDate: 1764236000001,
  targets: { INSTANCE: 'i-1', SERVICE: 'srv-1', NAMESPACE: 'ns-1' },
  ...extra,
});

describe('the catalog index of operations by request token', () => {
  function catalog() {
    const c = new Catalog();
    c.reset({ revision: 0, tables: emptyTables() });
    let rev = 0;
    return { c, apply: (...mutations: Mutation[]) => expect(c.apply({ revision: ++rev, mutations })).toBe(true) };
  }
  const put = (r: OperationRecord): Mutation => ({ table: 'operations', key: r.id, value: r });
  const del = (id: string): Mutation => ({ table: 'operations', key: id, value: null });

  it('finds every operation of a token in the order they were made, and forgets each one deleted', () => {
    const { c, apply } = catalog();
    apply(
      put(op('a', { requestId: 'tok' })),
      put(op('b', { requestId: 'tok', type: 'CREATE_NAMESPACE' })),
      put(op('c', { requestId: 'other' })),
    );
    expect(c.operationsByRequest('tok').map((o) => o.id)).toEqual(['a', 'b']);
    apply(del('a'));
    expect(c.operationsByRequest('tok').map((o) => o.id)).toEqual(['b']);
    apply(del('b'));
    expect(c.operationsByRequest('tok')).toEqual([]);
    expect(c.operationsByRequest('other').map((o) => o.id)).toEqual(['c']);
  });

  it('moves an operation to its new token when it is replaced', () => {
    const { c, apply } = catalog();
    apply(put(op('a', { requestId: 'old' })));
    apply(put(op('a', { requestId: 'new' })));
    expect(c.operationsByRequest('old')).toEqual([]);
    expect(c.operationsByRequest('new')).toStrictEqual([op('a', { requestId: 'new' })]);
  });

  it('builds the same index from a snapshot, where registrations share their instance strings', () => {
    const tables = emptyTables();
    const inst: InstanceRecord = { serviceId: 'srv-1', id: 'i-1', attributes: {}, creatorRequestId: 'tok', createDate: 1, seq: 1 };
    tables.instances.set('srv-1/i-1', inst);
    const records = [op('a', { requestId: 'tok', requestKey: 'i-1' }), op('b', { requestId: 'tok', type: 'DEREGISTER_INSTANCE' })];
    for (const r of records) tables.operations.set(r.id, r);
    const c = new Catalog();
    c.reset({ revision: 2, tables });
    expect(c.operationsByRequest('tok')).toStrictEqual(records);
    expect([...c.operations()]).toStrictEqual(records);
    expect(c.instance('srv-1', 'i-1')).toBe(inst);
  });
});
