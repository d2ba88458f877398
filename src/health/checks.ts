// Active health checks of one replica: keeps the set of probe targets in step with the catalog, probes the
// share that rendezvous hashing gives this replica, counts results against the stored status and writes a
// flip through the registry writer when FailureThreshold consecutive results disagree with it.
import type { Catalog, CatalogListener } from '../catalog/index.ts';
import { instanceKey, instanceKeyParts, type HealthCheckType, type HealthStatus } from '../model/records.ts';
import { ServiceUnavailable } from '../model/errors.ts';
import { setHealth, type Writer } from '../registry/index.ts';
import type { Change } from '../model/changes.ts';
import type { Log } from '../model/log.ts';
import type { Store } from '../store/index.ts';
import type { Registry } from 'prom-client';
import { Membership } from './membership.ts';
import { HealthMetrics } from './metrics.ts';
import type { Probe } from './probe.ts';
import { probes as defaultProbes } from './probes.ts';
import { Scheduler, type SchedulerStats } from './scheduler.ts';
import { ownerOf, owns } from './sharing.ts';
import type { Timers } from '../model/timers.ts';
import { observe, type Streak } from './threshold.ts';
import { allTargets, sameTarget, serviceFingerprint, targetOf, targetsOfService, type ProbeTarget } from './targets.ts';

export interface HealthCheckOptions {
  catalog: Catalog;
  writer: Pick<Writer, 'write'>;
  store: Pick<Store, 'heartbeat'>;
  replicaId: string;
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  now: () => number;
  log: Log;
  probes?: Record<HealthCheckType, Probe>;
  /** The clock probes and heartbeats run on (the real one unless a test injects its own). */
  timers?: Timers;
  /** Where the health metric families are registered (none when not given). */
  metrics?: Registry;
}

export interface HealthCheckStats extends SchedulerStats {
  /** Checked instances in the whole registry. */
  targets: number;
  replicas: number;
  /** Probe results that said unhealthy (refused, timed out, bad status). */
  failures: number;
  flips: number;
}

export class HealthChecks implements CatalogListener {
  /** Every checked instance, whoever probes it (ownership is recomputed from it when replicas change). */
  private readonly targets = new Map<string, ProbeTarget>();
  private readonly keysByService = new Map<string, Set<string>>();
  private readonly fingerprints = new Map<string, string>();
  private readonly streaks = new Map<string, Streak>();
  private readonly writes = new Set<Promise<unknown>>();
  private readonly scheduler: Scheduler<ProbeTarget>;
  private readonly membership: Membership;
  private replicas: readonly string[];
  private flips = 0;
  private failures = 0;
  private readonly o: HealthCheckOptions;
  private readonly metrics: HealthMetrics | undefined;

  constructor(options: HealthCheckOptions) {
    this.o = options;
    this.replicas = [options.replicaId];
    const probes = options.probes ?? defaultProbes;
    this.scheduler = new Scheduler<ProbeTarget>({
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      probe: (t, signal) => probes[t.type](t, signal),
      onResult: (t, healthy) => this.onResult(t, healthy),
      timers: options.timers,
    });
    this.metrics = options.metrics
      ? new HealthMetrics(options.metrics, Object.keys(probes) as HealthCheckType[], () => this.scheduler.size)
      : undefined;
    // A heartbeat lives a little less than one interval and is renewed four times per interval: a replica
    // that dies is dropped within one interval, and its instances are probed by the others at their next
    // phase, so within two intervals of its death.
    const everyMs = Math.max(10, Math.round(options.intervalMs / 4));
    this.membership = new Membership({
      store: options.store,
      replicaId: options.replicaId,
      ttlMs: Math.max(3 * everyMs, Math.round(options.intervalMs * 0.75)),
      everyMs,
      onChange: (replicas) => this.onReplicas(replicas),
      log: options.log,
      timers: options.timers,
    });
  }

  /** Joins the live replica set; the server then subscribes the checks to the catalog. */
  async start(): Promise<void> {
    this.replicas = await this.membership.start();
  }

  /** Stops probing and waits for probes and flip writes in flight (before the store closes). */
  async stop(): Promise<void> {
    this.membership.stop();
    await this.scheduler.stop();
    await Promise.allSettled([...this.writes]);
  }

  stats(): HealthCheckStats {
    return {
      ...this.scheduler.stats(),
      targets: this.targets.size,
      replicas: this.replicas.length,
      failures: this.failures,
      flips: this.flips,
    };
  }

  /**
   * The replica that probes an instance, as this replica sees the live set; undefined when the instance
   * has no active check (custom health, no health config, or unknown).
   */
  probedBy(serviceId: string, instanceId: string): string | undefined {
    const key = instanceKey(serviceId, instanceId);
    return this.targets.has(key) ? ownerOf(key, this.replicas) : undefined;
  }

  /** Keys of the instances this replica probes. */
  probedKeys(): string[] {
    return [...this.scheduler.keys()];
  }

  // ---- following the catalog ------------------------------------------------------------------

  /** Incremental: only the services and instances a change touches are looked at. */
  changed(change: Change): void {
    const catalog = this.o.catalog;
    for (const m of change.mutations) {
      if (m.table === 'services') {
        const service = catalog.service(m.key);
        const fp = serviceFingerprint(service, service && catalog.namespace(service.namespaceId));
        // Registrations and flips rewrite the service (InstancesRevision) without changing its check.
        if (fp === this.fingerprints.get(m.key)) continue;
        this.refreshService(m.key);
      } else if (m.table === 'instances') {
        // Only RegisterInstance writes an instance: a re-registered instance starts its counts over.
        this.streaks.delete(m.key);
        const k = instanceKeyParts(m.key);
        if (k) this.refreshInstance(k.serviceId, k.instanceId, m.key);
      }
    }
  }

