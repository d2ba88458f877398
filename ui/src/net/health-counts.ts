// Instances of a service counted by health, from GetInstancesHealthStatus (a service without health
// checks reports none: its instances are all UNKNOWN).
import { call, type Service } from './cloudmap.ts';

export async function healthCounts(service: Service): Promise<Record<string, number>> {
  if (!service.HealthCheckConfig && !service.HealthCheckCustomConfig) return { UNKNOWN: service.InstanceCount ?? 0 };
  const counts: Record<string, number> = {};
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await call<{ Status?: Record<string, string>; NextToken?: string }>('GetInstancesHealthStatus', {
      ServiceId: service.Id,
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    });
    for (const status of Object.values(page.Status ?? {})) counts[status] = (counts[status] ?? 0) + 1;
    token = page.NextToken;
  } while (token && ++pages < 50);
  return counts;
}
