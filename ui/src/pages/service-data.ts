// What the service page shows, loaded together: the service, its namespace's HTTP name, its instances
// (ListInstances, or DiscoverInstances when attribute filters are set) and cairn's health details.
import {
  call,
  getNamespace,
  httpName,
  listAll,
  type DiscoveredInstance,
  type Instance,
  type Namespace,
  type Service,
} from '../net/cloudmap.ts';
import { instanceDetails, type InstanceDetail } from '../net/console-api.ts';

export interface Row {
  id: string;
  attributes: Record<string, string>;
  detail: InstanceDetail | undefined;
}

export interface ServiceData {
  service: Service;
  namespace: Namespace;
  rows: Row[];
  /** DiscoverInstances was asked (attribute filters set). */
  discovered: boolean;
}

export async function loadService(namespaceId: string, serviceId: string, query: Record<string, string>): Promise<ServiceData> {
  const [{ Service: service }, namespace, details] = await Promise.all([
    call<{ Service: Service }>('GetService', { Id: serviceId }),
    getNamespace(namespaceId),
    instanceDetails(serviceId),
  ]);
  const byId = new Map(details.map((d) => [d.instanceId, d]));
  const discovered = Object.keys(query).length > 0;
  let instances: { id: string; attributes: Record<string, string> }[];
  if (discovered) {
    const answer = await call<{ Instances?: DiscoveredInstance[] }>('DiscoverInstances', {
      NamespaceName: httpName(namespace),
      ServiceName: service.Name,
      QueryParameters: query,
      HealthStatus: 'ALL',
      MaxResults: 1000,
    });
    // DiscoverInstances answers in a random order (as Cloud Map does): the table sorts it by id, so that
    // rows do not jump about on every live refresh.
    instances = (answer.Instances ?? [])
      .map((i) => ({ id: i.InstanceId, attributes: i.Attributes ?? {} }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } else {
    instances = (await listAll<Instance>('ListInstances', { ServiceId: serviceId, MaxResults: 100 }, 'Instances')).map((i) => ({
      id: i.Id,
      attributes: i.Attributes ?? {},
    }));
  }
  return { service, namespace, discovered, rows: instances.map((i) => ({ ...i, detail: byId.get(i.id) })) };
}
