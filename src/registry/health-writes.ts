// The writes of instance health: the status an instance starts with, and the one write that flips it.
// Probes (health/) and UpdateInstanceCustomHealthStatus both go through setHealth, so a flip is a registry
// write like any other: it bumps the service's InstancesRevision and reaches every replica by the feed.
import { instanceKey, type HealthStatus, type InstanceRecord, type ServiceRecord } from '../model/records.ts';
import type { Mutation } from '../model/changes.ts';
import type { Planner } from './writer.ts';

/** The status an instance starts with when (re-)registered: AWS_INIT_HEALTH_STATUS for custom health. */
export function initialHealth(service: ServiceRecord, instance: Pick<InstanceRecord, 'attributes'>): HealthStatus {
  if (service.healthCheckCustomConfig && instance.attributes.AWS_INIT_HEALTH_STATUS === 'UNHEALTHY') return 'UNHEALTHY';
  return 'HEALTHY';
}

/** Mutations that bump a service's InstancesRevision (to be included in the same commit). */
export function bumpRevision(service: ServiceRecord): Mutation {
  return { table: 'services', key: service.id, value: { ...service, instancesRevision: service.instancesRevision + 1 } };
}

/**
 * Plans a health change. Returns true when the status changed; no-op (no write) when the instance is
 * gone or already has that status.
 */
export function setHealth(serviceId: string, instanceId: string, status: HealthStatus, now: number): Planner<boolean> {
  return (catalog) => {
    const service = catalog.service(serviceId);
    if (!service || !catalog.instance(serviceId, instanceId)) return { mutations: [], result: false };
    if (catalog.healthOf(service, instanceId) === status && catalog.health(serviceId, instanceId)) return { mutations: [], result: false };
    return {
      mutations: [{ table: 'health', key: instanceKey(serviceId, instanceId), value: { status, since: now } }, bumpRevision(service)],
      result: true,
    };
  };
}
