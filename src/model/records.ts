// The records cairn stores, one zod schema each. They are validated whenever they are read back from a
// store, so a corrupt or foreign value in Redis is caught at the boundary rather than deep in a handler.
import { z } from 'zod';
import type { DnsRecord, HealthCheckConfig } from './inputs.ts';
import { modelEnum } from './service-model.ts';

export const NamespaceType = z.enum(['HTTP', 'DNS_PUBLIC', 'DNS_PRIVATE']);
export type NamespaceType = z.infer<typeof NamespaceType>;

export const NamespaceRecord = z.object({
  id: z.string(),
  name: z.string(),
  type: NamespaceType,
  httpName: z.string(),
  description: z.string().optional(),
  /** SOA TTL of DNS namespaces (also the negative-caching TTL). */
  soaTtl: z.number().int().optional(),
  /** VPC id of a private DNS namespace. */
  vpc: z.string().optional(),
  hostedZoneId: z.string().optional(),
  createDate: z.number(),
  creatorRequestId: z.string().optional(),
});
export type NamespaceRecord = z.infer<typeof NamespaceRecord>;

/** DnsRecords types as Cloud Map's model lists them; DNS serves each through its entry in the record-type table. */
export type RecordType = DnsRecord['Type'];
export const RecordType = z.enum(modelEnum('RecordType') as [RecordType, ...RecordType[]]);
export const RoutingPolicy = z.enum(['MULTIVALUE', 'WEIGHTED']);
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

export const DnsConfigRecord = z.object({
  routingPolicy: RoutingPolicy,
  dnsRecords: z.array(z.object({ type: RecordType, ttl: z.number().int() })),
});
export type DnsConfigRecord = z.infer<typeof DnsConfigRecord>;

/** HealthCheckConfig types as Cloud Map's model lists them; health/probes.ts has a probe for each. */
export type HealthCheckType = HealthCheckConfig['Type'];
export const HealthCheckType = z.enum(modelEnum('HealthCheckType') as [HealthCheckType, ...HealthCheckType[]]);
export const HealthCheckConfigRecord = z.object({
  type: HealthCheckType,
  resourcePath: z.string().optional(),
  failureThreshold: z.number().int(),
});
export type HealthCheckConfigRecord = z.infer<typeof HealthCheckConfigRecord>;

export const ServiceRecord = z.object({
  id: z.string(),
  name: z.string(),
  namespaceId: z.string(),
  description: z.string().optional(),
  type: z.enum(['HTTP', 'DNS_HTTP', 'DNS']),
  dnsConfig: DnsConfigRecord.optional(),
  healthCheckConfig: HealthCheckConfigRecord.optional(),
  /** Present when the service uses custom health; Cloud Map always reports FailureThreshold 1. */
  healthCheckCustomConfig: z.object({ failureThreshold: z.number().int() }).optional(),
  createDate: z.number(),
  creatorRequestId: z.string().optional(),
  /** Service attributes (Get/Update/DeleteServiceAttributes); never reach DNS. */
  attributes: z.record(z.string(), z.string()),
  /** InstancesRevision: bumped on every register, deregister and health flip of the service. */
  instancesRevision: z.number().int(),
});
export type ServiceRecord = z.infer<typeof ServiceRecord>;

export const InstanceRecord = z.object({
  serviceId: z.string(),
  id: z.string(),
  attributes: z.record(z.string(), z.string()),
  creatorRequestId: z.string().optional(),
  createDate: z.number(),
  /** Store revision at which it was (re-)registered: orders ListInstances by registration. */
  seq: z.number().int(),
});
export type InstanceRecord = z.infer<typeof InstanceRecord>;

export const HealthStatus = z.enum(['HEALTHY', 'UNHEALTHY']);
export type HealthStatus = z.infer<typeof HealthStatus>;
export const HealthRecord = z.object({
  status: HealthStatus,
  /** epoch ms of the last flip */
  since: z.number(),
});
export type HealthRecord = z.infer<typeof HealthRecord>;

/** Health as Cloud Map reports it: UNKNOWN for an instance of a service without any health config. */
export type EffectiveHealth = HealthStatus | 'UNKNOWN';

/** Whether cairn tracks health for the service's instances at all. */
export const hasHealth = (s: ServiceRecord): boolean => s.healthCheckConfig !== undefined || s.healthCheckCustomConfig !== undefined;

export const OperationType = z.enum([
  'CREATE_NAMESPACE',
  'DELETE_NAMESPACE',
  'UPDATE_NAMESPACE',
  'UPDATE_SERVICE',
  'REGISTER_INSTANCE',
  'DEREGISTER_INSTANCE',
]);
export type OperationType = z.infer<typeof OperationType>;
export const OperationStatus = z.enum(['SUBMITTED', 'PENDING', 'SUCCESS', 'FAIL']);
export type OperationStatus = z.infer<typeof OperationStatus>;

export const OperationRecord = z.object({
  id: z.string(),
  type: OperationType,
  status: OperationStatus,
  errorMessage: z.string().optional(),
  errorCode: z.string().optional(),
  createDate: z.number(),
  updateDate: z.number(),
  targets: z.object({ NAMESPACE: z.string().optional(), SERVICE: z.string().optional(), INSTANCE: z.string().optional() }),
  /** CreatorRequestId / UpdaterRequestId that produced it: the key of idempotent retries. */
  requestId: z.string().optional(),
  /** A fingerprint of what the request asked for, so a retry with the same token but other intent is told apart. */
  requestKey: z.string().optional(),
});
export type OperationRecord = z.infer<typeof OperationRecord>;

export const TagsRecord = z.array(z.object({ Key: z.string(), Value: z.string() }));
export type TagsRecord = z.infer<typeof TagsRecord>;

/** Every table a store holds, with the schema of its values. Keys are strings chosen by the registry. */
export const tableSchemas = {
  namespaces: NamespaceRecord,
  services: ServiceRecord,
  /** key: `${serviceId}/${instanceId}` */
  instances: InstanceRecord,
  /** key: `${serviceId}/${instanceId}` */
  health: HealthRecord,
  operations: OperationRecord,
  /** key: resource id (ns-… or srv-…) */
  tags: TagsRecord,
} as const;
export type TableName = keyof typeof tableSchemas;
export const tableNames = Object.keys(tableSchemas) as TableName[];
export type TableValue<T extends TableName> = z.infer<(typeof tableSchemas)[T]>;

export const instanceKey = (serviceId: string, instanceId: string): string => `${serviceId}/${instanceId}`;

/** instanceKey's parts; service ids hold no '/', instance ids may. Undefined when there is no service part. */
export function instanceKeyParts(key: string): { serviceId: string; instanceId: string } | undefined {
  const slash = key.indexOf('/');
  return slash > 0 ? { serviceId: key.slice(0, slash), instanceId: key.slice(slash + 1) } : undefined;
}
