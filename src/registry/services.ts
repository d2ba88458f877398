// Services: CreateService with Cloud Map's rules (namespace, unique name, DNS records, health checks,
// idempotency), GetService, ListServices, UpdateService (TTLs, description, health check) and DeleteService.
import type { Catalog } from '../catalog/index.ts';
import { InvalidInput, ResourceInUse, ServiceAlreadyExists } from '../model/errors.ts';
import { idFromIdOrArn, serviceArn } from '../model/ids.ts';
import type {
  CreateServiceRequest,
  DeleteServiceRequest,
  DnsConfig,
  DnsRecord,
  GetServiceRequest,
  HealthCheckConfig,
  ListServicesRequest,
  ServiceFilter,
  UpdateServiceRequest,
} from '../model/inputs.ts';
import {
  instanceKey,
  type DnsConfigRecord,
  type HealthCheckConfigRecord,
  type NamespaceRecord,
  type ServiceRecord,
} from '../model/records.ts';
import type { Mutation } from '../model/changes.ts';
import type { RegistryContext } from './context.ts';
import { conditionOf, oldestFirstKey, resourceOwnerKeeps, sortByKey } from './list-query.ts';
import { requireNamespace, requireService } from './lookup.ts';
import { dedupeTags } from './namespaces.ts';
import { newOperation } from './operations-log.ts';
import { paginate } from './paginate.ts';
import { tokenIn } from './writer.ts';
import { checkTags } from './tag-rules.ts';
import { serviceView } from './shapes.ts';

/** Route 53's default when a health check does not say. */
const DEFAULT_FAILURE_THRESHOLD = 3;

/** The record types of a DNS record list, checked: at least one, no type twice. */
function recordTypes(records: DnsRecord[], member: string): Set<string> {
  if (records.length === 0) throw new InvalidInput(`${member} must contain at least one record`);
  const types = new Set<string>();
  for (const r of records) {
    if (types.has(r.Type)) throw new InvalidInput(`${member} has more than one record of type ${r.Type}`);
    types.add(r.Type);
  }
  return types;
}

function dnsConfigRecord(dns: DnsConfig, serviceName: string): DnsConfigRecord {
  const types = recordTypes(dns.DnsRecords, 'DnsConfig.DnsRecords');
  const routingPolicy = dns.RoutingPolicy ?? 'MULTIVALUE';
  if (types.has('CNAME')) {
    if (types.size > 1) throw new InvalidInput('DnsConfig.DnsRecords: a CNAME record must be the only record of a service');
    if (routingPolicy !== 'WEIGHTED') throw new InvalidInput('DnsConfig.RoutingPolicy must be WEIGHTED for a service with a CNAME record');
    // A CNAME cannot share the apex with the zone's SOA and NS records.
    if (serviceName === '.') throw new InvalidInput('Service name . (the namespace apex) cannot have a CNAME record');
  }
  return { routingPolicy, dnsRecords: dns.DnsRecords.map((r) => ({ type: r.Type, ttl: r.TTL })) };
}

function healthCheckRecord(h: HealthCheckConfig): HealthCheckConfigRecord {
  if (h.Type === 'TCP') {
    if (h.ResourcePath !== undefined) throw new InvalidInput('HealthCheckConfig.ResourcePath must be omitted when Type is TCP');
    return { type: 'TCP', failureThreshold: h.FailureThreshold ?? DEFAULT_FAILURE_THRESHOLD };
  }
  const resourcePath = h.ResourcePath ?? '/';
  // It becomes the request line of the probe, so it must be a path without blanks.
  if (!/^\/[!-~]*$/.test(resourcePath)) {
    throw new InvalidInput(
      `HealthCheckConfig.ResourcePath ${JSON.stringify(resourcePath)} must start with / and contain no spaces or control characters`,
    );
  }
  return { type: h.Type, resourcePath, failureThreshold: h.FailureThreshold ?? DEFAULT_FAILURE_THRESHOLD };
}

/** NamespaceId, or the deprecated DnsConfig.NamespaceId; both given must name the same namespace. */
function namespaceIdOf(ctx: RegistryContext, input: CreateServiceRequest): string {
  const direct = input.NamespaceId;
  const deprecated = input.DnsConfig?.NamespaceId;
  if (direct === '' || deprecated === '') throw new InvalidInput('NamespaceId must not be empty');
  if (
    direct !== undefined &&
    deprecated !== undefined &&
    idFromIdOrArn(ctx.account, direct, 'namespace') !== idFromIdOrArn(ctx.account, deprecated, 'namespace')
  ) {
    throw new InvalidInput(`NamespaceId ${direct} and DnsConfig.NamespaceId ${deprecated} name different namespaces`);
  }
  const id = direct ?? deprecated;
  if (id === undefined) throw new InvalidInput('NamespaceId is required (or the deprecated DnsConfig.NamespaceId)');
  return id;
}

