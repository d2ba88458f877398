// The Cloud Map side of the agent: the AWS SDK v3 client (against cairn or AWS itself), namespace and service
// names looked up as ids, the instances this agent owns, and the writes; errors sorted into "this request
// can never succeed" (a 4xx) and "try again later" (everything else).
import {
  DeregisterInstanceCommand,
  GetInstanceCommand,
  paginateGetInstancesHealthStatus,
  paginateListInstances,
  paginateListNamespaces,
  paginateListServices,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
  UpdateInstanceCustomHealthStatusCommand,
  type NamespaceSummary,
  type ServiceFilter,
} from '@aws-sdk/client-servicediscovery';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { Log } from '../model/log.ts';
import { ATTRIBUTE, type HealthStatus } from './labels.ts';
import { instanceKey, type Owned } from './planner.ts';

/** An access key pair, as the SDK takes it. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CloudMapOptions {
  /** Cloud Map API endpoint (cairn); undefined: the SDK's own (AWS Cloud Map). */
  endpoint?: string;
  region: string;
  /** Fixed credentials; undefined: the SDK's chain (environment, profile, container or instance role). */
  credentials?: Credentials;
  /** Longest wait for one API call, connecting included. */
  callTimeoutMs: number;
  log: Log;
}

export interface ServiceRef {
  serviceId: string;
  customHealth: boolean;
}

