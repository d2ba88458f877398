// Records as Cloud Map's output shapes. Timestamps are epoch seconds with a millisecond fraction.
import type { Catalog } from '../catalog/index.ts';
import { namespaceArn, serviceArn, type Account } from '../model/ids.ts';
import type { InstanceRecord, NamespaceRecord, OperationRecord, ServiceRecord } from '../model/records.ts';

export const seconds = (ms: number): number => ms / 1000;

export function namespaceView(a: Account, catalog: Catalog, ns: NamespaceRecord, detail: boolean): Record<string, unknown> {
  const dns = ns.type === 'HTTP' ? {} : { HostedZoneId: ns.hostedZoneId, SOA: { TTL: ns.soaTtl } };
  return {
    Id: ns.id,
    Arn: namespaceArn(a, ns.id),
    ResourceOwner: a.accountId,
    Name: ns.name,
    Type: ns.type,
    ...(ns.description !== undefined ? { Description: ns.description } : {}),
    ServiceCount: catalog.serviceCount(ns.id),
    Properties: { DnsProperties: dns, HttpProperties: { HttpName: ns.httpName } },
    CreateDate: seconds(ns.createDate),
    ...(detail && ns.creatorRequestId !== undefined ? { CreatorRequestId: ns.creatorRequestId } : {}),
  };
}

export function serviceView(a: Account, catalog: Catalog, s: ServiceRecord, detail: boolean): Record<string, unknown> {
  return {
    Id: s.id,
    Arn: serviceArn(a, s.id),
    ResourceOwner: a.accountId,
    Name: s.name,
    ...(detail ? { NamespaceId: s.namespaceId } : {}),
    ...(s.description !== undefined ? { Description: s.description } : {}),
    InstanceCount: catalog.instanceCount(s.id),
    ...(s.dnsConfig
      ? {
          DnsConfig: {
            RoutingPolicy: s.dnsConfig.routingPolicy,
            DnsRecords: s.dnsConfig.dnsRecords.map((r) => ({ Type: r.type, TTL: r.ttl })),
          },
        }
      : {}),
    Type: s.type,
    ...(s.healthCheckConfig
      ? {
          HealthCheckConfig: {
            Type: s.healthCheckConfig.type,
            ...(s.healthCheckConfig.resourcePath !== undefined ? { ResourcePath: s.healthCheckConfig.resourcePath } : {}),
            FailureThreshold: s.healthCheckConfig.failureThreshold,
          },
        }
      : {}),
    ...(s.healthCheckCustomConfig ? { HealthCheckCustomConfig: { FailureThreshold: s.healthCheckCustomConfig.failureThreshold } } : {}),
    CreateDate: seconds(s.createDate),
    ...(detail && s.creatorRequestId !== undefined ? { CreatorRequestId: s.creatorRequestId } : {}),
    CreatedByAccount: a.accountId,
  };
}

export function instanceView(a: Account, i: InstanceRecord, detail: boolean): Record<string, unknown> {
  return {
    Id: i.id,
    ...(detail && i.creatorRequestId !== undefined ? { CreatorRequestId: i.creatorRequestId } : {}),
    Attributes: i.attributes,
    CreatedByAccount: a.accountId,
  };
}

export function operationView(a: Account, op: OperationRecord): Record<string, unknown> {
  return {
    Id: op.id,
    OwnerAccount: a.accountId,
    Type: op.type,
    Status: op.status,
    ...(op.errorMessage !== undefined ? { ErrorMessage: op.errorMessage } : {}),
    ...(op.errorCode !== undefined ? { ErrorCode: op.errorCode } : {}),
    CreateDate: seconds(op.createDate),
    UpdateDate: seconds(op.updateDate),
    Targets: op.targets,
  };
}

export function operationSummaryView(op: OperationRecord): Record<string, unknown> {
  return { Id: op.id, Status: op.status };
}

export function serviceAttributesView(a: Account, s: ServiceRecord): Record<string, unknown> {
  return { ServiceArn: serviceArn(a, s.id), ResourceOwner: a.accountId, Attributes: s.attributes };
}
