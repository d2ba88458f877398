// Records read back from Redis are kept in compact form: the fast path keeps the parsed JSON only when it
// is exactly what the zod schema would return, and the slow path rebuilds zod's output. Either way the
// record equals the schema's output, and whatever the fast path does not take, the schema decides.
import { describe, expect, it } from 'vitest';
import { HealthRecord, InstanceRecord, OperationRecord, type TableName } from '../../src/model/records.ts';
import { compact, FAST_KEYS, fastRecord, Interner } from '../../src/store/redis/compact.ts';

const schemas = { instances: InstanceRecord, operations: OperationRecord, health: HealthRecord } as const;
type Bulk = keyof typeof schemas;

const instance = {
  serviceId: 'srv-1',
  id: 'i-1',
  attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', k: '' },
  createDate: 1764236000000.5,
  seq: 7,
};
const operation = {
  id: 'op-1',
  type: 'REGISTER_INSTANCE',
  status: 'SUCCESS',
  createDate: 1764236000000,
  updateDate: 1764236000001,
  targets: { INSTANCE: 'i-1', SERVICE: 'srv-1', NAMESPACE: 'ns-1' },
  requestId: 'token',
  requestKey: 'i-1',
};
const without = <T extends object>(o: T, key: keyof T): T => {
  const c = { ...o };
  delete c[key];
  return c;
};

/** Valid records of every shape the fast path should take as they are. */
const valid: { name: string; table: Bulk; value: object }[] = [
  { name: 'an instance', table: 'instances', value: instance },
  { name: 'an instance with a CreatorRequestId', table: 'instances', value: { ...instance, creatorRequestId: 'c-1' } },
  { name: 'an instance without attributes', table: 'instances', value: { ...instance, attributes: {} } },
  { name: 'a registration', table: 'operations', value: operation },
  { name: 'an operation without request fields', table: 'operations', value: without(without(operation, 'requestId'), 'requestKey') },
  { name: 'an operation with only a request key', table: 'operations', value: without(operation, 'requestId') },
  { name: 'a namespace operation', table: 'operations', value: { ...operation, type: 'CREATE_NAMESPACE', targets: { NAMESPACE: 'ns-1' } } },
  {
    name: 'a service operation',
    table: 'operations',
    value: { ...operation, type: 'UPDATE_SERVICE', targets: { SERVICE: 'srv-1', NAMESPACE: 'ns-1' } },
  },
  { name: 'a failed operation', table: 'operations', value: { ...operation, status: 'FAIL', errorCode: 'X', errorMessage: 'why' } },
  { name: 'a health record', table: 'health', value: { status: 'UNHEALTHY', since: -1e-7 } },
];

/** Values the fast path must leave to the schema: invalid ones, and valid ones zod would change. */
const declined: { name: string; table: Bulk; value: unknown }[] = [
  { name: 'an unknown field (zod strips it)', table: 'instances', value: { ...instance, extra: 1 } },
  {
    name: 'a __proto__ attribute (zod drops it)',
    table: 'instances',
    value: JSON.parse('{"serviceId":"s","id":"i","attributes":{"__proto__":"x"},"createDate":1,"seq":1}'),
  },
  { name: 'a non-integer seq', table: 'instances', value: { ...instance, seq: 1.5 } },
  { name: 'an unsafe integer seq', table: 'instances', value: { ...instance, seq: 2 ** 53 } },
  { name: 'an infinite date', table: 'instances', value: { ...instance, createDate: Infinity } },
  { name: 'a null optional field', table: 'instances', value: { ...instance, creatorRequestId: null } },
  { name: 'a non-string attribute', table: 'instances', value: { ...instance, attributes: { a: 1 } } },
  { name: 'attributes as an array', table: 'instances', value: { ...instance, attributes: [] } },
  { name: 'a missing field', table: 'instances', value: without(instance, 'serviceId') },
  { name: 'an unknown operation type', table: 'operations', value: { ...operation, type: 'DELETE_EVERYTHING' } },
  { name: 'an unknown status', table: 'operations', value: { ...operation, status: 'DONE' } },
  { name: 'an unknown target', table: 'operations', value: { ...operation, targets: { ...operation.targets, VPC: 'v' } } },
  { name: 'targets as null', table: 'operations', value: { ...operation, targets: null } },
  { name: 'an unknown health status', table: 'health', value: { status: 'UNKNOWN', since: 1 } },
  { name: 'not an object', table: 'health', value: 'HEALTHY' },
];

describe('compact records', () => {
  it.each(valid)('keeps $name exactly as the schema returns it (fast path)', ({ table, value }) => {
    const parsed: unknown = JSON.parse(JSON.stringify(value));
    const fast = fastRecord(table, parsed, new Interner());
    expect(fast).toBe(parsed);
    expect(fast).toStrictEqual(schemas[table].parse(value));
  });

  it.each(declined)('leaves $name to the schema', ({ table, value }) => {
    expect(fastRecord(table, value, new Interner())).toBeUndefined();
  });

  it.each(valid)('rebuilds $name from the schema output unchanged (slow path)', ({ table, value }) => {
    const parsed = schemas[table].parse(value);
    expect(compact(table as TableName, parsed, new Interner())).toStrictEqual(parsed);
  });

  it('takes nothing for the small tables, whose records stay as the schema returns them', () => {
    const ns = { id: 'ns-1', name: 'a', type: 'HTTP', httpName: 'a', createDate: 1 };
    expect(fastRecord('namespaces', ns, new Interner())).toBeUndefined();
  });

  it('knows every field of the schemas, so a new field cannot slip past the fast path', () => {
    expect([...FAST_KEYS.instances].sort()).toEqual(Object.keys(InstanceRecord.shape).sort());
    expect([...FAST_KEYS.operations].sort()).toEqual(Object.keys(OperationRecord.shape).sort());
    expect([...FAST_KEYS.targets].sort()).toEqual(Object.keys(OperationRecord.shape.targets.shape).sort());
    expect([...FAST_KEYS.health].sort()).toEqual(Object.keys(HealthRecord.shape).sort());
  });

  it('holds each repeated string once, and starts over when full (a feed reader sees ever new ids)', () => {
    const strings = new Interner(2);
    for (const id of ['srv-1', 'srv-1', 'srv-2', 'srv-1']) expect(strings.get(id)).toBe(id);
    expect(strings.size).toBe(2);
    strings.get('srv-3');
    expect(strings.size).toBe(1);
  });
});
