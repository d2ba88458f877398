// What DiscoverInstances reads per service, prepared once and reused until the catalog changes that
// service: each instance's attributes, effective health and serialised JSON fragment. Kept current by a
// catalog listener (any change to a service, its instances or their health drops that service's view;
// namespace changes and reloads drop everything), so the hot path does no per-instance lookups.
import type { Catalog } from '../catalog/catalog.ts';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from '../model/records.ts';
import type { Change } from '../store/types.ts';
import { hasHealth, healthOf, type EffectiveHealth } from './health.ts';

export interface DiscoveryEntry {
  readonly attributes: Readonly<Record<string, string>>;
  readonly health: EffectiveHealth;
  /** The instance as an HttpInstanceSummary, serialised to UTF-8. */
  readonly json: Buffer;
}

export interface ServiceView {
  readonly ns: NamespaceRecord;
  readonly service: ServiceRecord;
  /** Whether the service has health config (else every instance is UNKNOWN and health never filters). */
  readonly tracked: boolean;
  /** Instances in registration order. */
  readonly entries: readonly DiscoveryEntry[];
}

interface Fragment { health: EffectiveHealth; namespaceName: string; serviceName: string; json: Buffer }
// Records in the catalog are replaced, never mutated, so a record object identifies its content: a view
// rebuilt after one instance changed re-serialises only that one.
const fragments = new WeakMap<InstanceRecord, Fragment>();

function fragmentOf(i: InstanceRecord, health: EffectiveHealth, namespaceName: string, serviceName: string): Buffer {
  const hit = fragments.get(i);
  if (hit && hit.health === health && hit.namespaceName === namespaceName && hit.serviceName === serviceName) return hit.json;
  const json = Buffer.from(JSON.stringify({ InstanceId: i.id, NamespaceName: namespaceName, ServiceName: serviceName, HealthStatus: health, Attributes: i.attributes }));
  fragments.set(i, { health, namespaceName, serviceName, json });
  return json;
}

/** Bounds the name memo: DNS names are matched case-blind, so spellings of one name are unbounded. */
const MAX_NAMES = 10_000;

export class DiscoveryCache {
  private readonly catalog: Catalog;
  private readonly views = new Map<string, ServiceView>();
  /** `${NamespaceName}\n${ServiceName}` as asked → service id (hits only). */
  private readonly names = new Map<string, string>();

  constructor(catalog: Catalog) {
    this.catalog = catalog;
    catalog.listen({
      changed: (change) => this.changed(change),
      reset: () => { this.views.clear(); this.names.clear(); },
    });
  }

  private changed(change: Change): void {
    for (const m of change.mutations) {
      switch (m.table) {
        case 'namespaces':
          this.views.clear();
          this.names.clear();
          return;
        case 'services':
          this.views.delete(m.key);
          this.names.clear();
          break;
        case 'instances':
        case 'health':
          // key is `${serviceId}/${instanceId}`; service ids hold no '/'.
          this.views.delete(m.key.slice(0, m.key.indexOf('/')));
          break;
        default:
      }
    }
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
    if (this.names.size >= MAX_NAMES) this.names.clear();
    this.names.set(key, service.id);
    return this.view(service.id) ?? 'service';
  }

  private view(serviceId: string): ServiceView | undefined {
    const hit = this.views.get(serviceId);
    if (hit) return hit;
    const service = this.catalog.service(serviceId);
    const ns = service && this.catalog.namespace(service.namespaceId);
    if (!service || !ns) return undefined;
    const tracked = hasHealth(service);
    const entries: DiscoveryEntry[] = [];
    for (const i of this.catalog.instancesOf(serviceId).values()) {
      const health = tracked ? healthOf(this.catalog, service, i.id) : 'UNKNOWN';
      entries.push({ attributes: i.attributes, health, json: fragmentOf(i, health, ns.httpName, service.name) });
    }
    const view: ServiceView = { ns, service, tracked, entries };
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

const caches = new WeakMap<Catalog, DiscoveryCache>();

/** The cache of a catalog, created (and subscribed) on first use. */
export function discoveryCache(catalog: Catalog): DiscoveryCache {
  let c = caches.get(catalog);
  if (!c) caches.set(catalog, (c = new DiscoveryCache(catalog)));
  return c;
}
