// Loads benchmark data into cairn the way a user would: Cloud Map API calls through the AWS SDK v3, with
// a bounded number in flight.
import {
  CreateHttpNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  RegisterInstanceCommand,
  type DnsRecord,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import type { Dataset } from './dataset.ts';

/** Runs `fn` over `items` with at most `concurrency` calls in flight; the first failure stops the rest. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: Error | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failed ??= e instanceof Error ? e : new Error(JSON.stringify(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** The id of the namespace an operation created (GetOperation's NAMESPACE target, else by name). */
async function namespaceIdOf(client: ServiceDiscoveryClient, operationId: string | undefined, name: string): Promise<string> {
  if (operationId) {
    try {
      const op = await client.send(new GetOperationCommand({ OperationId: operationId }));
      const id = op.Operation?.Targets?.NAMESPACE;
      if (id) return id;
    } catch {
      /* fall back to listing */
    }
  }
  let token: string | undefined;
  do {
    const page = await client.send(new ListNamespacesCommand({ NextToken: token }));
    const ns = page.Namespaces?.find((n) => n.Name === name);
    if (ns?.Id) return ns.Id;
    token = page.NextToken;
  } while (token);
  throw new Error(`namespace ${name} not found after creating it`);
}

export async function createDnsNamespace(client: ServiceDiscoveryClient, name: string): Promise<string> {
  const res = await client.send(new CreatePublicDnsNamespaceCommand({ Name: name }));
  return namespaceIdOf(client, res.OperationId, name);
}

export async function createHttpNamespace(client: ServiceDiscoveryClient, name: string): Promise<string> {
  const res = await client.send(new CreateHttpNamespaceCommand({ Name: name }));
  return namespaceIdOf(client, res.OperationId, name);
}

export interface LoadResult {
  namespaceId: string;
  serviceIds: Map<string, string>;
  servicesMs: number;
  instancesMs: number;
}

export interface LoadOptions {
  concurrency?: number;
  progress?: (done: number, total: number) => void;
  /** Give up when registering every instance is projected early on to take longer than this, or has
   * taken 1.5 times as long (default 10 min). */
  budgetMs?: number;
}

export class LoadTooSlow extends Error {}

/** Creates the namespace, every service (A, AAAA and SRV, MULTIVALUE) and registers every instance. */
export async function loadDataset(client: ServiceDiscoveryClient, d: Dataset, o: LoadOptions = {}): Promise<LoadResult> {
  const concurrency = o.concurrency ?? 64;
  const budgetMs = o.budgetMs ?? 600_000;
  const namespaceId = await createDnsNamespace(client, d.namespace);
  const records: DnsRecord[] = (['A', 'AAAA', 'SRV'] as const).map((Type) => ({ Type, TTL: d.ttl }));
  const serviceIds = new Map<string, string>();
  let t = performance.now();
  await pool(d.services, concurrency, async (s) => {
    const res = await client.send(
      new CreateServiceCommand({ Name: s.name, NamespaceId: namespaceId, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: records } }),
    );
    serviceIds.set(s.name, res.Service!.Id!);
  });
  const servicesMs = performance.now() - t;
  const work = d.services.flatMap((s) => s.instances.map((i) => ({ s, i })));
  t = performance.now();
  let done = 0;
  await pool(work, concurrency, async ({ s, i }) => {
    await client.send(
      new RegisterInstanceCommand({
        ServiceId: serviceIds.get(s.name)!,
        InstanceId: i.id,
        Attributes: { AWS_INSTANCE_IPV4: i.ipv4, AWS_INSTANCE_IPV6: i.ipv6, AWS_INSTANCE_PORT: String(i.port) },
      }),
    );
    if (++done % 10_000 === 0) o.progress?.(done, work.length);
    // A registry whose writes slow down with its size would make the benchmark run for hours: judge the
    // pace early (the first fifth), and later stop only when far over the budget.
    if (done % 500 === 0) {
      const elapsed = performance.now() - t;
      const projected = (elapsed / done) * work.length;
      const early = done < work.length / 5;
      if ((early && elapsed > 15_000 && projected > budgetMs) || elapsed > 1.5 * budgetMs) {
        throw new LoadTooSlow(
          `cairn registers ${Math.round(done / (elapsed / 1000))} instances/s (${done} of ${work.length} after ${(elapsed / 1000).toFixed(0)} s); loading all would take about ${(projected / 60_000).toFixed(0)} min, over the ${(budgetMs / 60_000).toFixed(0)} min budget (--load-budget)`,
        );
      }
    }
  });
  return { namespaceId, serviceIds, servicesMs, instancesMs: performance.now() - t };
}
