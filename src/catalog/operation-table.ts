// The operations table, column by column behind the Map interface every table has. A replica keeps
// every operation for the retention period (30 days by default), one per registration: as objects, each
// record with its targets object and two boxed dates costs about three times what its columns do, and
// a snapshot's hundred thousand record objects would outlive the load as garbage. Records are built
// when read (GetOperation, ListOperations, idempotency checks), equal to the ones stored.
import { OperationStatus, OperationType, type InstanceRecord, type OperationRecord } from '../model/records.ts';

const TYPES: readonly OperationRecord['type'][] = OperationType.options;
const STATUSES: readonly OperationRecord['status'][] = OperationStatus.options;
const typeCode = new Map<string, number>(TYPES.map((t, i) => [t, i]));
const statusCode = new Map<string, number>(STATUSES.map((s, i) => [s, i]));

/** Strings per slot: targets.INSTANCE, targets.SERVICE, targets.NAMESPACE, requestId, requestKey. */
const REFS = 5;
const INSTANCE = 0;
const SERVICE = 1;
const NAMESPACE = 2;
const REQUEST_ID = 3;
const REQUEST_KEY = 4;

/** Finds the instance a registration made, to share its strings. */
export type InstanceLookup = (serviceId: string, instanceId: string) => InstanceRecord | undefined;

export class OperationTable implements Map<string, OperationRecord> {
  readonly [Symbol.toStringTag] = 'OperationTable';
  /** id → its slot in the columns, or the record itself when it does not fit them. Insertion order. */
  private readonly index = new Map<string, number | OperationRecord>();
  private readonly free: number[] = [];
  private slots = 0;
  /** type code | status code << 4 */
  private codes = new Uint8Array(0);
  private created = new Float64Array(0);
  private updated = new Float64Array(0);
  private refs: (string | undefined)[] = [];

  /** A copy of any map of operations. */
  static of(operations: ReadonlyMap<string, OperationRecord>): OperationTable {
    if (operations instanceof OperationTable) return operations;
    const table = new OperationTable();
    table.reserve(operations.size);
    for (const [id, op] of operations) table.set(id, op);
    return table;
  }

  get size(): number {
    return this.index.size;
  }

