// The in-memory view of the registry that DNS and discovery read. Built from a store snapshot and kept
// current by applying changes in revision order; listeners (the DNS answer cache) hear of every change.
import { instanceKey, type HealthRecord, type InstanceRecord, type NamespaceRecord, type OperationRecord, type ServiceRecord, type TagsRecord } from '../model/records.ts';
import { emptyTables, type Change, type Mutation, type Snapshot, type Tables } from '../store/types.ts';

export interface CatalogListener {
  /** Called after a change is applied. */
  changed(change: Change, catalog: Catalog): void;
  /** Called after the whole catalog was replaced (start, or reload after a feed gap). */
  reset(catalog: Catalog): void;
}

export class Catalog {
  revision = 0;
  private tables: Tables = emptyTables();
  private servicesByNamespace = new Map<string, Set<string>>();
  private instancesByService = new Map<string, Map<string, InstanceRecord>>();
  private namespaceByHttpName = new Map<string, string>();
  /** CreatorRequestId/UpdaterRequestId → operation ids: idempotency checks must not scan every operation. */
  private operationsByRequestId = new Map<string, Set<string>>();
  private readonly listeners = new Set<CatalogListener>();

  listen(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Replaces everything with a snapshot. */
  reset(snapshot: Snapshot): void {
    this.tables = snapshot.tables;
    this.revision = snapshot.revision;
    this.servicesByNamespace = new Map();
    this.instancesByService = new Map();
    this.namespaceByHttpName = new Map();
    this.operationsByRequestId = new Map();
    for (const op of this.tables.operations.values()) this.indexOperation(op);
    for (const ns of this.tables.namespaces.values()) this.namespaceByHttpName.set(ns.httpName, ns.id);
    for (const s of this.tables.services.values()) this.indexService(s);
    const instances = [...this.tables.instances.values()].sort((a, b) => a.seq - b.seq);
    for (const i of instances) this.indexInstance(i);
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
        if (m.value) { this.tables.namespaces.set(m.key, m.value); this.namespaceByHttpName.set(m.value.httpName, m.value.id); }
        else this.tables.namespaces.delete(m.key);
        return;
      }
      case 'services': {
        const old = this.tables.services.get(m.key);
        if (old) this.servicesByNamespace.get(old.namespaceId)?.delete(old.id);
        if (m.value) { this.tables.services.set(m.key, m.value); this.indexService(m.value); }
        else { this.tables.services.delete(m.key); this.instancesByService.delete(m.key); }
        return;
      }
      case 'instances': {
        const old = this.tables.instances.get(m.key);
        if (m.value) { this.tables.instances.set(m.key, m.value); this.indexInstance(m.value); }
        else if (old) { this.tables.instances.delete(m.key); this.instancesByService.get(old.serviceId)?.delete(old.id); }
        return;
      }
      case 'operations': {
        const old = this.tables.operations.get(m.key);
        if (old?.requestId !== undefined) this.operationsByRequestId.get(old.requestId)?.delete(old.id);
        if (m.value) { this.tables.operations.set(m.key, m.value); this.indexOperation(m.value); }
        else this.tables.operations.delete(m.key);
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

  private indexOperation(op: OperationRecord): void {
    if (op.requestId === undefined) return;
    let set = this.operationsByRequestId.get(op.requestId);
    if (!set) this.operationsByRequestId.set(op.requestId, (set = new Set()));
    set.add(op.id);
  }

  private indexInstance(i: InstanceRecord): void {
    let map = this.instancesByService.get(i.serviceId);
    if (!map) this.instancesByService.set(i.serviceId, (map = new Map()));
    map.set(i.id, i);
  }

  // Reads. Returned records are shared with the catalog: callers must not mutate them.
  namespace(id: string): NamespaceRecord | undefined { return this.tables.namespaces.get(id); }
  namespaces(): Iterable<NamespaceRecord> { return this.tables.namespaces.values(); }
  namespaceByHttp(httpName: string): NamespaceRecord | undefined {
    const id = this.namespaceByHttpName.get(httpName);
    return id === undefined ? undefined : this.tables.namespaces.get(id);
  }
  service(id: string): ServiceRecord | undefined { return this.tables.services.get(id); }
  services(): Iterable<ServiceRecord> { return this.tables.services.values(); }
  servicesOf(namespaceId: string): ServiceRecord[] {
    const ids = this.servicesByNamespace.get(namespaceId);
    if (!ids) return [];
    return [...ids].map((id) => this.tables.services.get(id)).filter((s): s is ServiceRecord => s !== undefined);
  }
  serviceCount(namespaceId: string): number { return this.servicesByNamespace.get(namespaceId)?.size ?? 0; }
  /** Instances of a service in registration order. */
  instancesOf(serviceId: string): ReadonlyMap<string, InstanceRecord> {
    return this.instancesByService.get(serviceId) ?? emptyInstances;
  }
  instanceCount(serviceId: string): number { return this.instancesByService.get(serviceId)?.size ?? 0; }
  instance(serviceId: string, instanceId: string): InstanceRecord | undefined {
    return this.tables.instances.get(instanceKey(serviceId, instanceId));
  }
  health(serviceId: string, instanceId: string): HealthRecord | undefined {
    return this.tables.health.get(instanceKey(serviceId, instanceId));
  }
  operation(id: string): OperationRecord | undefined { return this.tables.operations.get(id); }
  operations(): Iterable<OperationRecord> { return this.tables.operations.values(); }
  /** Operations made with this CreatorRequestId / UpdaterRequestId. */
  operationsByRequest(requestId: string): OperationRecord[] {
    const ids = this.operationsByRequestId.get(requestId);
    if (!ids) return [];
    return [...ids].map((id) => this.tables.operations.get(id)).filter((o): o is OperationRecord => o !== undefined);
  }
  tags(resourceId: string): TagsRecord { return this.tables.tags.get(resourceId) ?? []; }
}

const emptyInstances: ReadonlyMap<string, InstanceRecord> = new Map();
