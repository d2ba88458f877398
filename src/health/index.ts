// Active health checks (HealthCheckConfig: TCP, HTTP, HTTPS), shared between the replicas of one store.
// The server starts them after the catalog loads and stops them before the store closes.
import { HealthChecks, type HealthCheckOptions } from './checks.ts';

export { HealthChecks, type HealthCheckOptions, type HealthCheckStats } from './checks.ts';

export async function startHealthChecks(options: HealthCheckOptions): Promise<HealthChecks> {
  const checks = new HealthChecks(options);
  await checks.start();
  return checks;
}
