// The reserved-attribute rules of RegisterInstance (docs/cloud-map-api.md#reserved-attributes): which AWS_* keys a service's
// configuration requires, allows or forbids, and the counts and lengths of the whole map. Pure: facts in,
// the first violation (as InvalidInput's message) or undefined out.
import ipaddr from 'ipaddr.js';
import type { NamespaceType, ServiceRecord } from '../model/records.ts';

export const RESERVED_KEYS = [
  'AWS_INSTANCE_IPV4',
  'AWS_INSTANCE_IPV6',
  'AWS_INSTANCE_PORT',
  'AWS_INSTANCE_CNAME',
  'AWS_ALIAS_DNS_NAME',
  'AWS_INIT_HEALTH_STATUS',
  'AWS_EC2_INSTANCE_ID',
] as const;
const reserved: ReadonlySet<string> = new Set(RESERVED_KEYS);

export interface AttributeFacts {
  namespaceType: NamespaceType;
  namespaceName: string;
  service: Pick<ServiceRecord, 'name' | 'dnsConfig' | 'healthCheckConfig' | 'healthCheckCustomConfig'>;
  instanceId: string;
  attributes: Readonly<Record<string, string>>;
}

export interface AttributeLimits {
  maxCustomAttributes: number;
  maxAttributesLength: number;
}

/** The first rule the attributes break, or undefined when they are acceptable. */
export function attributeViolation(f: AttributeFacts, limits: AttributeLimits): string | undefined {
  return (
    sizeViolation(f.attributes, limits) ??
    formatViolation(f.attributes) ??
    ec2Violation(f) ??
    aliasViolation(f) ??
    recordViolation(f) ??
    healthCheckViolation(f)
  );
}

function sizeViolation(attrs: Readonly<Record<string, string>>, limits: AttributeLimits): string | undefined {
  let custom = 0;
  let total = 0;
  for (const [k, v] of Object.entries(attrs)) {
    if (!reserved.has(k)) custom++;
    total += k.length + v.length;
  }
  if (custom > limits.maxCustomAttributes)
    return `An instance may have at most ${limits.maxCustomAttributes} custom attributes; got ${custom}`;
  if (total > limits.maxAttributesLength)
    return `The total length of attribute keys and values may be at most ${limits.maxAttributesLength} characters; got ${total}`;
  return undefined;
}

/** Values of reserved keys, checked wherever they appear (DNS and the health checker rely on them). */
function formatViolation(a: Readonly<Record<string, string>>): string | undefined {
  const ipv4 = a.AWS_INSTANCE_IPV4;
  if (ipv4 !== undefined && !isIpv4(ipv4)) return `AWS_INSTANCE_IPV4 must be an IPv4 address in dotted-quad form; got ${ipv4}`;
  const ipv6 = a.AWS_INSTANCE_IPV6;
  if (ipv6 !== undefined && !isIpv6(ipv6)) return `AWS_INSTANCE_IPV6 must be an IPv6 address; got ${ipv6}`;
  const port = a.AWS_INSTANCE_PORT;
  if (port !== undefined && !isPort(port)) return `AWS_INSTANCE_PORT must be a port number from 1 to 65535; got ${port}`;
  const init = a.AWS_INIT_HEALTH_STATUS;
  if (init !== undefined && init !== 'HEALTHY' && init !== 'UNHEALTHY')
    return `AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY; got ${init}`;
  const cname = a.AWS_INSTANCE_CNAME;
  if (cname !== undefined && !isDomainName(cname)) return `AWS_INSTANCE_CNAME must be a domain name; got ${cname}`;
  const alias = a.AWS_ALIAS_DNS_NAME;
  if (alias !== undefined && !isDomainName(alias)) return `AWS_ALIAS_DNS_NAME must be a domain name; got ${alias}`;
  return undefined;
}

function ec2Violation(f: AttributeFacts): string | undefined {
  if (f.attributes.AWS_EC2_INSTANCE_ID === undefined) return undefined;
  if (f.namespaceType !== 'HTTP') return 'AWS_EC2_INSTANCE_ID is allowed only for instances in HTTP namespaces';
  const other = Object.keys(f.attributes).find((k) => reserved.has(k) && k !== 'AWS_EC2_INSTANCE_ID' && k !== 'AWS_INIT_HEALTH_STATUS');
  if (other !== undefined)
    return `With AWS_EC2_INSTANCE_ID the only other reserved attribute allowed is AWS_INIT_HEALTH_STATUS; got ${other}`;
  return undefined;
}

const recordTypes = (f: AttributeFacts): ReadonlySet<string> => new Set(f.service.dnsConfig?.dnsRecords.map((r) => r.type) ?? []);

