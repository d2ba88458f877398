// The table of operations: X-Amz-Target operation name → handler. A new operation is one line here.
// Dispatch goes through a Map keyed by the model's operation names, so a name inherited from
// Object.prototype (constructor, toString, __proto__, ...) is never an operation.
import type { z } from 'zod';
import { inputSchema } from '../model/input-schema.ts';
import type { OperationInputs } from '../model/inputs.ts';
import { serviceModel } from '../model/service-model.ts';
import type { RegistryContext } from '../registry/context.ts';
import * as namespaces from '../registry/namespaces.ts';
import * as services from '../registry/services.ts';
import * as serviceAttributes from '../registry/service-attributes.ts';
import * as tags from '../registry/tags.ts';
import * as operations from '../registry/operations.ts';
import * as instances from '../registry/instances.ts';
import * as discovery from '../registry/discovery.ts';
import * as instanceHealth from '../registry/instance-health.ts';

/** A handler returns the operation's response shape (a view), never a record or other internal object. */
export type Handler<K extends keyof OperationInputs> = (ctx: RegistryContext, input: OperationInputs[K]) => Promise<object | undefined> | object | undefined;
type HandlerTable = { [K in keyof OperationInputs]: Handler<K> };

const table: HandlerTable = {
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

/** One dispatchable operation: its name, input schema and handler. */
export interface Operation {
  name: keyof OperationInputs;
  schema: z.ZodType;
  handler: (ctx: RegistryContext, input: unknown) => Promise<object | undefined> | object | undefined;
}

function buildOperations(): ReadonlyMap<string, Operation> {
  const names = Object.keys(serviceModel.operations);
  const extra = Object.keys(table).filter((name) => !names.includes(name));
  const missing = names.filter((name) => !Object.hasOwn(table, name));
  if (extra.length > 0 || missing.length > 0) {
    throw new Error(`operation table and model disagree: without handler [${missing.join(', ')}], not in the model [${extra.join(', ')}]`);
  }
  return new Map(names.map((n) => {
    const name = n as keyof OperationInputs;
    return [name, { name, schema: inputSchema(name), handler: table[name] as Operation['handler'] }];
  }));
}

export const operationTable: ReadonlyMap<string, Operation> = buildOperations();
