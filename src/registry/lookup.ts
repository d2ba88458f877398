// Finding the resource a request names (by id or ARN), or the NotFound error that names it.
import { InstanceNotFound, NamespaceNotFound, ServiceNotFound } from '../model/errors.ts';
import { idFromIdOrArn } from '../model/ids.ts';
import type { InstanceRecord, NamespaceRecord, ServiceRecord } from '../model/records.ts';
import type { Catalog } from '../catalog/index.ts';
import type { RegistryContext } from './context.ts';

export function requireNamespace(ctx: RegistryContext, idOrArn: string, catalog: Catalog = ctx.catalog): NamespaceRecord {
  const id = idFromIdOrArn(ctx.account, idOrArn, 'namespace');
  const ns = id === undefined ? undefined : catalog.namespace(id);
  if (!ns) throw new NamespaceNotFound(idOrArn);
  return ns;
}

export function requireService(ctx: RegistryContext, idOrArn: string, catalog: Catalog = ctx.catalog): ServiceRecord {
  const id = idFromIdOrArn(ctx.account, idOrArn, 'service');
  const s = id === undefined ? undefined : catalog.service(id);
  if (!s) throw new ServiceNotFound(idOrArn);
  return s;
}

export function requireInstance(catalog: Catalog, service: ServiceRecord, instanceId: string): InstanceRecord {
  const i = catalog.instance(service.id, instanceId);
  if (!i) throw new InstanceNotFound(instanceId, service.id);
  return i;
}