function aliasViolation(f: AttributeFacts): string | undefined {
  if (f.attributes.AWS_ALIAS_DNS_NAME === undefined) return undefined;
  const types = recordTypes(f);
  if (f.service.dnsConfig?.routingPolicy !== 'WEIGHTED' || !(types.has('A') || types.has('AAAA'))) {
    return 'AWS_ALIAS_DNS_NAME is allowed only when the service has an A or AAAA record and the WEIGHTED routing policy';
  }
  const instanceKey = Object.keys(f.attributes).find((k) => k.startsWith('AWS_INSTANCE_'));
  if (instanceKey !== undefined) return `With AWS_ALIAS_DNS_NAME no AWS_INSTANCE_* attribute is allowed; got ${instanceKey}`;
  return undefined;
}

function recordViolation(f: AttributeFacts): string | undefined {
  const a = f.attributes;
  const types = recordTypes(f);
  const alias = a.AWS_ALIAS_DNS_NAME !== undefined;
  if (types.has('A') && !alias && a.AWS_INSTANCE_IPV4 === undefined) return 'AWS_INSTANCE_IPV4 is required: the service has an A record';
  if (types.has('AAAA') && !alias && a.AWS_INSTANCE_IPV6 === undefined)
    return 'AWS_INSTANCE_IPV6 is required: the service has an AAAA record';
  if (types.has('SRV')) {
    if (a.AWS_INSTANCE_PORT === undefined) return 'AWS_INSTANCE_PORT is required: the service has an SRV record';
    if (a.AWS_INSTANCE_IPV4 === undefined && a.AWS_INSTANCE_IPV6 === undefined)
      return 'AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required: the service has an SRV record';
    const host = srvHostViolation(f);
    if (host !== undefined) return host;
  }
  if (types.has('CNAME')) {
    if (a.AWS_INSTANCE_CNAME === undefined) return 'AWS_INSTANCE_CNAME is required: the service has a CNAME record';
    const ip = ['AWS_INSTANCE_IPV4', 'AWS_INSTANCE_IPV6', 'AWS_INSTANCE_PORT'].find((k) => a[k] !== undefined);
    if (ip !== undefined) return `${ip} is not allowed: the service has a CNAME record`;
  }
  return undefined;
}

/** The SRV target `<InstanceId>.<service>.<namespace>` must be a valid DNS name (RFC 1035 §2.3.4). */
function srvHostViolation(f: AttributeFacts): string | undefined {
  const owner = f.service.name === '.' ? f.namespaceName : `${f.service.name}.${f.namespaceName}`;
  const host = `${f.instanceId}.${owner}`;
  const labels = host.split('.');
  if (labels.some((l) => l.length === 0)) return `InstanceId ${f.instanceId} cannot form the SRV host name ${host}: empty label`;
  const long = labels.find((l) => Buffer.byteLength(l) > 63);
  if (long !== undefined) return `InstanceId ${f.instanceId} cannot form the SRV host name ${host}: label ${long} is longer than 63 octets`;
  // Wire length: one length octet per label plus its octets, plus the root label.
  const wire = labels.reduce((n, l) => n + 1 + Buffer.byteLength(l), 1);
  if (wire > 255) return `InstanceId ${f.instanceId} cannot form the SRV host name ${host}: the name is longer than 255 octets`;
  return undefined;
}

function healthCheckViolation(f: AttributeFacts): string | undefined {
  // Cloud Map does not apply a HealthCheckConfig to alias instances.
  if (!f.service.healthCheckConfig || f.attributes.AWS_ALIAS_DNS_NAME !== undefined) return undefined;
  if (f.attributes.AWS_INSTANCE_PORT === undefined) return 'AWS_INSTANCE_PORT is required: the service has a HealthCheckConfig';
  if (f.attributes.AWS_INSTANCE_IPV4 === undefined && f.attributes.AWS_INSTANCE_IPV6 === undefined) {
    return 'AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required: the service has a HealthCheckConfig and the check needs an address to probe';
  }
  return undefined;
}

export const isIpv4 = (v: string): boolean => ipaddr.IPv4.isValidFourPartDecimal(v);
// Zone indexes (fe80::1%eth0) are valid text but cannot be put in an AAAA record.
export const isIpv6 = (v: string): boolean => !v.includes('%') && ipaddr.IPv6.isValid(v);
export const isPort = (v: string): boolean => /^[1-9][0-9]{0,4}$/.test(v) && Number(v) <= 65535;

/** Host-name syntax, one trailing dot allowed: labels of 1..63 letters, digits, `-` or `_`, at most 253 characters. */
export function isDomainName(v: string): boolean {
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l));
}
