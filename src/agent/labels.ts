// What a container's labels ask the agent to register: pure, so every label set is table-tested without
// Docker. A container without `cairn.service` is not the agent's business; a bad label is one clear line.

/** What the agent needs to know of a container, read from `docker inspect`. */
export interface ContainerView {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  image: string;
  running: boolean;
  labels: Readonly<Record<string, string>>;
  networks: readonly { name: string; ipv4?: string; ipv6?: string }[];
  /** Docker's health status, when the container has a HEALTHCHECK. */
  health?: 'starting' | 'healthy' | 'unhealthy';
}

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY';

/** One instance the labels ask for, before its namespace and service names are looked up. */
export interface Desired {
  containerId: string;
  containerName: string;
  namespace: string;
  service: string;
  instanceId: string;
  attributes: Record<string, string>;
  /** The container's health as Cloud Map's custom health status; undefined without a HEALTHCHECK. */
  health?: HealthStatus;
}

export type LabelResult = { ok: true; desired: Desired } | { ok: false; error: string };

export const LABEL = {
  service: 'cairn.service',
  namespace: 'cairn.namespace',
  port: 'cairn.port',
  network: 'cairn.network',
  instanceId: 'cairn.instance-id',
  attributePrefix: 'cairn.attributes.',
} as const;

/** Attributes the agent writes itself; the owner mark is how it knows its instances from anyone else's. */
export const ATTRIBUTE = {
  agent: 'cairn.agent',
  container: 'cairn.container',
  containerId: 'cairn.container-id',
  image: 'cairn.image',
} as const;

const ownKeys: ReadonlySet<string> = new Set([
  'AWS_INSTANCE_IPV4',
  'AWS_INSTANCE_IPV6',
  'AWS_INSTANCE_PORT',
  'AWS_INIT_HEALTH_STATUS',
  ...Object.values(ATTRIBUTE),
]);
const knownLabels: ReadonlySet<string> = new Set([LABEL.service, LABEL.namespace, LABEL.port, LABEL.network, LABEL.instanceId]);
// Cloud Map's InstanceId pattern and length.
const instanceIdPattern = /^[0-9a-zA-Z_/:.@-]{1,64}$/;
const composeProject = 'com.docker.compose.project';

export interface LabelDefaults {
  agentId: string;
  /** Namespace of containers without `cairn.namespace`. */
  namespace?: string;
}

/** The registration a container's labels ask for, a clear error, or undefined when it has no `cairn.service`. */
export function readLabels(c: ContainerView, defaults: LabelDefaults): LabelResult | undefined {
  const service = c.labels[LABEL.service];
  if (service === undefined) return undefined;
  const fail = (error: string): LabelResult => ({ ok: false, error });
  const unknown = Object.keys(c.labels).find((k) => k.startsWith('cairn.') && !knownLabels.has(k) && !k.startsWith(LABEL.attributePrefix));
  if (unknown !== undefined) return fail(`unknown label ${unknown} (known: ${[...knownLabels].join(', ')}, ${LABEL.attributePrefix}<key>)`);
  if (service.trim() === '') return fail(`${LABEL.service} is empty`);
  const namespace = c.labels[LABEL.namespace] ?? defaults.namespace;
  if (namespace === undefined || namespace.trim() === '')
    return fail(`no namespace: set ${LABEL.namespace} or start the agent with --namespace`);
  const instanceId = c.labels[LABEL.instanceId] ?? c.name;
  if (!instanceIdPattern.test(instanceId))
    return fail(`instance id '${instanceId}' is not a Cloud Map instance id (1-64 of A-Z a-z 0-9 _ / : . @ -); set ${LABEL.instanceId}`);
  const port = readPort(c.labels[LABEL.port]);
  if (port instanceof Error) return fail(port.message);
  const address = pickAddress(c, c.labels[LABEL.network]);
  if (address instanceof Error) return fail(address.message);
  const custom = customAttributes(c.labels);
  if (custom instanceof Error) return fail(custom.message);
  const attributes: Record<string, string> = {
    ...custom,
    ...(address.ipv4 !== undefined ? { AWS_INSTANCE_IPV4: address.ipv4 } : {}),
    ...(address.ipv6 !== undefined ? { AWS_INSTANCE_IPV6: address.ipv6 } : {}),
    ...(port !== undefined ? { AWS_INSTANCE_PORT: port } : {}),
    [ATTRIBUTE.agent]: defaults.agentId,
    [ATTRIBUTE.container]: c.name,
    [ATTRIBUTE.containerId]: c.id,
    [ATTRIBUTE.image]: c.image,
  };
  const health = c.health === undefined ? undefined : c.health === 'healthy' ? 'HEALTHY' : 'UNHEALTHY';
  return {
    ok: true,
    desired: { containerId: c.id, containerName: c.name, namespace, service, instanceId, attributes, ...(health ? { health } : {}) },
  };
}

function readPort(raw: string | undefined): string | undefined | Error {
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) return new Error(`${LABEL.port} '${raw}' is not a port number (1-65535)`);
  return String(Number(v));
}

/** The addresses on the named network (compose's `<project>_` prefix may be left out), or on the only one. */
function pickAddress(c: ContainerView, wanted: string | undefined): { ipv4?: string; ipv6?: string } | Error {
  const withAddress = c.networks.filter((n) => n.ipv4 !== undefined || n.ipv6 !== undefined);
  const names = c.networks.map((n) => n.name).join(', ') || 'none';
  if (wanted === undefined) {
    if (withAddress.length === 1) return withAddress[0]!;
    if (withAddress.length === 0) return new Error(`no address on any network (networks: ${names})`);
    return new Error(`on several networks (${names}): say whose address to register with ${LABEL.network}`);
  }
  const project = c.labels[composeProject];
  const net =
    c.networks.find((n) => n.name === wanted) ??
    (project !== undefined ? c.networks.find((n) => n.name === `${project}_${wanted}`) : undefined);
  if (net === undefined) return new Error(`${LABEL.network} '${wanted}': the container is not on that network (networks: ${names})`);
  if (net.ipv4 === undefined && net.ipv6 === undefined) return new Error(`${LABEL.network} '${wanted}': no address on that network`);
  return net;
}

function customAttributes(labels: Readonly<Record<string, string>>): Record<string, string> | Error {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!k.startsWith(LABEL.attributePrefix)) continue;
    const key = k.slice(LABEL.attributePrefix.length);
    if (key === '') return new Error(`${k}: an attribute label needs a key after ${LABEL.attributePrefix}`);
    if (ownKeys.has(key)) return new Error(`${k}: the agent sets ${key} itself`);
    out[key] = v;
  }
  return out;
}

/** Attributes as compared for "already registered as wanted": the initial health is not a difference. */
export function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = (x: Readonly<Record<string, string>>) => Object.keys(x).filter((k) => k !== 'AWS_INIT_HEALTH_STATUS');
  const ka = keys(a);
  return ka.length === keys(b).length && ka.every((k) => a[k] === b[k]);
}
