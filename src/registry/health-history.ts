// A bounded, in-memory history of health flips per instance, for the console's timeline. The store keeps
// only the current status (and its `since`), so this records the flips this replica has seen since it
// started; a reload from a snapshot keeps what it had and adds the current status where it differs.
import type { Catalog, CatalogListener } from '../catalog/index.ts';
import type { Change } from '../model/changes.ts';
import { instanceKey, instanceKeyParts, type HealthRecord, type HealthStatus } from '../model/records.ts';

export interface HealthPoint {
  status: HealthStatus;
  /** epoch ms the status began */
  at: number;
}

export class HealthHistory implements CatalogListener {
  private readonly byInstance = new Map<string, HealthPoint[]>();
  private readonly perInstance: number;

  /** `perInstance`: the most points kept for one instance (the oldest go first); 0 keeps none. */
  constructor(perInstance: number) {
    this.perInstance = perInstance;
  }

  /** The points known for an instance, oldest first (a copy). */
  of(serviceId: string, instanceId: string): HealthPoint[] {
    return [...(this.byInstance.get(instanceKey(serviceId, instanceId)) ?? [])];
  }

  /** Instances with a history (bounded by the instances the registry holds). */
  get size(): number {
    return this.byInstance.size;
  }

  changed(change: Change): void {
    // A (re-)registration or a deregistration starts the instance's story over, before the status it
    // starts with (written in the same change) is recorded.
    for (const m of change.mutations) {
      if (m.table === 'instances') this.byInstance.delete(m.key);
      else if (m.table === 'services' && m.value === null) this.forgetService(m.key);
    }
    for (const m of change.mutations) if (m.table === 'health') this.record(m.key, m.value);
  }

  reset(catalog: Catalog): void {
    const seen = new Set<string>();
    for (const service of catalog.services()) {
      for (const id of catalog.instancesOf(service.id).keys()) {
        const key = instanceKey(service.id, id);
        seen.add(key);
        const health = catalog.health(service.id, id);
        if (health) this.record(key, health);
      }
    }
    for (const key of [...this.byInstance.keys()]) if (!seen.has(key)) this.byInstance.delete(key);
  }

  private record(key: string, value: HealthRecord | null): void {
    if (value === null) {
      this.byInstance.delete(key);
      return;
    }
    if (this.perInstance === 0) return;
    let points = this.byInstance.get(key);
    if (!points) this.byInstance.set(key, (points = []));
    const last = points[points.length - 1];
    if (last && last.status === value.status && last.at === value.since) return;
    points.push({ status: value.status, at: value.since });
    if (points.length > this.perInstance) points.splice(0, points.length - this.perInstance);
  }

  private forgetService(serviceId: string): void {
    for (const key of [...this.byInstance.keys()]) if (instanceKeyParts(key)?.serviceId === serviceId) this.byInstance.delete(key);
  }
}