/** A request Cloud Map refused for what it is (bad input, unknown service): retrying it as it is cannot help. */
export function isPermanent(e: unknown): boolean {
  const err = e as { $fault?: string; name?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode ?? 0;
  return (
    err.$fault === 'client' &&
    status >= 400 &&
    status < 500 &&
    status !== 429 &&
    err.name !== 'RequestLimitExceeded' &&
    err.name !== 'ThrottlingException'
  );
}

/** One line for a failed call: the error's name and message, never its request or stack. */
export const describeError = (e: unknown): string => {
  const err = e as { name?: string; message?: string; code?: string };
  return `${err.name ?? 'Error'}: ${err.message ?? err.code ?? String(e)}`;
};

export class CloudMap {
  private readonly client: ServiceDiscoveryClient;
  /** Namespace ids by name, as last listed (several namespaces may share a name). */
  private namespaces = new Map<string, string[]>();
  private services = new Map<string, Map<string, ServiceRef>>();
  private namespacesAt = 0;

  constructor(o: CloudMapOptions) {
    this.client = new ServiceDiscoveryClient({
      region: o.region,
      ...(o.endpoint !== undefined ? { endpoint: o.endpoint, disableHostPrefix: true } : {}),
      credentials: o.credentials ?? chainOrPlaceholder(o.log),
      maxAttempts: 2,
      requestHandler: { connectionTimeout: o.callTimeoutMs, requestTimeout: o.callTimeoutMs, throwOnRequestTimeout: true },
    });
  }

  close(): void {
    this.client.destroy();
  }

  /** Forgets the looked-up names, so the next lookups see namespaces and services created since. */
  private forgetNames(): void {
    this.namespaces.clear();
    this.services.clear();
    this.namespacesAt = 0;
  }

  /** The service `service` of namespace `namespace`, or an Error saying which of them does not exist. */
  async resolve(namespace: string, service: string): Promise<ServiceRef | Error> {
    let ns = await this.namespaceIds(namespace, false);
    // A name missing from the cache may have been created since it was filled: look once more (at most once a second).
    if (ns.length === 0 && Date.now() - this.namespacesAt > 1000) ns = await this.namespaceIds(namespace, true);
    if (ns.length === 0)
      return new Error(`namespace '${namespace}' does not exist (the agent registers into existing namespaces and services)`);
    for (const fresh of [false, true]) {
      for (const id of ns) {
        const ref = (await this.servicesOf(id, fresh)).get(service);
        if (ref !== undefined) return ref;
      }
    }
    return new Error(
      `service '${service}' does not exist in namespace '${namespace}' (the agent registers into existing services; create it first)`,
    );
  }

  /** Every instance this agent registered, and who holds every other instance of every service. */
  async listAll(agentId: string): Promise<{ owned: Owned[]; taken: Map<string, string> }> {
    this.forgetNames();
    const owned: Owned[] = [];
    const taken = new Map<string, string>();
    for (const ns of await this.loadNamespaces()) {
      for (const ref of (await this.servicesOf(ns.Id!, true)).values()) {
        const mine: Owned[] = [];
        for await (const i of this.instancesOf(ref.serviceId)) {
          const attributes = i.Attributes ?? {};
          const mark = attributes[ATTRIBUTE.agent];
          if (mark === agentId)
            mine.push({ serviceId: ref.serviceId, instanceId: i.Id!, containerId: attributes[ATTRIBUTE.containerId], attributes });
          else
            taken.set(instanceKey(ref.serviceId, i.Id!), mark === undefined ? 'an instance not registered by an agent' : `agent ${mark}`);
        }
        if (ref.customHealth && mine.length > 0) await this.fillHealth(ref.serviceId, mine);
        owned.push(...mine);
      }
    }
    return { owned, taken };
  }

  /** The instance's attributes, or undefined when the service has no such instance. */
  async getInstance(serviceId: string, instanceId: string): Promise<Record<string, string> | undefined> {
    try {
      const { Instance } = await this.client.send(new GetInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId }));
      return Instance?.Attributes ?? {};
    } catch (e) {
      if ((e as { name?: string }).name === 'InstanceNotFound') return undefined;
      throw e;
    }
  }

  async register(serviceId: string, instanceId: string, attributes: Record<string, string>): Promise<void> {
    try {
      await this.client.send(new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId, Attributes: attributes }));
    } catch (e) {
      if ((e as { name?: string }).name === 'ServiceNotFound') this.forgetNames();
      throw e;
    }
  }

  /** Deregisters; an instance already gone is what was wanted. */
  async deregister(serviceId: string, instanceId: string): Promise<void> {
    try {
      await this.client.send(new DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId }));
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'InstanceNotFound' || name === 'ServiceNotFound') return;
      throw e;
    }
  }

  async setHealth(serviceId: string, instanceId: string, status: HealthStatus): Promise<void> {
    await this.client.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: instanceId, Status: status }));
  }

  private async namespaceIds(name: string, fresh: boolean): Promise<string[]> {
    if (fresh || this.namespacesAt === 0) await this.loadNamespaces();
    return this.namespaces.get(name) ?? [];
  }

  /** Every namespace; their ids by name are kept for resolve(), so a reconcile lists them once. */
  private async loadNamespaces(): Promise<NamespaceSummary[]> {
    const all: NamespaceSummary[] = [];
    for await (const page of paginateListNamespaces({ client: this.client }, {})) all.push(...(page.Namespaces ?? []));
    this.namespaces = new Map();
    for (const ns of all) this.namespaces.set(ns.Name!, [...(this.namespaces.get(ns.Name!) ?? []), ns.Id!]);
    this.namespacesAt = Date.now();
    return all;
  }

  private async servicesOf(namespaceId: string, fresh: boolean): Promise<Map<string, ServiceRef>> {
    const cached = this.services.get(namespaceId);
    if (cached !== undefined && !fresh) return cached;
    const byName = new Map<string, ServiceRef>();
    const filter: ServiceFilter = { Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' };
    for await (const page of paginateListServices({ client: this.client }, { Filters: [filter] })) {
      for (const s of page.Services ?? []) byName.set(s.Name!, { serviceId: s.Id!, customHealth: s.HealthCheckCustomConfig !== undefined });
    }
    this.services.set(namespaceId, byName);
    return byName;
  }

  private async *instancesOf(serviceId: string) {
    for await (const page of paginateListInstances({ client: this.client }, { ServiceId: serviceId })) yield* page.Instances ?? [];
  }

  private async fillHealth(serviceId: string, instances: Owned[]): Promise<void> {
    const status: Record<string, string> = {};
    for await (const page of paginateGetInstancesHealthStatus({ client: this.client }, { ServiceId: serviceId })) {
      Object.assign(status, page.Status ?? {});
    }
    for (const i of instances) {
      const s = status[i.instanceId];
      if (s === 'HEALTHY' || s === 'UNHEALTHY') i.health = s;
    }
  }
}

/** The SDK's credential chain; without any credentials, a placeholder pair that cairn without --credentials accepts. */
function chainOrPlaceholder(log: Log): () => Promise<Credentials> {
  const chain = defaultProvider();
  let warned = false;
  return async () => {
    try {
      return await chain();
    } catch {
      if (!warned) {
        warned = true;
        log.warn(
          {},
          'no AWS credentials found (environment, profile or role): sending placeholder ones, which only a cairn without --credentials accepts',
        );
      }
      return { accessKeyId: 'cairn-agent', secretAccessKey: 'cairn-agent' };
    }
  };
}
