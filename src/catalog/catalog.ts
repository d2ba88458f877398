// The in-memory view of the registry that DNS and discovery read. Built from a store snapshot and kept
// current by applying changes in revision order; listeners (the DNS answer cache) hear of every change.
// Instances are held once, in per-service maps (no second map by `${serviceId}/${instanceId}`), and
// operations column by column (store/operation-table.ts): a replica holds every instance and a month of
// operations, so each one costs as little as it can.
import {
  hasHealth,
  instanceKey,
  instanceKeyParts,
  type EffectiveHealth,
  type HealthRecord,
  type InstanceRecord,
  type NamespaceRecord,
  type OperationRecord,
  type ServiceRecord,
  type TagsRecord,
} from '../model/records.ts';
import { emptyTables, type Change, type Mutation, type Snapshot, type Tables } from '../model/changes.ts';
import { OperationTable } from './operation-table.ts';

export interface CatalogListener {
  /** Called after a change is applied. */
  changed(change: Change, catalog: Catalog): void;
  /** Called after the whole catalog was replaced (start, or reload after a feed gap). */
  reset(catalog: Catalog): void;
}

/** The tables the catalog keeps as they are; instances live in `instancesByService`, operations in `ops`. */
type KeptTables = Omit<Tables, 'instances' | 'operations'>;

export class Catalog {
  revision = 0;
  private tables: KeptTables = catalogTables();
  private ops = new OperationTable();
  private servicesByNamespace = new Map<string, Set<string>>();
  private instancesByService = new Map<string, Map<string, InstanceRecord>>();
  private namespaceByHttpName = new Map<string, string>();
  /**
   * CreatorRequestId/UpdaterRequestId → operation id(s): idempotency checks must not scan every operation.
   * Nearly every token has one operation: a bare id then, not a collection (a Set costs ~150 bytes).
   */
  private operationsByRequestId = new Map<string, string | string[]>();
  private readonly listeners = new Set<CatalogListener>();

