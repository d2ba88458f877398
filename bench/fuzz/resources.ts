// The resources of a fuzzed server, through its own API: the seed (a protected zone the liveness probe
// asks for, and a few namespaces, services and instances for the fuzzer to aim at), the pool refresh
// that lists what exists now, and the cleanup that deletes everything the fuzzer made.
import { targetPrefix } from './model.ts';
import type { Pool } from './pool.ts';

/** Names no generator of the fuzzer produces, so it cannot collide with them. */
export const PROBE_ZONE = 'probe.cairn-fuzz';
export const PROBE_NAME = `backend.${PROBE_ZONE}`;
export const FUZZ_ZONES = ['pub.fuzz.test', 'priv.fuzz.test'] as const;
/** The VPC the fuzz servers are started with, so a private namespace can be created and asked from loopback. */
export const FUZZ_VPC_FLAG = ['--vpc', 'vpc-1=127.0.0.0/8'];

type Json = Record<string, unknown>;

export class CallError extends Error {}

/** One API call that must succeed (a setup step, not a fuzz case). */
export async function call(endpoint: string, op: string, input: Json): Promise<Json> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${targetPrefix}.${op}` },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new CallError(`${op}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Json;
}

async function createNamespace(endpoint: string, op: string, input: Json): Promise<string> {
  const { OperationId } = await call(endpoint, op, input);
  const { Operation } = await call(endpoint, 'GetOperation', { OperationId });
  return ((Operation as Json).Targets as Json).NAMESPACE as string;
}

const createService = async (endpoint: string, input: Json): Promise<string> =>
  ((await call(endpoint, 'CreateService', input)).Service as Json).Id as string;

async function register(endpoint: string, serviceId: string, count: number, attributes: (i: number) => Json): Promise<void> {
  for (let i = 0; i < count; i++)
    await call(endpoint, 'RegisterInstance', { ServiceId: serviceId, InstanceId: `i${i}`, Attributes: attributes(i) });
}

const records = (...types: string[]): Json => ({ DnsRecords: types.map((Type) => ({ Type, TTL: 60 })) });
const address = (i: number): Json => ({
  AWS_INSTANCE_IPV4: `127.0.1.${i + 1}`,
  AWS_INSTANCE_IPV6: '::1',
  AWS_INSTANCE_PORT: String(8000 + i),
  color: i % 2 ? 'red' : 'blue',
});

/** The zone of the liveness probe, marked protected in the pool so the fuzzer never names it. */
export async function seedProbe(endpoint: string, pool: Pool): Promise<void> {
  const ns = await createNamespace(endpoint, 'CreatePublicDnsNamespace', { Name: PROBE_ZONE });
  const svc = await createService(endpoint, { Name: 'backend', NamespaceId: ns, DnsConfig: records('A', 'AAAA', 'SRV') });
  await register(endpoint, svc, 3, address);
  pool.protectedIds.add(ns);
  pool.protectedIds.add(svc);
}

/** Namespaces, services and instances to aim at. A step that fails (the fuzzer took the name) is skipped. */
export async function seedTargets(endpoint: string): Promise<void> {
  const steps: (() => Promise<void>)[] = [
    async () => {
      const ns = await createNamespace(endpoint, 'CreatePublicDnsNamespace', { Name: FUZZ_ZONES[0] });
      await register(
        endpoint,
        await createService(endpoint, { Name: 'backend', NamespaceId: ns, DnsConfig: records('A', 'AAAA', 'SRV') }),
        4,
        address,
      );
      await register(
        endpoint,
        await createService(endpoint, { Name: 'www', NamespaceId: ns, DnsConfig: { RoutingPolicy: 'WEIGHTED', ...records('CNAME') } }),
        1,
        () => ({ AWS_INSTANCE_CNAME: `backend.${FUZZ_ZONES[0]}` }),
      );
      await register(
        endpoint,
        await createService(endpoint, { Name: 'checked', NamespaceId: ns, DnsConfig: records('A'), HealthCheckCustomConfig: {} }),
        2,
        address,
      );
    },
    async () => {
      const ns = await createNamespace(endpoint, 'CreatePrivateDnsNamespace', { Name: FUZZ_ZONES[1], Vpc: 'vpc-1' });
      await register(endpoint, await createService(endpoint, { Name: 'db', NamespaceId: ns, DnsConfig: records('A') }), 2, address);
    },
    async () => {
      const ns = await createNamespace(endpoint, 'CreateHttpNamespace', { Name: 'fuzz-http' });
      await register(
        endpoint,
        await createService(endpoint, { Name: 'api', NamespaceId: ns, Tags: [{ Key: 'team', Value: 'x' }] }),
        3,
        address,
      );
    },
  ];
  for (const step of steps)
    await step().catch((e: unknown) => {
      if (!(e instanceof CallError)) throw e;
    });
}

