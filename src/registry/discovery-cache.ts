// What DiscoverInstances reads per service, prepared once and reused until the catalog changes that
// service: each instance's record, effective health and serialised JSON fragment. Kept current by a
// catalog listener (any change to a service, its instances or their health drops that service's view;
// namespace changes and reloads drop everything), so the hot path does no per-instance lookups. The
// server subscribes it to the catalog; it lives in the registry context.
// A view's fragments sit back to back in one buffer: a buffer per instance costs more than its bytes.
import type { Catalog, CatalogListener } from '../catalog/index.ts';
import {
  hasHealth,
  instanceKeyParts,
  type EffectiveHealth,
  type InstanceRecord,
  type NamespaceRecord,
  type ServiceRecord,
} from '../model/records.ts';
import type { Change } from '../model/changes.ts';
import { BoundedMap } from '../model/bounded-map.ts';

export interface DiscoveryEntry {
  readonly record: InstanceRecord;
  readonly health: EffectiveHealth;
  /** The instance as an HttpInstanceSummary, serialised to UTF-8: the view's json[start, end). */
  readonly start: number;
  readonly end: number;
}

export interface ServiceView {
  readonly ns: NamespaceRecord;
  readonly service: ServiceRecord;
  /** Whether the service has health config (else every instance is UNKNOWN and health never filters). */
  readonly tracked: boolean;
  /** Instances in registration order. */
  readonly entries: readonly DiscoveryEntry[];
  /** Every entry's fragment, back to back. */
  readonly json: Buffer;
}

/** An instance as DiscoverInstances returns it (an HttpInstanceSummary), as JSON; watch events carry the same. */
export const instanceSummaryJson = (i: InstanceRecord, health: EffectiveHealth, namespaceName: string, serviceName: string): string =>
  JSON.stringify({
    InstanceId: i.id,
    NamespaceName: namespaceName,
    ServiceName: serviceName,
    HealthStatus: health,
    Attributes: i.attributes,
  });

/**
 * Builds a service's view. Records in the catalog are replaced, never mutated, so a record object
 * identifies its content: a view rebuilt after one instance changed copies the other fragments from
 * the view it replaces and serialises only that one.
 */
function buildView(catalog: Catalog, ns: NamespaceRecord, service: ServiceRecord, before: ServiceView | undefined): ServiceView {
  const tracked = hasHealth(service);
  const reusable = before && before.ns.httpName === ns.httpName && before.service.name === service.name ? before : undefined;
  const old = new Map<InstanceRecord, DiscoveryEntry>();
  if (reusable) for (const e of reusable.entries) old.set(e.record, e);
  // First what each instance's fragment is (an earlier entry's bytes, or a new string), then one buffer.
  const records: InstanceRecord[] = [];
  const healths: EffectiveHealth[] = [];
  const parts: (DiscoveryEntry | string)[] = [];
  let size = 0;
  for (const i of catalog.instancesOf(service.id).values()) {
    const health = tracked ? catalog.healthOf(service, i.id) : 'UNKNOWN';
    const hit = old.get(i);
    const part = hit && hit.health === health ? hit : instanceSummaryJson(i, health, ns.httpName, service.name);
    size += typeof part === 'string' ? Buffer.byteLength(part) : part.end - part.start;
    records.push(i);
    healths.push(health);
    parts.push(part);
  }
  const json = Buffer.allocUnsafeSlow(size);
  const entries: DiscoveryEntry[] = [];
  let at = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const start = at;
    at += typeof part === 'string' ? json.write(part, at) : reusable!.json.copy(json, at, part.start, part.end);
    entries.push({ record: records[k]!, health: healths[k]!, start, end: at });
  }
  return { ns, service, tracked, entries, json };
}

/** Bounds the name memo: DNS names are matched case-blind, so spellings of one name are unbounded. */
const MAX_NAMES = 10_000;

export class DiscoveryCache implements CatalogListener {
  private readonly catalog: Catalog;
  private readonly views = new Map<string, ServiceView>();
  /** Views dropped by a change, kept until their service is viewed again to reuse their fragments. */
  private readonly stale = new Map<string, ServiceView>();
  /** `${NamespaceName}\n${ServiceName}` as asked → service id (hits only). */
  private readonly names = new BoundedMap<string, string>(MAX_NAMES);

  constructor(catalog: Catalog) {
    this.catalog = catalog;
  }

  /** A reload brings new record objects: nothing can be reused. */
  reset(): void {
    this.views.clear();
    this.stale.clear();
    this.names.clear();
  }

  changed(change: Change): void {
    for (const m of change.mutations) {
      switch (m.table) {
        case 'namespaces':
          for (const id of this.views.keys()) this.drop(id);
          this.names.clear();
          return;
        case 'services':
          this.drop(m.key);
          if (m.value === null) this.stale.delete(m.key);
          this.names.clear();
          break;
        case 'instances':
        case 'health': {
          const k = instanceKeyParts(m.key);
          if (k) this.drop(k.serviceId);
          break;
        }
        default:
      }
    }
  }

  private drop(serviceId: string): void {
    const view = this.views.get(serviceId);
    if (!view) return;
    this.views.delete(serviceId);
    this.stale.set(serviceId, view);
  }

  /** The service a DiscoverInstances call names (HttpName, then service name), or what is missing. */
  find(namespaceName: string, serviceName: string): ServiceView | 'namespace' | 'service' {
    const key = `${namespaceName}\n${serviceName}`;
    const known = this.names.get(key);
    if (known !== undefined) {
      const view = this.view(known);
      if (view) return view;
    }
    const ns = this.catalog.namespaceByHttp(namespaceName);
    if (!ns) return 'namespace';
    const service = serviceNamed(this.catalog, ns, serviceName);
    if (!service) return 'service';
    this.names.set(key, service.id);
    return this.view(service.id) ?? 'service';
  }

  private view(serviceId: string): ServiceView | undefined {
    const hit = this.views.get(serviceId);
    if (hit) return hit;
    const service = this.catalog.service(serviceId);
    const ns = service && this.catalog.namespace(service.namespaceId);
    if (!service || !ns) return undefined;
    const view = buildView(this.catalog, ns, service, this.stale.get(serviceId));
    this.stale.delete(serviceId);
    this.views.set(serviceId, view);
    return view;
  }
}

/** Exact name first; DNS names are case-insensitive, so DNS namespaces fall back to a case-blind match. */
function serviceNamed(catalog: Catalog, ns: NamespaceRecord, name: string): ServiceRecord | undefined {
  const services = catalog.servicesOf(ns.id);
  const exact = services.find((s) => s.name === name);
  if (exact || ns.type === 'HTTP') return exact;
  const lower = name.toLowerCase();
  return services.find((s) => s.name.toLowerCase() === lower);
}
