// Every DNS namespace as a zone, kept current from the catalog's change events (only the touched
// namespaces and services are rebuilt, before the writer returns), and the choice of the zone that
// answers a name for a client (spec §2).
import type { Logger } from 'pino';
import type { Catalog, CatalogListener } from '../catalog/catalog.ts';
import type { NamespaceRecord } from '../model/records.ts';
import type { Change } from '../store/types.ts';
import { serviceRecords, type ApexSettings } from './records.ts';
import type { ClientView } from './views.ts';
import { Zone } from './zone.ts';

/** The name is under a private zone this client cannot see: REFUSED, never forwarded. */
export const HIDDEN = Symbol('hidden');

const isDns = (ns: NamespaceRecord): boolean => ns.type === 'DNS_PUBLIC' || ns.type === 'DNS_PRIVATE';

/** Private before public (private wins for clients that see it), then older first. */
const precedence = (a: Zone, b: Zone): number => Number(b.isPrivate) - Number(a.isPrivate) || a.createDate - b.createDate;

export class Zones implements CatalogListener {
  private readonly byApex = new Map<string, Zone[]>();
  private readonly byId = new Map<string, Zone>();
  /** Zone of each service that has records, so a deleted service can be removed. */
  private readonly serviceZone = new Map<string, Zone>();
  /** Distinct label counts of the apexes, deepest first. */
  private depths: number[] = [];
  private readonly settings: ApexSettings;
  private readonly log: Logger;
  private readonly vpcKnown: (vpc: string) => boolean;

  constructor(settings: ApexSettings, log: Logger, vpcKnown: (vpc: string) => boolean) {
    this.settings = settings;
    this.log = log;
    this.vpcKnown = vpcKnown;
  }

  /**
   * The zone that answers `key` for this client: the visible zone with the longest apex that is the
   * name or an ancestor of it. HIDDEN when only invisible private zones match; undefined when none.
   */
  find(key: string, view: ClientView): Zone | typeof HIDDEN | undefined {
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
    this.serviceZone.clear();
    this.depths = [];
    for (const ns of catalog.namespaces()) this.syncNamespace(catalog, ns.id);
  }

  changed(change: Change, catalog: Catalog): void {
    const namespaces = new Set<string>();
    const services = new Set<string>();
    for (const m of change.mutations) {
      if (m.table === 'namespaces') namespaces.add(m.key);
      else if (m.table === 'services') services.add(m.key);
      else if (m.table === 'instances' || m.table === 'health') {
        // key = `${serviceId}/${instanceId}`; service ids hold no '/', instance ids may.
        const slash = m.key.indexOf('/');
        if (slash > 0) services.add(m.key.slice(0, slash));
      }
    }
    for (const id of namespaces) this.syncNamespace(catalog, id);
    for (const id of services) this.syncService(catalog, id);
  }

  /** Creates, updates (apex only) or removes the zone of a namespace. */
  private syncNamespace(catalog: Catalog, id: string): void {
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
    for (const s of catalog.servicesOf(id)) this.syncService(catalog, s.id);
  }

  private removeZone(zone: Zone): void {
    this.byId.delete(zone.id);
    const list = (this.byApex.get(zone.apexKey) ?? []).filter((z) => z !== zone);
    if (list.length > 0) this.byApex.set(zone.apexKey, list); else this.byApex.delete(zone.apexKey);
    this.updateDepths();
    for (const [sid, z] of this.serviceZone) if (z === zone) this.serviceZone.delete(sid);
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

  /** Rebuilds one service's names (all of them: a service has at most a few thousand instances). */
  private syncService(catalog: Catalog, id: string): void {
    const service = catalog.service(id);
    const previous = this.serviceZone.get(id);
    const zone = service ? this.byId.get(service.namespaceId) : undefined;
    if (previous && previous !== zone) previous.setSource(id, undefined);
    if (!service || !zone) {
      this.serviceZone.delete(id);
      return;
    }
    const ns = catalog.namespace(service.namespaceId)!;
    zone.setSource(id, serviceRecords(catalog, ns, service));
    if (zone.hasSource(id)) this.serviceZone.set(id, zone); else this.serviceZone.delete(id);
  }
}
