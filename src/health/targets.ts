// Which instances are probed, and how, read from the catalog: pure functions from records to probe targets.
// An instance is checked when its service has a HealthCheckConfig and the instance names an address and a
// port; alias instances (AWS_ALIAS_DNS_NAME) are never checked, as in Cloud Map.
import { isIP } from 'node:net';
import type { Catalog } from '../catalog/index.ts';
import { instanceKey, type HealthCheckType, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from '../model/records.ts';

export interface ProbeTarget {
  /** `${serviceId}/${instanceId}`, as the catalog keys instances. */
  key: string;
  serviceId: string;
  instanceId: string;
  /** When the instance was (re-)registered: a re-registered instance is a new target whose counts restart. */
  registeredAt: number;
  type: HealthCheckType;
  host: string;
  port: number;
  /** HTTP(S) only: the request path and the Host header (`<service>.<namespace>`). */
  path: string;
  hostHeader: string;
  failureThreshold: number;
}

/** What a service contributes to its targets; when it changes, the service's targets are rebuilt. */
export function serviceFingerprint(service: ServiceRecord | undefined, namespace: NamespaceRecord | undefined): string | undefined {
  const hc = service?.healthCheckConfig;
  if (!service || !hc) return undefined;
  const types =
    service.dnsConfig?.dnsRecords
      .map((r) => r.type)
      .sort()
      .join(',') ?? '';
  return [hc.type, hc.resourcePath ?? '', hc.failureThreshold, service.name, namespace?.name ?? '', types].join('|');
}

/** The probe target of one instance, or undefined when it is not checked. */
export function targetOf(
  service: ServiceRecord,
  namespace: NamespaceRecord | undefined,
  instance: InstanceRecord,
): ProbeTarget | undefined {
  const hc = service.healthCheckConfig;
  if (!hc) return undefined;
  const attrs = instance.attributes;
  if (attrs.AWS_ALIAS_DNS_NAME !== undefined) return undefined;
  const host = probeAddress(service, attrs);
  if (host === undefined) return undefined;
  const port = probePort(hc.type, attrs.AWS_INSTANCE_PORT);
  if (port === undefined) return undefined;
  return {
    key: instanceKey(service.id, instance.id),
    serviceId: service.id,
    instanceId: instance.id,
    registeredAt: instance.createDate,
    type: hc.type,
    host,
    port,
    path: resourcePath(hc.resourcePath),
    hostHeader: `${service.name}.${(namespace?.name ?? '').replace(/\.$/, '')}`,
    failureThreshold: Math.max(1, hc.failureThreshold),
  };
}

/** Every target of a service (none when it has no HealthCheckConfig). */
export function targetsOfService(catalog: Catalog, service: ServiceRecord): ProbeTarget[] {
  if (!service.healthCheckConfig) return [];
  const ns = catalog.namespace(service.namespaceId);
  const out: ProbeTarget[] = [];
  for (const instance of catalog.instancesOf(service.id).values()) {
    const t = targetOf(service, ns, instance);
    if (t) out.push(t);
  }
  return out;
}

/** Every target in the catalog (a full scan: used at start and after a catalog reload only). */
export function allTargets(catalog: Catalog): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  for (const service of catalog.services()) out.push(...targetsOfService(catalog, service));
  return out;
}

/** Whether two targets probe the same thing the same way (and the same registration of the instance). */
export function sameTarget(a: ProbeTarget, b: ProbeTarget): boolean {
  return (
    a.key === b.key &&
    a.registeredAt === b.registeredAt &&
    a.type === b.type &&
    a.host === b.host &&
    a.port === b.port &&
    a.path === b.path &&
    a.hostHeader === b.hostHeader &&
    a.failureThreshold === b.failureThreshold
  );
}

/** IPv4 when the service answers A (or has no DNS records and the instance has one); IPv6 otherwise. */
function probeAddress(service: ServiceRecord, attrs: Record<string, string>): string | undefined {
  const types = service.dnsConfig?.dnsRecords.map((r) => r.type) ?? [];
  const v4 = attrs.AWS_INSTANCE_IPV4;
  const v6 = attrs.AWS_INSTANCE_IPV6;
  const useV4 = types.includes('A') || (!types.includes('AAAA') && v4 !== undefined);
  const address = useV4 ? v4 : v6;
  if (address === undefined) return undefined;
  return isIP(address) === (useV4 ? 4 : 6) ? address : undefined;
}

/** AWS_INSTANCE_PORT; without it HTTP and HTTPS fall back to 80 and 443 (Route 53's defaults), TCP is not checked. */
function probePort(type: HealthCheckType, raw: string | undefined): number | undefined {
  if (raw === undefined) return type === 'HTTP' ? 80 : type === 'HTTPS' ? 443 : undefined;
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Route 53 probes `/` when no ResourcePath is given; a path without a leading slash gets one. */
function resourcePath(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '/';
  return raw.startsWith('/') ? raw : `/${raw}`;
}
