// The names one service puts in its zone: a record set per DnsRecords type at the service name D and a
// host name per SRV instance, built once and then kept current one instance at a time, so a
// registration, deregistration or health flip costs one instance's records, not the service's.
import type { Catalog } from '../../catalog/index.ts';
import { hasHealth, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../../model/records.ts';
import { asciiLower, keyOf, labelsOf, TailWriter, validLabels, type Labels } from '../wire/index.ts';
import { apexLabels } from './apex.ts';
import { HostRef, POLICY, RrSetBuilder, type Policy, type RecordBytes, type RrSet } from './rrset.ts';
import { targetKey } from './target-offsets.ts';
import { RECORD_TYPES, type RecordCodec } from './types/index.ts';
import type { Zone } from './zone.ts';

interface Entry {
  readonly codec: RecordCodec;
  readonly ttl: number;
  readonly set: RrSet;
}

/** One instance's record, encoded into scratch writers before it is copied into its set. */
interface ScratchRecord extends RecordBytes {
  /** Its target is a host name with addresses. */
  host: boolean;
}
const scratch = { w: new TailWriter(), extra: new TailWriter() };
const bytes: ScratchRecord = { tail: scratch.w.buf, tailEnd: 0, extra: scratch.extra.buf, extraEnd: 0, alias: undefined, host: false };

function encodeScratch(codec: RecordCodec, ttl: number, inst: InstanceRecord, d: Labels): ScratchRecord | undefined {
  scratch.w.reset();
  scratch.extra.reset();
  const e = codec.encode(inst, ttl, d, scratch);
  if (!e) return undefined;
  bytes.tail = scratch.w.buf;
  bytes.tailEnd = scratch.w.pos;
  bytes.extra = scratch.extra.buf;
  bytes.extraEnd = scratch.extra.pos;
  bytes.alias = e.alias;
  bytes.host = e.host;
  return bytes;
}

/** The service name D: `service.namespace`, lower-cased, or the apex for a service named '.'. */
export function serviceLabels(ns: NamespaceRecord, service: ServiceRecord): string[] {
  const apex = apexLabels(ns);
  return service.name === '.' ? apex : [...labelsOf(asciiLower(service.name)), ...apex];
}

/** Whether a service change touches what DNS serves (an InstancesRevision bump does not). */
export function dnsRelevantChange(a: ServiceRecord, b: ServiceRecord): boolean {
  return (
    a.name !== b.name ||
    a.namespaceId !== b.namespaceId ||
    hasHealth(a) !== hasHealth(b) ||
    JSON.stringify(a.dnsConfig) !== JSON.stringify(b.dnsConfig)
  );
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
      const codec = RECORD_TYPES[type];
      const b = new RrSetBuilder(codec.code);
      const hosts: number[] = [];
      for (const inst of instances.values()) {
        const e = codec.encode(inst, ttl, d, b);
        if (!e) continue;
        const before = b.count;
        const index = b.add(this.healthy(catalog, inst.id), e.alias, inst.id);
        if (e.host && b.count > before) hosts.push(index);
      }
      const set = b.buildEditable(codec.singleRecord ? POLICY.ONE : routing, service.id);
      for (const i of hosts) this.attachHost(set, i);
      return { codec, ttl, set };
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
      for (let i = 0; i < set.size; i++) {
        const h = set.hostOf(i);
        if (h) this.zone.removeHost(h);
      }
    }
  }

  /** An instance was registered, replaced or deregistered: only its records change. */
  updateInstance(catalog: Catalog, instanceId: string): void {
    const inst = catalog.instance(this.service.id, instanceId);
    const healthy = inst !== undefined && this.healthy(catalog, instanceId);
    for (const { codec, ttl, set } of this.entries) {
      const old = set.indexOf(instanceId);
      const r = inst ? encodeScratch(codec, ttl, inst, this.d) : undefined;
      if (r && old >= 0 && set.ownersOf(old).length === 1) {
        if (set.same(old, r)) {
          set.setHealthy(old, healthy);
          continue;
        }
        const found = codec.namesInstance ? -1 : set.find(r);
        if (found < 0 || found === old) {
          // A changed record keeps its place (the instance keeps its place in registration order).
          const host = set.replace(old, r, instanceId, healthy);
          if (host) this.zone.removeHost(host);
          if (r.host) this.attachHost(set, old);
          continue;
        }
      }
      if (old >= 0) this.dropFrom(catalog, set, old, instanceId);
      if (!r) continue;
      // A record that names its instance never equals another instance's record.
      const dup = codec.namesInstance ? -1 : set.find(r);
      if (dup >= 0) {
        set.addOwner(dup, instanceId, healthy);
      } else {
        const at = set.size;
        set.insert(at, r, instanceId, healthy);
        if (r.host) this.attachHost(set, at);
      }
    }
    this.refreshD();
  }

  /** An instance's health changed: which records count as healthy, nothing is encoded. */
  updateHealth(catalog: Catalog, instanceId: string): void {
    for (const { set } of this.entries) {
      const i = set.indexOf(instanceId);
      if (i >= 0)
        set.setHealthy(
          i,
          set.ownersOf(i).some((id) => this.healthy(catalog, id)),
        );
    }
  }

  /** Takes an instance from behind record i: the record goes with its last instance. */
  private dropFrom(catalog: Catalog, set: RrSet, i: number, instanceId: string): void {
    if (set.dropOwner(i, instanceId) > 0) {
      set.setHealthy(
        i,
        set.ownersOf(i).some((id) => this.healthy(catalog, id)),
      );
      return;
    }
    const host = set.remove(i);
    if (host) this.zone.removeHost(host);
  }

  private attachHost(set: RrSet, i: number): void {
    const host = new HostRef(set, i, targetKey(set, i));
    set.setHost(i, host);
    this.zone.addHost(host);
  }

  /** D holds the non-empty sets in DnsRecords order (ANY answers list them in that order). */
  private refreshD(): void {
    let same = true;
    let k = 0;
    for (const { set } of this.entries) {
      if (set.size === 0) continue;
      if (this.atD[k++] !== set) {
        same = false;
        break;
      }
    }
    if (same && k === this.atD.length) return;
    for (const s of this.atD) this.zone.removeSet(this.dKey, s);
    this.atD = this.entries.filter((e) => e.set.size > 0 && this.zone.addSet(this.dKey, e.set)).map((e) => e.set);
  }
}