  get(id: string): OperationRecord | undefined {
    const at = this.index.get(id);
    return typeof at === 'number' ? this.record(id, at) : at;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** The request token of an operation, without building its record. */
  requestIdOf(id: string): string | undefined {
    const at = this.index.get(id);
    return typeof at === 'number' ? this.refs[at * REFS + REQUEST_ID] : at?.requestId;
  }

  set(id: string, op: OperationRecord): this {
    return this.put(op, undefined, id);
  }

  /**
   * Adds or replaces a record. `alike`: the instance it registered, whose id and CreatorRequestId are
   * kept instead of equal copies (read from another Redis hash, they are other strings).
   */
  put(op: OperationRecord, alike?: InstanceRecord, id: string = op.id): this {
    const at = this.index.get(id);
    // Error fields are never written (cairn applies every operation at once); a key other than the
    // record's id is nothing the registry writes either. Such records are kept whole.
    if (op.errorMessage !== undefined || op.errorCode !== undefined || id !== op.id) {
      if (typeof at === 'number') this.release(at);
      this.index.set(id, op);
      return this;
    }
    const slot = typeof at === 'number' ? at : this.take();
    this.codes[slot] = typeCode.get(op.type)! | (statusCode.get(op.status)! << 4);
    this.created[slot] = op.createDate;
    this.updated[slot] = op.updateDate;
    const r = slot * REFS;
    this.refs[r + INSTANCE] = op.targets.INSTANCE;
    this.refs[r + SERVICE] = op.targets.SERVICE;
    this.refs[r + NAMESPACE] = op.targets.NAMESPACE;
    this.refs[r + REQUEST_ID] = op.requestId;
    this.refs[r + REQUEST_KEY] = op.requestKey;
    if (alike) this.share(r, alike);
    this.index.set(id, slot);
    return this;
  }

  /** Shares the strings of the instances registrations made (after a snapshot load: see `put`). */
  shareStrings(instance: InstanceLookup): void {
    const refs = this.refs;
    for (const at of this.index.values()) {
      if (typeof at !== 'number') continue;
      const r = at * REFS;
      const serviceId = refs[r + SERVICE];
      const instanceId = refs[r + INSTANCE];
      const alike = serviceId !== undefined && instanceId !== undefined ? instance(serviceId, instanceId) : undefined;
      if (alike) this.share(r, alike);
    }
  }

  private share(r: number, alike: InstanceRecord): void {
    const refs = this.refs;
    if (refs[r + INSTANCE] === alike.id) refs[r + INSTANCE] = alike.id;
    if (refs[r + REQUEST_KEY] === alike.id) refs[r + REQUEST_KEY] = alike.id;
    if (alike.creatorRequestId !== undefined && refs[r + REQUEST_ID] === alike.creatorRequestId)
      refs[r + REQUEST_ID] = alike.creatorRequestId;
  }

  delete(id: string): boolean {
    const at = this.index.get(id);
    if (typeof at === 'number') this.release(at);
    return this.index.delete(id);
  }

  clear(): void {
    this.index.clear();
    this.free.length = 0;
    this.slots = 0;
    this.refs.fill(undefined);
  }

  forEach(visit: (value: OperationRecord, key: string, map: Map<string, OperationRecord>) => void, thisArg?: unknown): void {
    for (const [id, op] of this.entries()) visit.call(thisArg, op, id, this);
  }

  *entries(): MapIterator<[string, OperationRecord]> {
    for (const [id, at] of this.index) yield [id, typeof at === 'number' ? this.record(id, at) : at];
  }

  keys(): MapIterator<string> {
    return this.index.keys();
  }

  *values(): MapIterator<OperationRecord> {
    for (const [id, at] of this.index) yield typeof at === 'number' ? this.record(id, at) : at;
  }

  [Symbol.iterator](): MapIterator<[string, OperationRecord]> {
    return this.entries();
  }

  /** Each id with its create date, without building records (the retention scan reads every operation). */
  forEachCreateDate(visit: (id: string, createDate: number) => void): void {
    for (const [id, at] of this.index) visit(id, typeof at === 'number' ? this.created[at]! : at.createDate);
  }

  /** Each id with its request token, without building records. */
  forEachRequestId(visit: (id: string, requestId: string) => void): void {
    for (const [id, at] of this.index) {
      const token = typeof at === 'number' ? this.refs[at * REFS + REQUEST_ID] : at.requestId;
      if (token !== undefined) visit(id, token);
    }
  }

  /** Makes room for `n` operations at once (a snapshot's worth), so the columns are not regrown. */
  reserve(n: number): void {
    if (n > this.codes.length) this.grow(n);
  }

  private record(id: string, slot: number): OperationRecord {
    const refs = this.refs;
    const r = slot * REFS;
    const instance = refs[r + INSTANCE];
    const service = refs[r + SERVICE];
    const namespace = refs[r + NAMESPACE];
    const requestId = refs[r + REQUEST_ID];
    const requestKey = refs[r + REQUEST_KEY];
    const targets: OperationRecord['targets'] = {};
    if (instance !== undefined) targets.INSTANCE = instance;
    if (service !== undefined) targets.SERVICE = service;
    if (namespace !== undefined) targets.NAMESPACE = namespace;
    const code = this.codes[slot]!;
    const op: OperationRecord = {
      id,
      type: TYPES[code & 15]!,
      status: STATUSES[code >> 4]!,
      createDate: this.created[slot]!,
      updateDate: this.updated[slot]!,
      targets,
    };
    if (requestId !== undefined) op.requestId = requestId;
    if (requestKey !== undefined) op.requestKey = requestKey;
    return op;
  }

  private take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.slots++;
    if (slot >= this.codes.length) this.grow(Math.max(64, this.codes.length * 2));
    return slot;
  }

  private release(slot: number): void {
    this.refs.fill(undefined, slot * REFS, slot * REFS + REFS);
    this.free.push(slot);
  }

  private grow(capacity: number): void {
    const codes = new Uint8Array(capacity);
    codes.set(this.codes);
    const created = new Float64Array(capacity);
    created.set(this.created);
    const updated = new Float64Array(capacity);
    updated.set(this.updated);
    this.codes = codes;
    this.created = created;
    this.updated = updated;
    this.refs.length = capacity * REFS;
  }
}