  /** Hears of every change from now on; `reset` is called at once with the catalog as it is. */
  subscribe(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    listener.reset(this);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Replaces everything with a snapshot. */
  reset(snapshot: Snapshot): void {
    const { instances, operations, ...kept } = snapshot.tables;
    this.tables = kept;
    this.revision = snapshot.revision;
    this.servicesByNamespace = new Map();
    this.instancesByService = new Map();
    this.namespaceByHttpName = new Map();
    this.operationsByRequestId = new Map();
    for (const ns of this.tables.namespaces.values()) this.namespaceByHttpName.set(ns.httpName, ns.id);
    for (const s of this.tables.services.values()) this.indexService(s);
    for (const i of [...instances.values()].sort((a, b) => a.seq - b.seq)) this.indexInstance(i);
    // The snapshot's table is taken over as it is; registrations then share their instances' strings.
    this.ops = OperationTable.of(operations);
    this.ops.shareStrings((serviceId, instanceId) => this.instance(serviceId, instanceId));
    this.ops.forEachRequestId((id, requestId) => this.indexOperation(requestId, id));
    for (const l of this.listeners) l.reset(this);
  }

  /**
   * Applies a change if it is the next one; returns false when it is not (older ones are ignored,
   * a newer one means the caller missed some and must catch up first).
   */
  apply(change: Change): boolean {
    if (change.revision <= this.revision) return true;
    if (change.revision !== this.revision + 1) return false;
    for (const m of change.mutations) this.applyMutation(m);
    this.revision = change.revision;
    for (const l of this.listeners) l.changed(change, this);
    return true;
  }

  private applyMutation(m: Mutation): void {
    switch (m.table) {
      case 'namespaces': {
        const old = this.tables.namespaces.get(m.key);
        if (old && this.namespaceByHttpName.get(old.httpName) === old.id) this.namespaceByHttpName.delete(old.httpName);
        if (m.value) {
          this.tables.namespaces.set(m.key, m.value);
          this.namespaceByHttpName.set(m.value.httpName, m.value.id);
        } else this.tables.namespaces.delete(m.key);
        return;
      }
      case 'services': {
        const old = this.tables.services.get(m.key);
        if (old) this.servicesByNamespace.get(old.namespaceId)?.delete(old.id);
        if (m.value) {
          this.tables.services.set(m.key, m.value);
          this.indexService(m.value);
        } else {
          this.tables.services.delete(m.key);
          this.instancesByService.delete(m.key);
        }
        return;
      }
      case 'instances': {
        if (m.value) this.indexInstance(m.value);
        else {
          const k = instanceKeyParts(m.key);
          if (k) this.instancesByService.get(k.serviceId)?.delete(k.instanceId);
        }
        return;
      }
      case 'operations': {
        const oldToken = this.ops.requestIdOf(m.key);
        if (oldToken !== undefined) this.unindexOperation(oldToken, m.key);
        if (m.value) this.addOperation(m.key, m.value);
        else this.ops.delete(m.key);
        return;
      }
      default: {
        const table = this.tables[m.table] as Map<string, unknown>;
        if (m.value === null) table.delete(m.key);
        else table.set(m.key, m.value);
      }
    }
  }

  private indexService(s: ServiceRecord): void {
    let set = this.servicesByNamespace.get(s.namespaceId);
    if (!set) this.servicesByNamespace.set(s.namespaceId, (set = new Set()));
    set.add(s.id);
  }

  private addOperation(key: string, op: OperationRecord): void {
    const { SERVICE, INSTANCE } = op.targets;
    // A registration's instance holds the same id and token: the table keeps one copy of each.
    const alike = SERVICE !== undefined && INSTANCE !== undefined ? this.instance(SERVICE, INSTANCE) : undefined;
    this.ops.put(op, alike, key);
    const requestId = this.ops.requestIdOf(key);
    if (requestId !== undefined) this.indexOperation(requestId, key);
  }

  private indexOperation(requestId: string, id: string): void {
    const ids = this.operationsByRequestId.get(requestId);
    if (ids === undefined) this.operationsByRequestId.set(requestId, id);
    else if (typeof ids === 'string') {
      if (ids !== id) this.operationsByRequestId.set(requestId, [ids, id]);
    } else if (!ids.includes(id)) ids.push(id);
  }

  private unindexOperation(requestId: string, id: string): void {
    const ids = this.operationsByRequestId.get(requestId);
    if (ids === id) this.operationsByRequestId.delete(requestId);
    else if (Array.isArray(ids)) {
      const rest = ids.filter((x) => x !== id);
      this.operationsByRequestId.set(requestId, rest.length === 1 ? rest[0]! : rest);
    }
  }

  private indexInstance(i: InstanceRecord): void {
    let map = this.instancesByService.get(i.serviceId);
    if (!map) this.instancesByService.set(i.serviceId, (map = new Map<string, InstanceRecord>()));
    map.set(i.id, i);
  }

  // Reads. Returned records are shared with the catalog: callers must not mutate them.
  namespace(id: string): NamespaceRecord | undefined {
    return this.tables.namespaces.get(id);
  }
  namespaces(): Iterable<NamespaceRecord> {
    return this.tables.namespaces.values();
  }
  namespaceByHttp(httpName: string): NamespaceRecord | undefined {
    const id = this.namespaceByHttpName.get(httpName);
    return id === undefined ? undefined : this.tables.namespaces.get(id);
  }
  service(id: string): ServiceRecord | undefined {
    return this.tables.services.get(id);
  }
  services(): Iterable<ServiceRecord> {
    return this.tables.services.values();
  }
  servicesOf(namespaceId: string): ServiceRecord[] {
    const ids = this.servicesByNamespace.get(namespaceId);
    if (!ids) return [];
    return [...ids].map((id) => this.tables.services.get(id)).filter((s): s is ServiceRecord => s !== undefined);
  }
  serviceCount(namespaceId: string): number {
    return this.servicesByNamespace.get(namespaceId)?.size ?? 0;
  }
  /** Instances of a service in registration order. */
  instancesOf(serviceId: string): ReadonlyMap<string, InstanceRecord> {
    return this.instancesByService.get(serviceId) ?? emptyInstances;
  }
  /** What it holds, counted when asked (instances: one addition per service). */
  sizes(): { namespaces: number; services: number; instances: number } {
    let instances = 0;
    for (const m of this.instancesByService.values()) instances += m.size;
    return { namespaces: this.tables.namespaces.size, services: this.tables.services.size, instances };
  }
  instanceCount(serviceId: string): number {
    return this.instancesByService.get(serviceId)?.size ?? 0;
  }
  instance(serviceId: string, instanceId: string): InstanceRecord | undefined {
    return this.instancesByService.get(serviceId)?.get(instanceId);
  }
  health(serviceId: string, instanceId: string): HealthRecord | undefined {
    return this.tables.health.get(instanceKey(serviceId, instanceId));
  }
  /**
   * UNKNOWN for a service without any health config; otherwise the stored status. An instance with no
   * stored status yet counts as HEALTHY (a new check is healthy until it has enough data).
   */
  healthOf(service: ServiceRecord, instanceId: string): EffectiveHealth {
    if (!hasHealth(service)) return 'UNKNOWN';
    return this.health(service.id, instanceId)?.status ?? 'HEALTHY';
  }
  /** Operation records are built on each read: equal to the stored ones, not the same objects. */
  operation(id: string): OperationRecord | undefined {
    return this.ops.get(id);
  }
  operations(): Iterable<OperationRecord> {
    return this.ops.values();
  }
  /** Each operation's id and create date, without building its record. */
  forEachOperationDate(visit: (id: string, createDate: number) => void): void {
    this.ops.forEachCreateDate(visit);
  }
  /** Operations made with this CreatorRequestId / UpdaterRequestId. */
  operationsByRequest(requestId: string): OperationRecord[] {
    const ids = this.operationsByRequestId.get(requestId);
    if (ids === undefined) return [];
    return (typeof ids === 'string' ? [ids] : ids).map((id) => this.ops.get(id)).filter((o): o is OperationRecord => o !== undefined);
  }
  tags(resourceId: string): TagsRecord {
    return this.tables.tags.get(resourceId) ?? [];
  }
}

const emptyInstances: ReadonlyMap<string, InstanceRecord> = new Map();

/** Tables as the catalog keeps them: operations column by column (a replica holds a month of them). */
export const catalogTables = (): Tables => emptyTables(new OperationTable());
