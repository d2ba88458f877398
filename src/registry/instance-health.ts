// GetInstancesHealthStatus and UpdateInstanceCustomHealthStatus. A custom status change applies at once
// through setHealth (so DNS changes before the call returns), or after AWS's window when
// --custom-health-delay is set.
import { CustomHealthNotFound } from '../model/errors.ts';
import type { GetInstancesHealthStatusRequest, UpdateInstanceCustomHealthStatusRequest } from '../model/inputs.ts';
import type { EffectiveHealth, InstanceRecord } from '../model/records.ts';
import type { RegistryContext } from './context.ts';
import { customHealthWindow } from './custom-health-window.ts';
import { setHealth } from './health-writes.ts';
import { registrationKey } from './instances.ts';
import { requireInstance, requireService } from './lookup.ts';
import { paginate } from './paginate.ts';

interface Row {
  key: string;
  instance: InstanceRecord;
}

export function getInstancesHealthStatus(ctx: RegistryContext, input: GetInstancesHealthStatusRequest) {
  const catalog = ctx.catalog;
  const service = requireService(ctx, input.ServiceId);
  let rows: Row[];
  if (input.Instances) {
    // Listed ids keep the caller's order (repeats once); the position is the page key.
    const ids = [...new Set(input.Instances)];
    rows = ids.map((id, n) => ({ key: String(n).padStart(8, '0'), instance: requireInstance(catalog, service, id) }));
  } else {
    rows = [...catalog.instancesOf(service.id).values()].map((i) => ({ key: registrationKey(i), instance: i }));
  }
  const page = paginate(rows, input.MaxResults, input.NextToken, (r) => r.key);
  const status: Record<string, EffectiveHealth> = {};
  for (const r of page.items) status[r.instance.id] = catalog.healthOf(service, r.instance.id);
  return { Status: status, ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}) };
}

export async function updateInstanceCustomHealthStatus(
  ctx: RegistryContext,
  input: UpdateInstanceCustomHealthStatusRequest,
): Promise<undefined> {
  const service = requireService(ctx, input.ServiceId);
  if (!service.healthCheckCustomConfig) throw new CustomHealthNotFound(service.id);
  const instance = requireInstance(ctx.catalog, service, input.InstanceId);
  if (ctx.customHealthDelayMs > 0) {
    customHealthWindow(ctx).request(service.id, instance, input.Status);
    return undefined;
  }
  await ctx.writer.write(setHealth(service.id, instance.id, input.Status, ctx.now()));
  return undefined;
}