/** Service names are case-insensitive in DNS namespaces (they are DNS names) and exact in HTTP ones. */
function sameName(ns: NamespaceRecord, a: string, b: string): boolean {
  return ns.type === 'HTTP' ? a === b : a.toLowerCase() === b.toLowerCase();
}

export function createService(ctx: RegistryContext, input: CreateServiceRequest) {
  const namespaceId = namespaceIdOf(ctx, input);
  if (input.Type === 'HTTP' && input.DnsConfig)
    throw new InvalidInput('Type HTTP cannot be combined with DnsConfig: a service with DnsConfig is DNS_HTTP');
  if (input.HealthCheckConfig && input.HealthCheckCustomConfig) {
    throw new InvalidInput('HealthCheckConfig and HealthCheckCustomConfig cannot both be given: a service has one kind of health check');
  }
  const dnsConfig = input.DnsConfig ? dnsConfigRecord(input.DnsConfig, input.Name) : undefined;
  if (input.HealthCheckConfig && dnsConfig?.dnsRecords.some((r) => r.type === 'CNAME')) {
    throw new InvalidInput('HealthCheckConfig cannot be used with a CNAME record');
  }
  const healthCheckConfig = input.HealthCheckConfig ? healthCheckRecord(input.HealthCheckConfig) : undefined;
  checkTags(input.Tags ?? [], ctx.limits.maxTagsPerResource, input.Name);

  return ctx.writer.write(
    (catalog) => {
      const ns = requireNamespace(ctx, namespaceId, catalog);
      const taken = catalog.servicesOf(ns.id).find((s) => sameName(ns, s.name, input.Name));
      if (taken) {
        if (input.CreatorRequestId !== undefined && taken.creatorRequestId === input.CreatorRequestId) {
          return { mutations: [], result: { Service: serviceView(ctx.account, catalog, taken, true) } };
        }
        throw new ServiceAlreadyExists(input.Name, taken.id, serviceArn(ctx.account, taken.id), taken.creatorRequestId);
      }
      if (dnsConfig && ns.type === 'HTTP') {
        throw new InvalidInput(`DnsConfig is not allowed in namespace ${ns.id}: it is an HTTP namespace, which has no DNS records`);
      }
      if (ns.type !== 'HTTP') {
        const fqdn = input.Name === '.' ? ns.name : `${input.Name}.${ns.name}`;
        if (fqdn.length > 253) throw new InvalidInput(`Name ${input.Name} is too long: ${fqdn} exceeds 253 characters`);
      }
      const id = ctx.ids.service();
      const record: ServiceRecord = {
        id,
        name: input.Name,
        namespaceId: ns.id,
        type: dnsConfig ? 'DNS_HTTP' : 'HTTP',
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        ...(dnsConfig ? { dnsConfig } : {}),
        ...(healthCheckConfig ? { healthCheckConfig } : {}),
        // The threshold of custom health is deprecated; Cloud Map always reports 1.
        ...(input.HealthCheckCustomConfig ? { healthCheckCustomConfig: { failureThreshold: 1 } } : {}),
        createDate: ctx.now(),
        ...(input.CreatorRequestId !== undefined ? { creatorRequestId: input.CreatorRequestId } : {}),
        attributes: {},
        instancesRevision: 0,
      };
      const mutations: Mutation[] = [{ table: 'services', key: id, value: record }];
      if (input.Tags && input.Tags.length > 0) mutations.push({ table: 'tags', key: id, value: dedupeTags(input.Tags) });
      return { mutations, result: { Service: serviceView(ctx.account, catalog, record, true) } };
    },
    tokenIn('CreatorRequestId', input.CreatorRequestId),
  );
}

export function getService(ctx: RegistryContext, input: GetServiceRequest) {
  const s = requireService(ctx, input.Id);
  return { Service: serviceView(ctx.account, ctx.catalog, s, true) };
}

function servicePredicate(ctx: RegistryContext, f: ServiceFilter): (s: ServiceRecord) => boolean {
  switch (f.Name) {
    case 'NAMESPACE_ID': {
      // EQ in today's docs; IN with several ids was documented before and is accepted.
      conditionOf(f, ['EQ', 'IN']);
      const ids = new Set(f.Values.map((v) => idFromIdOrArn(ctx.account, v, 'namespace')));
      return (s) => ids.has(s.namespaceId);
    }
    case 'RESOURCE_OWNER': {
      const keep = resourceOwnerKeeps(f);
      return () => keep;
    }
  }
}

const serviceKey = (s: ServiceRecord): string => oldestFirstKey(s.createDate, s.id);

