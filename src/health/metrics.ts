// The health checks' metric families: probe results, flips written, and how many instances this replica
// probes (its share of the checked instances).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HealthCheckType, HealthStatus } from '../model/records.ts';

const RESULTS = ['healthy', 'unhealthy'] as const;
const STATUSES: readonly HealthStatus[] = ['HEALTHY', 'UNHEALTHY'];

export class HealthMetrics {
  private readonly probes: Counter<'type' | 'result'>;
  private readonly flips: Counter<'to'>;

  /** `types`: the probe types, whose series start at 0; `probing`: instances this replica probes now. */
  constructor(registry: Registry, types: readonly HealthCheckType[], probing: () => number) {
    this.probes = new Counter({
      name: 'cairn_health_probes_total',
      help: 'Health probes this replica finished, by check type (TCP, HTTP, HTTPS) and result (healthy, unhealthy)',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
    for (const type of types) for (const result of RESULTS) this.probes.inc({ type, result }, 0);
    this.flips = new Counter({
      name: 'cairn_health_flips_total',
      help: 'Health status changes this replica wrote after FailureThreshold disagreeing probes, by the status written',
      labelNames: ['to'],
      registers: [registry],
    });
    for (const to of STATUSES) this.flips.inc({ to }, 0);
    new Gauge({
      name: 'cairn_health_checked_instances',
      help: "Instances with a health check that this replica probes (its share of the registry's checked instances)",
      registers: [registry],
      collect() {
        this.set(probing());
      },
    });
  }

  probed(type: HealthCheckType, healthy: boolean): void {
    this.probes.inc({ type, result: healthy ? 'healthy' : 'unhealthy' });
  }

  flipped(to: HealthStatus): void {
    this.flips.inc({ to });
  }
}
