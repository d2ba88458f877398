// The names one service puts in its zone (spec §3, §4): a record set per DnsRecords type at the
// service name D and a host name per SRV instance, built once and then kept current one instance at a
// time, so a registration, deregistration or health flip costs one instance's records, not the service's.
import type { Catalog } from '../../catalog/index.ts';
import { hasHealth, type InstanceRecord, type NamespaceRecord, type RecordType, type ServiceRecord } from '../../model/records.ts';
import { encodeInstance, serviceLabels, type Encoded } from './apex.ts';
import { HostRef, POLICY, RrSetBuilder, type Policy, type RecordBytes, type RrSet } from './rrset.ts';
import { keyOf, lowerKey, TailWriter, TYPE, validLabels, type Labels } from '../wire/index.ts';
import type { Zone } from './zone.ts';

interface Entry {
  readonly type: RecordType;
  readonly ttl: number;
  readonly set: RrSet;
}

/** Where one instance's record is encoded before it is copied into its set. */
const scratch = { w: new TailWriter(), extra: new TailWriter() };
const bytes: RecordBytes = { tail: scratch.w.buf, tailEnd: 0, extra: scratch.extra.buf, extraEnd: 0, alias: undefined };

function encodeScratch(type: RecordType, ttl: number, inst: InstanceRecord, d: Labels): RecordBytes | undefined {
  scratch.w.reset();
  scratch.extra.reset();
  const e = encodeInstance(type, ttl, inst, d, scratch);
  if (!e) return undefined;
  bytes.tail = scratch.w.buf;
  bytes.tailEnd = scratch.w.pos;
  bytes.extra = scratch.extra.buf;
  bytes.extraEnd = scratch.extra.pos;
  bytes.alias = e.alias;
  return bytes;
}

/** The key of an SRV record's target host name. */
const hostKey = (set: RrSet, i: number): string => lowerKey(set.blob, set.starts[i]! + 16, set.starts[i + 1]! - 1);

/** Whether a service change touches what DNS serves (an InstancesRevision bump does not). */
export function dnsRelevantChange(a: ServiceRecord, b: ServiceRecord): boolean {
  return a.name !== b.name || a.namespaceId !== b.namespaceId || hasHealth(a) !== hasHealth(b)
    || JSON.stringify(a.dnsConfig) !== JSON.stringify(b.dnsConfig);
}

export class ServiceNames {
  /** The service record the names were built from (replaced by later records that change nothing here). */
  service: ServiceRecord;
  readonly zone: Zone;
  private readonly d: Labels;
  private readonly dKey: string;
  private readonly entries: Entry[];
  /** The sets at D in the zone: the non-empty ones, in DnsRecords order. */
  private atD: RrSet[] = [];

  /** Builds every name of the service from the catalog; undefined when it puts nothing in DNS. */
  static build(catalog: Catalog, ns: NamespaceRecord, service: ServiceRecord, zone: Zone): ServiceNames | undefined {
    const config = service.dnsConfig;
    if (!config) return undefined;
    const d = serviceLabels(ns, service);
    if (!validLabels(d)) return undefined;
    return new ServiceNames(catalog, service, zone, d);
  }

  private constructor(catalog: Catalog, service: ServiceRecord, zone: Zone, d: Labels) {
    this.service = service;
    this.zone = zone;
    this.d = d;
    this.dKey = keyOf(d);
    const config = service.dnsConfig!;
    const routing: Policy = config.routingPolicy === 'WEIGHTED' ? POLICY.ONE : POLICY.MULTI;
    const instances = catalog.instancesOf(service.id);
    this.entries = config.dnsRecords.map(({ type, ttl }) => {
      const b = new RrSetBuilder(TYPE[type]);
      const hosts: number[] = [];
      for (const inst of instances.values()) {
        const e: Encoded | undefined = encodeInstance(type, ttl, inst, d, b);
        if (!e) continue;
        const before = b.count;
        const index = b.add(this.healthy(catalog, inst.id), e.alias, inst.id);
        if (e.host && b.count > before) hosts.push(index);
      }
      // A CNAME set holds exactly one record whatever the policy (RFC 1034 §3.6.2).
      const set = b.buildEditable(type === 'CNAME' ? POLICY.ONE : routing, service.id);
      for (const i of hosts) this.attachHost(set, i);
      return { type, ttl, set };
    });
    this.refreshD();
  }

