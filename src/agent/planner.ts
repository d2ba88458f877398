// The reconcile planner: what the running containers want against what this agent has registered, as the
// calls that bring Cloud Map in step. Pure, so a table of cases tests it without Docker or Cloud Map.
import { sameAttributes, type Desired, type HealthStatus } from './labels.ts';

/** A container's wish with its namespace and service names looked up. */
export interface Resolved extends Desired {
  serviceId: string;
  /** The service has HealthCheckCustomConfig, so the container's health is its instance's health. */
  customHealth: boolean;
}

/** An instance that carries this agent's mark. */
export interface Owned {
  serviceId: string;
  instanceId: string;
  containerId?: string;
  attributes: Readonly<Record<string, string>>;
  /** Its custom health status as last known; undefined when not known. */
  health?: HealthStatus;
}

export interface Registration {
  desired: Resolved;
  attributes: Record<string, string>;
}

export interface Plan {
  deregister: Owned[];
  register: Registration[];
  health: { desired: Resolved; status: HealthStatus }[];
  /** Containers whose instance cannot be registered, with the reason (one line each). */
  conflicts: { desired: Resolved; error: string }[];
}

export const instanceKey = (serviceId: string, instanceId: string): string => `${serviceId}/${instanceId}`;

/**
 * `desired`: every container in scope that wants an instance; `owned`: the instances of this agent in the same
 * scope; `taken`: instance keys held by someone else, with who holds them.
 */
export function plan(desired: readonly Resolved[], owned: readonly Owned[], taken: ReadonlyMap<string, string> = new Map()): Plan {
  const out: Plan = { deregister: [], register: [], health: [], conflicts: [] };
  const ownedByKey = new Map(owned.map((o) => [instanceKey(o.serviceId, o.instanceId), o]));
  const wanted = new Map<string, Resolved>();
  for (const d of [...desired].sort((a, b) => a.containerName.localeCompare(b.containerName))) {
    const key = instanceKey(d.serviceId, d.instanceId);
    const holder = wanted.get(key)?.containerName ?? taken.get(key);
    if (holder !== undefined) {
      out.conflicts.push({
        desired: d,
        error: `instance '${d.instanceId}' of service ${d.service} is already held by ${holder}; set cairn.instance-id`,
      });
      continue;
    }
    wanted.set(key, d);
  }
  for (const [key, o] of ownedByKey) if (!wanted.has(key)) out.deregister.push(o);
  for (const [key, d] of wanted) {
    const have = ownedByKey.get(key);
    const health = d.customHealth ? d.health : undefined;
    if (have === undefined || !sameAttributes(have.attributes, d.attributes)) {
      out.register.push({
        desired: d,
        attributes: { ...d.attributes, ...(health !== undefined ? { AWS_INIT_HEALTH_STATUS: health } : {}) },
      });
    } else if (health !== undefined && have.health !== health) {
      out.health.push({ desired: d, status: health });
    }
  }
  return out;
}