  private refreshService(serviceId: string): void {
    const catalog = this.o.catalog;
    const service = catalog.service(serviceId);
    const fp = serviceFingerprint(service, service && catalog.namespace(service.namespaceId));
    if (fp === undefined) this.fingerprints.delete(serviceId);
    else this.fingerprints.set(serviceId, fp);
    const next = service ? targetsOfService(catalog, service) : [];
    const keep = new Set(next.map((t) => t.key));
    for (const key of [...(this.keysByService.get(serviceId) ?? [])]) if (!keep.has(key)) this.remove(key);
    for (const t of next) this.upsert(t);
  }

  private refreshInstance(serviceId: string, instanceId: string, key: string): void {
    const catalog = this.o.catalog;
    const service = catalog.service(serviceId);
    const instance = catalog.instance(serviceId, instanceId);
    const target = service && instance ? targetOf(service, catalog.namespace(service.namespaceId), instance) : undefined;
    if (target) this.upsert(target);
    else this.remove(key);
  }

  /** Full scan: at start and after the catalog was reloaded from a snapshot. */
  reset(): void {
    const catalog = this.o.catalog;
    this.fingerprints.clear();
    for (const s of catalog.services()) {
      const fp = serviceFingerprint(s, catalog.namespace(s.namespaceId));
      if (fp !== undefined) this.fingerprints.set(s.id, fp);
    }
    const next = allTargets(catalog);
    const keep = new Set(next.map((t) => t.key));
    for (const key of [...this.targets.keys()]) if (!keep.has(key)) this.remove(key);
    for (const t of next) this.upsert(t);
  }

  private upsert(target: ProbeTarget): void {
    const previous = this.targets.get(target.key);
    if (previous && sameTarget(previous, target)) return;
    // New, re-registered or probed differently: its counts start over.
    this.streaks.delete(target.key);
    this.targets.set(target.key, target);
    let keys = this.keysByService.get(target.serviceId);
    if (!keys) this.keysByService.set(target.serviceId, (keys = new Set()));
    keys.add(target.key);
    if (owns(this.o.replicaId, target.key, this.replicas)) this.scheduler.set(target);
  }

  private remove(key: string): void {
    const target = this.targets.get(key);
    if (!target) return;
    this.targets.delete(key);
    const keys = this.keysByService.get(target.serviceId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByService.delete(target.serviceId);
    this.streaks.delete(key);
    this.scheduler.delete(key);
  }

  // ---- sharing ---------------------------------------------------------------------------------

  private onReplicas(replicas: readonly string[]): void {
    this.replicas = replicas;
    let gained = 0;
    let lost = 0;
    for (const [key, target] of this.targets) {
      const mine = owns(this.o.replicaId, key, replicas);
      if (mine && !this.scheduler.has(key)) {
        this.scheduler.set(target);
        gained++;
      } else if (!mine && this.scheduler.has(key)) {
        this.scheduler.delete(key);
        this.streaks.delete(key);
        lost++;
      }
    }
    this.o.log.info({ replicas, probing: this.scheduler.size, gained, lost }, 'health check replicas changed');
  }

  // ---- results ---------------------------------------------------------------------------------

  private onResult(target: ProbeTarget, healthy: boolean): void {
    if (!healthy) this.failures++;
    this.metrics?.probed(target.type, healthy);
    if (this.targets.get(target.key) !== target) return; // changed or removed while the probe ran
    const catalog = this.o.catalog;
    if (!catalog.instance(target.serviceId, target.instanceId)) return;
    const stored: HealthStatus = catalog.health(target.serviceId, target.instanceId)?.status ?? 'HEALTHY';
    const { streak, flipTo } = observe(this.streaks.get(target.key), stored, healthy, target.failureThreshold);
    this.streaks.set(target.key, streak);
    if (flipTo) this.flip(target, flipTo);
  }

  private flip(target: ProbeTarget, status: HealthStatus): void {
    const plan = setHealth(target.serviceId, target.instanceId, status, this.o.now());
    // Planned when the writer gets to it: by then the check may be gone or the instance re-registered.
    const write = this.o.writer
      .write((catalog) => (stillChecked(catalog, target) ? plan(catalog) : { mutations: [], result: false }))
      .then((changed) => {
        if (!changed) return;
        this.flips++;
        this.metrics?.flipped(status);
        this.o.log.info(
          { service: target.serviceId, instance: target.instanceId, status, address: `${target.host}:${target.port}` },
          'instance health changed',
        );
      })
      .catch((e: unknown) => {
        // The streak is kept: the next disagreeing result asks for the flip again. The store away is
        // logged once by the store, not once per flip.
        const level = e instanceof ServiceUnavailable ? 'debug' : 'warn';
        this.o.log[level](
          { service: target.serviceId, instance: target.instanceId, status, err: (e as Error).message },
          'health flip not written',
        );
      })
      .finally(() => {
        this.writes.delete(write);
      });
    this.writes.add(write);
  }
}

/** Whether the service still has a check and the instance is the registration that was probed. */
function stillChecked(catalog: Catalog, target: ProbeTarget): boolean {
  return (
    catalog.service(target.serviceId)?.healthCheckConfig !== undefined &&
    catalog.instance(target.serviceId, target.instanceId)?.createDate === target.registeredAt
  );
}
