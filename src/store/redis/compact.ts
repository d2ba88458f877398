// Keeps the records a replica holds by the hundred thousand (instances, operations, health) as small as
// V8 allows: the object JSON.parse made is kept when it already is exactly a valid record (its fields
// are in the object itself, and nothing else is allocated), and repeated strings (service and
// namespace ids, enum values) are shared instead of one copy per record. Anything else goes through the
// zod schema as before and is rebuilt as one object literal per shape: zod's output objects keep most
// fields in a separate property array.
import {
  HealthStatus,
  OperationStatus,
  OperationType,
  type HealthRecord,
  type InstanceRecord,
  type OperationRecord,
  type TableName,
  type TableValue,
} from '../../model/records.ts';
import { BoundedMap } from '../../model/bounded-map.ts';

/** One copy of each repeated string; bounded, since a long-running feed reader sees ever new ids. */
export class Interner {
  private readonly pool: BoundedMap<string, string>;

  constructor(max = 10_000) {
    this.pool = new BoundedMap(max);
  }

  /** How many strings it holds. */
  get size(): number {
    return this.pool.size;
  }

  get(s: string): string {
    const known = this.pool.get(s);
    if (known !== undefined) return known;
    this.pool.set(s, s);
    return s;
  }
}

/** Enum values map to the schema's own string constants. */
const constants = (values: readonly string[]): Map<string, string> => new Map(values.map((v) => [v, v]));
const operationTypes = constants(OperationType.options);
const operationStatuses = constants(OperationStatus.options);
const healthStatuses = constants(HealthStatus.options);

// ---- The fast path: the parsed object as it is --------------------------------------------------
// Each check accepts a subset of what the zod schema accepts (every field of the right type, no
// unknown field, which zod would strip) and then zod's output would equal the input; whatever it does
// not accept takes the zod path, so errors and edge cases (`__proto__` keys) are zod's.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** Keys each record may have (required and optional), to spot unknown ones. */
export const FAST_KEYS = {
  instances: ['serviceId', 'id', 'attributes', 'creatorRequestId', 'createDate', 'seq'],
  operations: ['id', 'type', 'status', 'errorMessage', 'errorCode', 'createDate', 'updateDate', 'targets', 'requestId', 'requestKey'],
  targets: ['NAMESPACE', 'SERVICE', 'INSTANCE'],
  health: ['status', 'since'],
} as const;

function onlyKeys(o: Json, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

function stringMap(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const k in v) if (k === '__proto__' || !isString(v[k])) return false;
  return true;
}

const optionalString = (v: unknown): boolean => v === undefined || isString(v);

function fastInstance(o: Json, strings: Interner): InstanceRecord | undefined {
  if (
    !isString(o.serviceId) ||
    !isString(o.id) ||
    !stringMap(o.attributes) ||
    !optionalString(o.creatorRequestId) ||
    !isNumber(o.createDate) ||
    !isInt(o.seq) ||
    !onlyKeys(o, FAST_KEYS.instances)
  )
    return undefined;
  o.serviceId = strings.get(o.serviceId);
  return o as InstanceRecord;
}

function fastOperation(o: Json, strings: Interner): OperationRecord | undefined {
  const type = isString(o.type) ? operationTypes.get(o.type) : undefined;
  const status = isString(o.status) ? operationStatuses.get(o.status) : undefined;
  const t = o.targets;
  if (
    !isString(o.id) ||
    type === undefined ||
    status === undefined ||
    !optionalString(o.errorMessage) ||
    !optionalString(o.errorCode) ||
    !isNumber(o.createDate) ||
    !isNumber(o.updateDate) ||
    !isObject(t) ||
    !optionalString(t.NAMESPACE) ||
    !optionalString(t.SERVICE) ||
    !optionalString(t.INSTANCE) ||
    !onlyKeys(t, FAST_KEYS.targets) ||
    !optionalString(o.requestId) ||
    !optionalString(o.requestKey) ||
    !onlyKeys(o, FAST_KEYS.operations)
  )
    return undefined;
  o.type = type;
  o.status = status;
  if (t.NAMESPACE !== undefined) t.NAMESPACE = strings.get(t.NAMESPACE as string);
  if (t.SERVICE !== undefined) t.SERVICE = strings.get(t.SERVICE as string);
  return o as OperationRecord;
}

