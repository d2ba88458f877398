// What one catalog change means to the watchers of each service it touches, and the bytes of a watch
// event as a server-sent event (the format is in docs/cloud-map-api.md#watching).
import type { Change } from '../model/changes.ts';
import { instanceKeyParts, type EffectiveHealth, type HealthStatus, type InstanceRecord, type ServiceRecord } from '../model/records.ts';

export type WatchChange =
  | { type: 'register' | 'update' | 'deregister'; instanceId: string }
  | { type: 'health'; instanceId: string; healthStatus: EffectiveHealth };

/** The part of a change that concerns one service. */
export interface ServiceTouch {
  /** The service as the change left it: null when deleted, undefined when the change did not write it. */
  service?: ServiceRecord | null;
  /** Instances written (registered or replaced), by id, in the change's order. */
  written: Map<string, InstanceRecord>;
  deregistered: string[];
  /** Health records written (not removed), by instance id. */
  health: Map<string, HealthStatus>;
}

function touch(touches: Map<string, ServiceTouch>, serviceId: string): ServiceTouch {
  let t = touches.get(serviceId);
  if (!t) touches.set(serviceId, (t = { written: new Map(), deregistered: [], health: new Map() }));
  return t;
}

/** The services a change touches, and how. */
export function touchesOf(change: Change): Map<string, ServiceTouch> {
  const touches = new Map<string, ServiceTouch>();
  for (const m of change.mutations) {
    switch (m.table) {
      case 'services':
        touch(touches, m.key).service = m.value;
        break;
      case 'instances': {
        const k = instanceKeyParts(m.key);
        if (!k) break;
        const t = touch(touches, k.serviceId);
        if (m.value) t.written.set(k.instanceId, m.value);
        else t.deregistered.push(k.instanceId);
        break;
      }
      case 'health': {
        const k = instanceKeyParts(m.key);
        // A removed record goes with its instance or with the service's health check: neither is a flip.
        if (k && m.value) touch(touches, k.serviceId).health.set(k.instanceId, m.value.status);
        break;
      }
      default:
    }
  }
  return touches;
}

/**
 * The changes one touch makes to a service's instance set. A written instance is a new registration
 * when its `seq` is this change's revision: the registry gives a new instance the revision of its commit
 * and a replaced one keeps its old `seq`. A health record written alone is a flip.
 */
export function watchChanges(t: ServiceTouch, revision: number): WatchChange[] {
  const out: WatchChange[] = [];
  for (const [instanceId, record] of t.written) out.push({ type: record.seq === revision ? 'register' : 'update', instanceId });
  for (const instanceId of t.deregistered) out.push({ type: 'deregister', instanceId });
  for (const [instanceId, healthStatus] of t.health) {
    if (!t.written.has(instanceId)) out.push({ type: 'health', instanceId, healthStatus });
  }
  return out;
}

export type EventKind = 'snapshot' | 'change';

export interface EventBody {
  namespace: string;
  service: string;
  revision: number;
  /** Instance summaries as JSON (instanceSummaryJson). */
  instances: readonly string[];
  changes: readonly WatchChange[];
}

/** One event as the stream carries it; `id` is the service's InstancesRevision. */
export function eventFrame(kind: EventKind, body: EventBody): Buffer {
  const data =
    `{"namespace":${JSON.stringify(body.namespace)},"service":${JSON.stringify(body.service)},"revision":${body.revision},` +
    `"instances":[${body.instances.join(',')}],"changes":${JSON.stringify(body.changes)}}`;
  // JSON.stringify escapes CR and LF, so the data is one line as the format requires.
  return Buffer.from(`id: ${body.revision}\nevent: ${kind}\ndata: ${data}\n\n`);
}

/**
 * An empty id and no data: the client forgets its last event id and dispatches nothing. Sent before a
 * deleted service's stream ends, so a reconnect cannot resume the revisions of a service created
 * later under the same name (its InstancesRevision starts again at 0).
 */
export const FORGET_ID = Buffer.from('id\n\n');

/** A comment line: keeps proxies from closing an idle stream; clients ignore it. */
export const HEARTBEAT = Buffer.from(': ping\n\n');
