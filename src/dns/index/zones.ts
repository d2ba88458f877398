// Every DNS namespace as a zone, kept current from the catalog's change events before the writer
// returns (a namespace or service change rebuilds that zone or service; an instance or health change
// edits only that instance's records), and the choice of the zone that answers a name (docs/dns.md,
// "Choosing the zone").
import type { Log } from '../../model/log.ts';
import type { Catalog, CatalogListener } from '../../catalog/index.ts';
import { instanceKeyParts, type NamespaceRecord } from '../../model/records.ts';
import type { Change } from '../../model/changes.ts';
import type { ApexSettings } from './apex.ts';
import { dnsRelevantChange, ServiceNames } from './service-names.ts';
import { Zone } from './zone.ts';

/** The name is under a private zone this client cannot see: REFUSED, never forwarded. */
export const HIDDEN = Symbol('hidden');

/** What a client sees: the VPCs whose private namespaces are visible to it. */
export interface Visibility {
  readonly vpcs: ReadonlySet<string>;
}

const isDns = (ns: NamespaceRecord): boolean => ns.type === 'DNS_PUBLIC' || ns.type === 'DNS_PRIVATE';

/** Private before public (private wins for clients that see it), then older first. */
const precedence = (a: Zone, b: Zone): number => Number(b.isPrivate) - Number(a.isPrivate) || a.createDate - b.createDate;

export class Zones implements CatalogListener {
  private readonly byApex = new Map<string, Zone[]>();
  private readonly byId = new Map<string, Zone>();
  /** The names of each service that puts any in DNS. */
  private readonly services = new Map<string, ServiceNames>();
  /** Distinct label counts of the apexes, deepest first. */
  private depths: number[] = [];
  private readonly settings: ApexSettings;
  private readonly log: Log;
  private readonly vpcKnown: (vpc: string) => boolean;

  constructor(settings: ApexSettings, log: Log, vpcKnown: (vpc: string) => boolean) {
    this.settings = settings;
    this.log = log;
    this.vpcKnown = vpcKnown;
  }

  /**
   * The zone that answers `key` for this client: the visible zone with the longest apex that is the
   * name or an ancestor of it. HIDDEN when only invisible private zones match; undefined when none.
   */
  find(key: string, view: Visibility): Zone | typeof HIDDEN | undefined {
    let labels = 0;
    for (let off = 0; off < key.length; off += key.charCodeAt(off) + 1) labels++;
    let hidden = false;
    // Only suffixes as deep as some apex can match: usually one or two map lookups.
    for (const depth of this.depths) {
      if (depth > labels) continue;
      let off = 0;
      for (let i = labels - depth; i > 0; i--) off += key.charCodeAt(off) + 1;
      const zones = this.byApex.get(off === 0 ? key : key.substring(off));
      if (zones === undefined) continue;
      for (const z of zones) {
        if (z.vpc === undefined || view.vpcs.has(z.vpc)) return z;
        hidden = true;
      }
    }
    return hidden ? HIDDEN : undefined;
  }

  zone(namespaceId: string): Zone | undefined {
    return this.byId.get(namespaceId);
  }

  get size(): number {
    return this.byId.size;
  }

  reset(catalog: Catalog): void {
    this.byApex.clear();
    this.byId.clear();
    this.services.clear();
    this.depths = [];
    for (const ns of catalog.namespaces()) this.syncNamespace(catalog, ns.id);
  }

  changed(change: Change, catalog: Catalog): void {
    const namespaces = new Set<string>();
    const services = new Set<string>();
    /** Service id → instance id → whether the instance itself changed (else only its health). */
    const instances = new Map<string, Map<string, boolean>>();
    for (const m of change.mutations) {
      if (m.table === 'namespaces') namespaces.add(m.key);
      else if (m.table === 'services') services.add(m.key);
      else if (m.table === 'instances' || m.table === 'health') {
        const k = instanceKeyParts(m.key);
        if (!k) continue;
        let changed = instances.get(k.serviceId);
        if (!changed) instances.set(k.serviceId, (changed = new Map<string, boolean>()));
        changed.set(k.instanceId, m.table === 'instances' || changed.get(k.instanceId) === true);
      }
    }
    const rebuilt = new Set<string>();
    for (const id of namespaces) this.syncNamespace(catalog, id, rebuilt);
    for (const id of services) {
      if (rebuilt.has(id)) continue;
      const names = this.services.get(id);
      const service = catalog.service(id);
      // Every instance write bumps the service's InstancesRevision: that alone changes nothing here.
      if (names && service && !dnsRelevantChange(names.service, service)) names.service = service;
      else this.syncService(catalog, id, rebuilt);
    }
    for (const [sid, changed] of instances) {
      if (rebuilt.has(sid)) continue;
      const names = this.services.get(sid);
      if (!names) {
        this.syncService(catalog, sid, rebuilt);
        continue;
      }
      for (const [iid, instanceChanged] of changed) {
        if (instanceChanged) names.updateInstance(catalog, iid);
        else names.updateHealth(catalog, iid);
      }
    }
  }

  /** Creates, updates (apex only) or removes the zone of a namespace. */
  private syncNamespace(catalog: Catalog, id: string, rebuilt?: Set<string>): void {
    const ns = catalog.namespace(id);
    const existing = this.byId.get(id);
    if (!ns || !isDns(ns)) {
      if (existing) this.removeZone(existing);
      return;
    }
    if (existing) {
      existing.setApex(ns, this.settings);
      return;
    }
    const zone = new Zone(ns, this.settings);
    if (zone.vpc !== undefined && !this.vpcKnown(zone.vpc)) {
      this.log.warn({ namespace: ns.name, vpc: zone.vpc }, 'private namespace belongs to a VPC with no --vpc entry: nobody can see it');
    }
    this.byId.set(id, zone);
    const list = this.byApex.get(zone.apexKey) ?? [];
    list.push(zone);
    list.sort(precedence);
    this.byApex.set(zone.apexKey, list);
    this.updateDepths();
    for (const s of catalog.servicesOf(id)) this.syncService(catalog, s.id, rebuilt);
  }

  private removeZone(zone: Zone): void {
    this.byId.delete(zone.id);
    const list = (this.byApex.get(zone.apexKey) ?? []).filter((z) => z !== zone);
    if (list.length > 0) this.byApex.set(zone.apexKey, list);
    else this.byApex.delete(zone.apexKey);
    this.updateDepths();
    for (const [sid, names] of this.services) if (names.zone === zone) this.services.delete(sid);
  }

  private updateDepths(): void {
    const depths = new Set<number>();
    for (const apex of this.byApex.keys()) {
      let n = 0;
      for (let off = 0; off < apex.length; off += apex.charCodeAt(off) + 1) n++;
      depths.add(n);
    }
    this.depths = [...depths].sort((a, b) => b - a);
  }

  /** Rebuilds one service's names (all of them: its record sets and host names). */
  private syncService(catalog: Catalog, id: string, rebuilt?: Set<string>): void {
    rebuilt?.add(id);
    this.services.get(id)?.detach();
    this.services.delete(id);
    const service = catalog.service(id);
    const zone = service ? this.byId.get(service.namespaceId) : undefined;
    if (!service || !zone) return;
    const names = ServiceNames.build(catalog, catalog.namespace(service.namespaceId)!, service, zone);
    if (names) this.services.set(id, names);
  }
}
