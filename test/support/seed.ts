// Writes registry records straight through a server's writer, for tests of one part (DNS, discovery,
// health) that should not depend on the API operations that normally create them.
import { instanceKey, type HealthStatus, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../../src/model/records.ts';
import type { Server } from '../../src/server.ts';

let counter = 0;
const uid = (p: string): string => `${p}${Date.now().toString(36)}${(counter++).toString(36).padStart(6, '0')}`.slice(0, p.length + 16);

export async function seedNamespace(
  server: Server,
  ns: Partial<NamespaceRecord> & Pick<NamespaceRecord, 'name' | 'type'>,
): Promise<NamespaceRecord> {
  const record: NamespaceRecord = {
    id: uid('ns-'),
    httpName: ns.name,
    createDate: Date.now(),
    ...(ns.type !== 'HTTP' ? { soaTtl: 15, hostedZoneId: 'ZTEST' } : {}),
    ...ns,
  };
  await server.ctx.writer.write(() => ({ mutations: [{ table: 'namespaces', key: record.id, value: record }], result: null }));
  return record;
}

export async function seedService(
  server: Server,
  s: Partial<ServiceRecord> & Pick<ServiceRecord, 'name' | 'namespaceId'>,
): Promise<ServiceRecord> {
  const record: ServiceRecord = {
    id: uid('srv-'),
    type: s.dnsConfig ? 'DNS_HTTP' : 'HTTP',
    createDate: Date.now(),
    attributes: {},
    instancesRevision: 0,
    ...s,
  };
  await server.ctx.writer.write(() => ({ mutations: [{ table: 'services', key: record.id, value: record }], result: null }));
  return record;
}

export async function seedInstance(
  server: Server,
  serviceId: string,
  id: string,
  attributes: Record<string, string>,
  health?: HealthStatus,
): Promise<InstanceRecord> {
  return server.ctx.writer.write((catalog) => {
    const service = catalog.service(serviceId);
    if (!service) throw new Error(`no service ${serviceId}`);
    const record: InstanceRecord = { serviceId, id, attributes, createDate: Date.now(), seq: catalog.revision + 1 };
    return {
      mutations: [
        { table: 'instances', key: instanceKey(serviceId, id), value: record },
        ...(health ? [{ table: 'health' as const, key: instanceKey(serviceId, id), value: { status: health, since: Date.now() } }] : []),
        { table: 'services', key: serviceId, value: { ...service, instancesRevision: service.instancesRevision + 1 } },
      ],
      result: record,
    };
  });
}

export async function removeInstance(server: Server, serviceId: string, id: string): Promise<void> {
  await server.ctx.writer.write((catalog) => {
    const service = catalog.service(serviceId);
    if (!service) throw new Error(`no service ${serviceId}`);
    return {
      mutations: [
        { table: 'instances', key: instanceKey(serviceId, id), value: null },
        { table: 'health', key: instanceKey(serviceId, id), value: null },
        { table: 'services', key: serviceId, value: { ...service, instancesRevision: service.instancesRevision + 1 } },
      ],
      result: undefined,
    };
  });
}
