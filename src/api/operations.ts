// The table of operations: X-Amz-Target operation name → handler. A new operation is one line here.
import type { OperationInputs } from '../model/inputs.ts';
import type { RegistryContext } from '../registry/context.ts';
import * as namespaces from '../registry/namespaces.ts';
import * as services from '../registry/services.ts';
import * as serviceAttributes from '../registry/service-attributes.ts';
import * as tags from '../registry/tags.ts';
import * as operations from '../registry/operations.ts';
import * as instances from '../registry/instances.ts';
import * as discovery from '../registry/discovery.ts';
import * as instanceHealth from '../registry/instance-health.ts';

export type Handler<K extends keyof OperationInputs> = (ctx: RegistryContext, input: OperationInputs[K]) => Promise<object | undefined> | object | undefined;
export type HandlerTable = { [K in keyof OperationInputs]?: Handler<K> };

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
