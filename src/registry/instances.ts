// Instances: register (create or replace), deregister, get and list. Registration enforces the
// reserved-attribute rules, the per-service and per-namespace limits and CreatorRequestId idempotency,
// and writes the instance, its initial health, the service's InstancesRevision and the operation at once.
import type { Catalog } from '../catalog/index.ts';
import { DuplicateRequest, InvalidInput, ResourceLimitExceeded, ServiceNotFound } from '../model/errors.ts';
import type { DeregisterInstanceRequest, GetInstanceRequest, ListInstancesRequest, RegisterInstanceRequest } from '../model/inputs.ts';
import { hasHealth, instanceKey, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../model/records.ts';
import type { Mutation } from '../model/changes.ts';
import { attributeViolation } from './attribute-rules.ts';
import type { RegistryContext } from './context.ts';
import { bumpRevision, initialHealth } from './health-writes.ts';
import { requireInstance, requireService } from './lookup.ts';
import { findByRequestId, newOperation } from './operations-log.ts';
import { isExpired } from './operations.ts';
import { paginate } from './paginate.ts';
import { tokenIn } from './writer.ts';
import { instanceView } from './shapes.ts';

function namespaceOf(catalog: Catalog, service: ServiceRecord): NamespaceRecord {
  const ns = catalog.namespace(service.namespaceId);
  // A service always has its namespace; a missing one means the catalog is mid-reload.
  if (!ns) throw new ServiceNotFound(service.id);
  return ns;
}

function instancesInNamespace(catalog: Catalog, namespaceId: string): number {
  let n = 0;
  for (const s of catalog.servicesOf(namespaceId)) n += catalog.instanceCount(s.id);
  return n;
}

function checkLimits(ctx: RegistryContext, catalog: Catalog, service: ServiceRecord): void {
  const { maxInstancesPerService, maxInstancesPerNamespace } = ctx.limits;
  if (catalog.instanceCount(service.id) >= maxInstancesPerService) {
    throw new ResourceLimitExceeded(`Service ${service.id} already has the maximum of ${maxInstancesPerService} instances`);
  }
  if (instancesInNamespace(catalog, service.namespaceId) >= maxInstancesPerNamespace) {
    throw new ResourceLimitExceeded(`Namespace ${service.namespaceId} already has the maximum of ${maxInstancesPerNamespace} instances`);
  }
}

export function registerInstance(ctx: RegistryContext, input: RegisterInstanceRequest): Promise<{ OperationId: string }> {
  return ctx.writer.write(
    (catalog) => {
      const service = requireService(ctx, input.ServiceId, catalog);
      const ns = namespaceOf(catalog, service);

      // A retry with the same token returns the first answer; the token reused for another instance is refused.
      const earlier = findByRequestId(
        catalog,
        'REGISTER_INSTANCE',
        input.CreatorRequestId,
        (op) => op.targets.SERVICE === service.id && !isExpired(ctx, op),
      );
      if (earlier) {
        if (earlier.targets.INSTANCE === input.InstanceId) return { mutations: [], result: { OperationId: earlier.id } };
        throw new DuplicateRequest(
          `CreatorRequestId ${input.CreatorRequestId ?? ''} was already used by operation ${earlier.id} to register instance ${earlier.targets.INSTANCE ?? ''}`,
          earlier.id,
        );
      }

      const violation = attributeViolation(
        {
          namespaceType: ns.type,
          namespaceName: ns.name,
          service,
          instanceId: input.InstanceId,
          attributes: input.Attributes,
        },
        ctx.limits,
      );
      if (violation !== undefined) throw new InvalidInput(violation);

      const existing = catalog.instance(service.id, input.InstanceId);
      if (!existing) checkLimits(ctx, catalog, service);

      const now = ctx.now();
      const key = instanceKey(service.id, input.InstanceId);
      const record: InstanceRecord = {
        serviceId: service.id,
        id: input.InstanceId,
        attributes: input.Attributes,
        ...(input.CreatorRequestId !== undefined ? { creatorRequestId: input.CreatorRequestId } : {}),
        createDate: now,
        // A replaced instance keeps its place in ListInstances; a new one is ordered by this commit's revision.
        seq: existing?.seq ?? catalog.revision + 1,
      };
      const op = newOperation(ctx, {
        type: 'REGISTER_INSTANCE',
        targets: { INSTANCE: input.InstanceId, SERVICE: service.id, NAMESPACE: ns.id },
        ...(input.CreatorRequestId !== undefined ? { requestId: input.CreatorRequestId } : {}),
        requestKey: input.InstanceId,
      });
      const mutations: Mutation[] = [{ table: 'instances', key, value: record }];
      // (Re-)registration restarts health from its initial state; a service without health keeps none.
      if (hasHealth(service)) mutations.push({ table: 'health', key, value: { status: initialHealth(service, record), since: now } });
      else if (catalog.health(service.id, input.InstanceId)) mutations.push({ table: 'health', key, value: null });
      mutations.push(bumpRevision(service), op.mutation);
      return { mutations, result: { OperationId: op.record.id } };
    },
    tokenIn('CreatorRequestId', input.CreatorRequestId),
  );
}

export function deregisterInstance(ctx: RegistryContext, input: DeregisterInstanceRequest): Promise<{ OperationId: string }> {
  return ctx.writer.write((catalog) => {
    const service = requireService(ctx, input.ServiceId, catalog);
    const instance = requireInstance(catalog, service, input.InstanceId);
    const key = instanceKey(service.id, instance.id);
    const op = newOperation(ctx, {
      type: 'DEREGISTER_INSTANCE',
      targets: { INSTANCE: instance.id, SERVICE: service.id, NAMESPACE: service.namespaceId },
    });
    const mutations: Mutation[] = [{ table: 'instances', key, value: null }];
    if (catalog.health(service.id, instance.id)) mutations.push({ table: 'health', key, value: null });
    mutations.push(bumpRevision(service), op.mutation);
    return { mutations, result: { OperationId: op.record.id } };
  });
}

export function getInstance(ctx: RegistryContext, input: GetInstanceRequest) {
  const service = requireService(ctx, input.ServiceId);
  const instance = requireInstance(ctx.catalog, service, input.InstanceId);
  return { ResourceOwner: ctx.account.accountId, Instance: instanceView(ctx.account, instance, true) };
}

/** Sort key of registration order: seq, zero-padded so keys compare as the order does. */
export const registrationKey = (i: InstanceRecord): string => String(i.seq).padStart(16, '0');

export function listInstances(ctx: RegistryContext, input: ListInstancesRequest) {
  const service = requireService(ctx, input.ServiceId);
  const all = [...ctx.catalog.instancesOf(service.id).values()];
  const page = paginate(all, input.MaxResults, input.NextToken, registrationKey);
  return {
    ResourceOwner: ctx.account.accountId,
    Instances: page.items.map((i) => instanceView(ctx.account, i, false)),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
}