export function listServices(ctx: RegistryContext, input: ListServicesRequest) {
  const preds = (input.Filters ?? []).map((f) => servicePredicate(ctx, f));
  const items = [...ctx.catalog.services()].filter((s) => preds.every((p) => p(s)));
  const page = paginate(sortByKey(items, serviceKey), input.MaxResults, input.NextToken, serviceKey);
  return {
    Services: page.items.map((s) => serviceView(ctx.account, ctx.catalog, s, false)),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
}

/** The service's records with the TTLs of the change; the set of types may not change. */
function changedDnsConfig(s: ServiceRecord, records: DnsRecord[]): DnsConfigRecord {
  const current = s.dnsConfig;
  if (!current) throw new InvalidInput(`Service ${s.id} has no DnsConfig: DNS records cannot be added to it`);
  const types = recordTypes(records, 'Service.DnsConfig.DnsRecords');
  const have = current.dnsRecords.map((r) => r.type);
  if (types.size !== have.length || have.some((t) => !types.has(t))) {
    throw new InvalidInput(
      `Service.DnsConfig.DnsRecords must keep the record types of service ${s.id} (${have.join(', ')}): only TTLs can change`,
    );
  }
  const ttl = new Map(records.map((r) => [r.Type, r.TTL]));
  return {
    routingPolicy: current.routingPolicy,
    dnsRecords: current.dnsRecords.map((r) => ({ type: r.type, ttl: ttl.get(r.type) ?? r.ttl })),
  };
}

function changedHealthCheck(
  s: ServiceRecord,
  dnsConfig: DnsConfigRecord | undefined,
  h: HealthCheckConfig | undefined,
): HealthCheckConfigRecord | undefined {
  if (!h) return undefined;
  if (s.healthCheckCustomConfig)
    throw new InvalidInput(`Service ${s.id} uses HealthCheckCustomConfig: HealthCheckConfig cannot be added to it`);
  if (dnsConfig?.dnsRecords.some((r) => r.type === 'CNAME')) throw new InvalidInput('HealthCheckConfig cannot be used with a CNAME record');
  const next = healthCheckRecord(h);
  if (s.healthCheckConfig && s.healthCheckConfig.type !== next.type) {
    throw new InvalidInput(`HealthCheckConfig.Type of service ${s.id} is ${s.healthCheckConfig.type} and cannot change to ${next.type}`);
  }
  return next;
}

/** Health records of every instance, removed when the service stops checking them. */
function dropHealth(catalog: Catalog, serviceId: string): Mutation[] {
  const out: Mutation[] = [];
  for (const instanceId of catalog.instancesOf(serviceId).keys()) {
    if (catalog.health(serviceId, instanceId)) out.push({ table: 'health', key: instanceKey(serviceId, instanceId), value: null });
  }
  return out;
}

export function updateService(ctx: RegistryContext, input: UpdateServiceRequest) {
  const change = input.Service;
  return ctx.writer.write((catalog) => {
    const s = requireService(ctx, input.Id, catalog);
    const ns = catalog.namespace(s.namespaceId);
    if (!ns || ns.type === 'HTTP') {
      throw new InvalidInput(`Service ${s.id} is in HTTP namespace ${s.namespaceId}: services of HTTP namespaces cannot be updated`);
    }
    const dnsConfig = change.DnsConfig ? changedDnsConfig(s, change.DnsConfig.DnsRecords) : s.dnsConfig;
    // An omitted HealthCheckConfig deletes the service's check, as Cloud Map documents.
    const healthCheckConfig = changedHealthCheck(s, dnsConfig, change.HealthCheckConfig);
    const { healthCheckConfig: _old, dnsConfig: _dns, ...rest } = s;
    const checkAddedOrRemoved = (s.healthCheckConfig === undefined) !== (healthCheckConfig === undefined);
    const updated: ServiceRecord = {
      ...rest,
      ...(change.Description !== undefined ? { description: change.Description } : {}),
      ...(dnsConfig ? { dnsConfig } : {}),
      ...(healthCheckConfig ? { healthCheckConfig } : {}),
      // Which instances discovery returns changes with the check, so clients polling the revision see it.
      instancesRevision: s.instancesRevision + (checkAddedOrRemoved ? 1 : 0),
    };
    const op = newOperation(ctx, { type: 'UPDATE_SERVICE', targets: { SERVICE: s.id, NAMESPACE: s.namespaceId } });
    const mutations: Mutation[] = [{ table: 'services', key: s.id, value: updated }, op.mutation];
    if (s.healthCheckConfig && !healthCheckConfig) mutations.push(...dropHealth(catalog, s.id));
    return { mutations, result: { OperationId: op.record.id } };
  });
}

export function deleteService(ctx: RegistryContext, input: DeleteServiceRequest) {
  return ctx.writer.write((catalog) => {
    const s = requireService(ctx, input.Id, catalog);
    const instances = catalog.instanceCount(s.id);
    if (instances > 0) {
      throw new ResourceInUse(
        `Service ${s.id} still has ${instances} instance${instances > 1 ? 's' : ''}: deregister ${instances > 1 ? 'them' : 'it'} first`,
      );
    }
    // Service attributes live in the service record and go with it; tags are dropped here.
    const mutations: Mutation[] = [{ table: 'services', key: s.id, value: null }];
    if (catalog.tags(s.id).length > 0) mutations.push({ table: 'tags', key: s.id, value: null });
    return { mutations, result: {} };
  });
}