function fastHealth(o: Json): HealthRecord | undefined {
  const status = isString(o.status) ? healthStatuses.get(o.status) : undefined;
  if (status === undefined || !isNumber(o.since) || !onlyKeys(o, FAST_KEYS.health)) return undefined;
  o.status = status;
  return o as HealthRecord;
}

/**
 * The parsed JSON itself (strings shared) when it is exactly a valid record of a bulk table; undefined
 * when it must go through the schema.
 */
export function fastRecord<T extends TableName>(table: T, value: unknown, strings: Interner): TableValue<T> | undefined {
  if (!isObject(value)) return undefined;
  switch (table) {
    case 'instances':
      return fastInstance(value, strings) as TableValue<T> | undefined;
    case 'operations':
      return fastOperation(value, strings) as TableValue<T> | undefined;
    case 'health':
      return fastHealth(value) as TableValue<T> | undefined;
    default:
      return undefined;
  }
}

// ---- The slow path: zod's output, rebuilt ------------------------------------------------------

const constant = <T extends string>(known: Map<string, string>, v: T): T => (known.get(v) ?? v) as T;

function instance(r: InstanceRecord, strings: Interner): InstanceRecord {
  const serviceId = strings.get(r.serviceId);
  if (r.creatorRequestId === undefined) return { serviceId, id: r.id, attributes: r.attributes, createDate: r.createDate, seq: r.seq };
  return { serviceId, id: r.id, attributes: r.attributes, creatorRequestId: r.creatorRequestId, createDate: r.createDate, seq: r.seq };
}

function targets(t: OperationRecord['targets'], strings: Interner): OperationRecord['targets'] {
  const { NAMESPACE, SERVICE, INSTANCE } = t;
  // The shapes the registry writes; anything else keeps zod's object.
  if (NAMESPACE !== undefined && SERVICE !== undefined && INSTANCE !== undefined)
    return { NAMESPACE: strings.get(NAMESPACE), SERVICE: strings.get(SERVICE), INSTANCE };
  if (NAMESPACE !== undefined && SERVICE !== undefined) return { NAMESPACE: strings.get(NAMESPACE), SERVICE: strings.get(SERVICE) };
  if (NAMESPACE !== undefined && INSTANCE === undefined) return { NAMESPACE: strings.get(NAMESPACE) };
  return t;
}

function operation(r: OperationRecord, strings: Interner): OperationRecord {
  // Operations with an error are rare (cairn applies every operation at once): zod's object will do.
  if (r.errorMessage !== undefined || r.errorCode !== undefined) return r;
  const id = r.id;
  const type = constant(operationTypes, r.type);
  const status = constant(operationStatuses, r.status);
  const t = targets(r.targets, strings);
  const { createDate, updateDate, requestId, requestKey } = r;
  if (requestId === undefined && requestKey === undefined) return { id, type, status, createDate, updateDate, targets: t };
  if (requestId === undefined) return { id, type, status, createDate, updateDate, targets: t, requestKey: requestKey! };
  if (requestKey === undefined) return { id, type, status, createDate, updateDate, targets: t, requestId };
  return { id, type, status, createDate, updateDate, targets: t, requestId, requestKey };
}

function health(r: HealthRecord): HealthRecord {
  return { status: constant(healthStatuses, r.status), since: r.since };
}

/** A record zod validated, in compact form (records of the small tables are returned as they are). */
export function compact<T extends TableName>(table: T, record: TableValue<T>, strings: Interner): TableValue<T> {
  switch (table) {
    case 'instances':
      return instance(record as InstanceRecord, strings) as TableValue<T>;
    case 'operations':
      return operation(record as OperationRecord, strings) as TableValue<T>;
    case 'health':
      return health(record as HealthRecord) as TableValue<T>;
    default:
      return record;
  }
}