type Summary = { Id: string; Arn: string; Name: string };
type NamespaceSummary = Summary & { ServiceCount?: number; Properties?: { HttpProperties?: { HttpName?: string } } };

/** Lists what the server has now into the pool: every namespace with services, a sample of their instances. */
export async function refreshPool(endpoint: string, pool: Pool): Promise<void> {
  const namespaces = (await allPages(endpoint, 'ListNamespaces', { MaxResults: 100 }, 'Namespaces')) as NamespaceSummary[];
  const withServices: ServiceSummary[] = [];
  for (const n of namespaces) {
    const name = n.Properties?.HttpProperties?.HttpName ?? n.Name;
    pool.addNamespace({ id: n.Id, arn: n.Arn, name });
    if (!n.ServiceCount || pool.protectedIds.has(n.Id)) continue;
    const { Services } = await call(endpoint, 'ListServices', {
      MaxResults: 100,
      Filters: [{ Name: 'NAMESPACE_ID', Values: [n.Id], Condition: 'EQ' }],
    });
    for (const s of Services as ServiceSummary[]) {
      pool.addService({ id: s.Id, arn: s.Arn, name: s.Name, namespaceName: name });
      if (s.InstanceCount) withServices.push(s);
    }
  }
  for (const s of withServices.slice(-16)) {
    const { Instances } = await call(endpoint, 'ListInstances', { ServiceId: s.Id, MaxResults: 20 }).catch(() => ({ Instances: [] }));
    for (const i of Instances as { Id: string }[]) pool.addInstance({ serviceId: s.Id, id: i.Id });
  }
  const { Operations } = await call(endpoint, 'ListOperations', { MaxResults: 20 });
  for (const o of Operations as { Id: string }[]) pool.operations.add(o.Id);
}

type ServiceSummary = Summary & { InstanceCount?: number };

async function allPages(endpoint: string, op: string, input: Json, key: string): Promise<Json[]> {
  const out: Json[] = [];
  let NextToken: unknown;
  do {
    const page = await call(endpoint, op, { ...input, ...(NextToken ? { NextToken } : {}) });
    out.push(...(page[key] as Json[]));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** Deletes every namespace, service and instance except the protected ones; returns how many calls it took. */
export async function cleanup(endpoint: string, pool: Pool): Promise<number> {
  let calls = 0;
  const namespaces = await allPages(endpoint, 'ListNamespaces', { MaxResults: 100 }, 'Namespaces');
  for (const ns of namespaces) {
    if (pool.protectedIds.has(ns.Id as string)) continue;
    const services = await allPages(
      endpoint,
      'ListServices',
      { MaxResults: 100, Filters: [{ Name: 'NAMESPACE_ID', Values: [ns.Id], Condition: 'EQ' }] },
      'Services',
    );
    for (const s of services) {
      const instances = await allPages(endpoint, 'ListInstances', { ServiceId: s.Id, MaxResults: 100 }, 'Instances');
      await Promise.all(instances.map((i) => call(endpoint, 'DeregisterInstance', { ServiceId: s.Id, InstanceId: i.Id })));
      await call(endpoint, 'DeleteService', { Id: s.Id });
      calls += instances.length + 1;
    }
    await call(endpoint, 'DeleteNamespace', { Id: ns.Id });
    calls++;
  }
  pool.namespaces.items.length = 0;
  pool.services.items.length = 0;
  pool.instances.items.length = 0;
  return calls;
}