  private healthy(catalog: Catalog, instanceId: string): boolean {
    return catalog.healthOf(this.service, instanceId) !== 'UNHEALTHY';
  }

  /** Takes every name of the service out of the zone. */
  detach(): void {
    for (const s of this.atD) this.zone.removeSet(this.dKey, s);
    this.atD = [];
    for (const { set } of this.entries) {
      for (let i = 0; i < set.size; i++) { const h = set.hostOf(i); if (h) this.zone.removeHost(h); }
    }
  }

  /** An instance was registered, replaced or deregistered: only its records change. */
  updateInstance(catalog: Catalog, instanceId: string): void {
    const inst = catalog.instance(this.service.id, instanceId);
    const healthy = inst !== undefined && this.healthy(catalog, instanceId);
    for (const { type, ttl, set } of this.entries) {
      const old = set.indexOf(instanceId);
      const r = inst ? encodeScratch(type, ttl, inst, this.d) : undefined;
      if (r && old >= 0 && set.ownersOf(old).length === 1) {
        if (set.same(old, r)) { set.setHealthy(old, healthy); continue; }
        const found = type === 'SRV' ? -1 : set.find(r);
        if (found < 0 || found === old) {
          // A changed record keeps its place (the instance keeps its place in registration order).
          const host = set.replace(old, r, instanceId, healthy);
          if (host) this.zone.removeHost(host);
          if (r.extraEnd > 0 && type === 'SRV') this.attachHost(set, old);
          continue;
        }
      }
      if (old >= 0) this.dropFrom(catalog, set, old, instanceId);
      if (!r) continue;
      // An SRV record names its instance: it never equals another instance's record.
      const dup = type === 'SRV' ? -1 : set.find(r);
      if (dup >= 0) {
        set.addOwner(dup, instanceId, healthy);
      } else {
        const at = set.size;
        set.insert(at, r, instanceId, healthy);
        if (r.extraEnd > 0 && type === 'SRV') this.attachHost(set, at);
      }
    }
    this.refreshD();
  }

  /** An instance's health changed: which records count as healthy, nothing is encoded. */
  updateHealth(catalog: Catalog, instanceId: string): void {
    for (const { set } of this.entries) {
      const i = set.indexOf(instanceId);
      if (i >= 0) set.setHealthy(i, set.ownersOf(i).some((id) => this.healthy(catalog, id)));
    }
  }

  /** Takes an instance from behind record i: the record goes with its last instance. */
  private dropFrom(catalog: Catalog, set: RrSet, i: number, instanceId: string): void {
    if (set.dropOwner(i, instanceId) > 0) {
      set.setHealthy(i, set.ownersOf(i).some((id) => this.healthy(catalog, id)));
      return;
    }
    const host = set.remove(i);
    if (host) this.zone.removeHost(host);
  }

  private attachHost(set: RrSet, i: number): void {
    const host = new HostRef(set, i, hostKey(set, i));
    set.setHost(i, host);
    this.zone.addHost(host);
  }

  /** D holds the non-empty sets in DnsRecords order (ANY answers list them in that order). */
  private refreshD(): void {
    let same = true;
    let k = 0;
    for (const { set } of this.entries) {
      if (set.size === 0) continue;
      if (this.atD[k++] !== set) { same = false; break; }
    }
    if (same && k === this.atD.length) return;
    for (const s of this.atD) this.zone.removeSet(this.dKey, s);
    this.atD = this.entries.filter((e) => e.set.size > 0 && this.zone.addSet(this.dKey, e.set)).map((e) => e.set);
  }
}
