// DiscoverInstances and DiscoverInstancesRevision (docs/cloud-map-api.md#discovery), read from the catalog only.
// A hot path: per-service views with each instance's JSON bytes prepared (discovery-cache.ts), so a call
// is a filter, a partial shuffle and one copy of those bytes into the body.
import { NamespaceNotFound, ServiceNotFound } from '../model/errors.ts';
import type { DiscoverInstancesRequest, DiscoverInstancesRevisionRequest } from '../model/inputs.ts';
import { RawJson } from '../model/raw-json.ts';
import type { RegistryContext } from './context.ts';
import type { DiscoveryEntry, ServiceView } from './discovery-cache.ts';
import type { ServiceRecord } from '../model/records.ts';

type Pairs = readonly (readonly [string, string])[];

function locate(ctx: RegistryContext, namespaceName: string, serviceName: string, ownerAccount: string | undefined): ServiceView {
  // cairn holds one account: another account's namespace is one cairn does not have.
  if (ownerAccount !== undefined && ownerAccount !== ctx.account.accountId)
    throw new NamespaceNotFound(`${namespaceName} (owner ${ownerAccount})`);
  const found = ctx.discovery.find(namespaceName, serviceName);
  if (found === 'namespace') throw new NamespaceNotFound(namespaceName);
  if (found === 'service') throw new ServiceNotFound(`${serviceName} in namespace ${namespaceName}`);
  return found;
}

/** The service a watch names, found as DiscoverInstances finds it (NamespaceNotFound, ServiceNotFound). */
export function discoveredService(ctx: RegistryContext, namespaceName: string, serviceName: string): ServiceRecord {
  return locate(ctx, namespaceName, serviceName, undefined).service;
}

function matchesAll(attrs: Readonly<Record<string, string>>, pairs: Pairs): boolean {
  for (const [k, v] of pairs) if (attrs[k] !== v) return false;
  return true;
}

const entriesOf = (m: Record<string, string> | undefined): Pairs => (m ? Object.entries(m) : []);

/** Steps 3 to 5: query pairs, health, optional pairs. Returns a fresh array the caller may reorder. */
function select(view: ServiceView, input: DiscoverInstancesRequest): DiscoveryEntry[] {
  const query = entriesOf(input.QueryParameters);
  let picked = query.length === 0 ? view.entries.slice() : view.entries.filter((e) => matchesAll(e.record.attributes, query));

  // Only services that track health filter by it; HEALTHY is the default.
  const wanted = input.HealthStatus ?? 'HEALTHY';
  if (view.tracked && wanted !== 'ALL') {
    const status = wanted === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY';
    const kept = picked.filter((e) => e.health === status);
    if (kept.length > 0 || wanted !== 'HEALTHY_OR_ELSE_ALL') picked = kept;
  }

  // Optional pairs narrow the set only when some instance matches them all.
  const optional = entriesOf(input.OptionalParameters);
  if (optional.length > 0) {
    const kept = picked.filter((e) => matchesAll(e.record.attributes, optional));
    if (kept.length > 0) picked = kept;
  }
  return picked;
}

export function discoverInstances(ctx: RegistryContext, input: DiscoverInstancesRequest): RawJson {
  const view = locate(ctx, input.NamespaceName, input.ServiceName, input.OwnerAccount);
  const picked = select(view, input);
  const head = '{"Instances":[';
  const tail = `],"InstancesRevision":${view.service.instancesRevision}}`;
  const count = Math.min(input.MaxResults ?? 100, picked.length);

  // Step 6: a random selection in random order (partial Fisher-Yates over the first `count` slots).
  let size = head.length + tail.length + Math.max(count - 1, 0); // fragments joined by commas
  for (let k = 0; k < count; k++) {
    const j = k + Math.floor(ctx.random() * (picked.length - k));
    const e = picked[j]!;
    picked[j] = picked[k]!;
    picked[k] = e;
    size += e.end - e.start;
  }
  // The body is assembled as bytes: copying cached UTF-8 fragments is cheaper than joining a large
  // string and having the socket encode it again.
  const out = Buffer.allocUnsafeSlow(size);
  const json = view.json;
  let at = out.write(head, 0, 'latin1');
  for (let k = 0; k < count; k++) {
    if (k > 0) out[at++] = 0x2c; // ','
    const e = picked[k]!;
    at += json.copy(out, at, e.start, e.end);
  }
  out.write(tail, at, 'latin1');
  return new RawJson(out);
}

export function discoverInstancesRevision(ctx: RegistryContext, input: DiscoverInstancesRevisionRequest): { InstancesRevision: number } {
  const view = locate(ctx, input.NamespaceName, input.ServiceName, input.OwnerAccount);
  return { InstancesRevision: view.service.instancesRevision };
}
