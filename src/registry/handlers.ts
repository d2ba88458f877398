// Cloud Map's operations, each answered by one registry function: the table the API dispatches through.
// A new operation is one registry file (or function) plus one line here.
import type { OperationInputs } from '../model/inputs.ts';
import type { RegistryContext } from './context.ts';
import * as namespaces from './namespaces.ts';
import * as services from './services.ts';
import * as serviceAttributes from './service-attributes.ts';
import * as tags from './tags.ts';
import * as operations from './operations.ts';
import * as instances from './instances.ts';
import * as discovery from './discovery.ts';
import * as instanceHealth from './instance-health.ts';

/** A handler returns the operation's response shape (a view), never a record or other internal object. */
export type Handler<K extends keyof OperationInputs> = (
  ctx: RegistryContext,
  input: OperationInputs[K],
) => Promise<object | undefined> | object | undefined;
export type HandlerTable = { [K in keyof OperationInputs]: Handler<K> };

export const handlers: HandlerTable = {
  CreateHttpNamespace: namespaces.createHttpNamespace,
  GetNamespace: namespaces.getNamespace,
  CreatePublicDnsNamespace: namespaces.createPublicDnsNamespace,
  CreatePrivateDnsNamespace: namespaces.createPrivateDnsNamespace,
  ListNamespaces: namespaces.listNamespaces,
  UpdateHttpNamespace: namespaces.updateHttpNamespace,
  UpdatePublicDnsNamespace: namespaces.updatePublicDnsNamespace,
  UpdatePrivateDnsNamespace: namespaces.updatePrivateDnsNamespace,
  DeleteNamespace: namespaces.deleteNamespace,
  CreateService: services.createService,
  GetService: services.getService,
  ListServices: services.listServices,
  UpdateService: services.updateService,
  DeleteService: services.deleteService,
  GetServiceAttributes: serviceAttributes.getServiceAttributes,
  UpdateServiceAttributes: serviceAttributes.updateServiceAttributes,
  DeleteServiceAttributes: serviceAttributes.deleteServiceAttributes,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
  GetOperation: operations.getOperation,
  ListOperations: operations.listOperations,
  RegisterInstance: instances.registerInstance,
  DeregisterInstance: instances.deregisterInstance,
  GetInstance: instances.getInstance,
  ListInstances: instances.listInstances,
  DiscoverInstances: discovery.discoverInstances,
  DiscoverInstancesRevision: discovery.discoverInstancesRevision,
  GetInstancesHealthStatus: instanceHealth.getInstancesHealthStatus,
  UpdateInstanceCustomHealthStatus: instanceHealth.updateInstanceCustomHealthStatus,
};
