// The resources a fuzzed server has (namespaces, services, instances, operations, page tokens), learnt
// from its answers, so generated requests name things that exist and reach past the NotFound checks.
import { isIP } from 'node:net';
import type { Node, Ref } from './json.ts';

export interface NamespaceEntry {
  id: string;
  arn: string;
  name: string;
}
export interface ServiceEntry {
  id: string;
  arn: string;
  name: string;
  namespaceName: string;
}
export interface InstanceEntry {
  serviceId: string;
  id: string;
}

const CAP = 64;

/** A bounded list: the newest entries win, no duplicates. */
class Ring<T> {
  readonly items: T[] = [];
  private readonly keyOf: (t: T) => string;
  constructor(keyOf: (t: T) => string) {
    this.keyOf = keyOf;
  }
  add(t: T): void {
    const k = this.keyOf(t);
    const i = this.items.findIndex((x) => this.keyOf(x) === k);
    if (i >= 0) this.items.splice(i, 1);
    this.items.push(t);
    if (this.items.length > CAP) this.items.shift();
  }
  remove(key: string): void {
    const i = this.items.findIndex((x) => this.keyOf(x) === key);
    if (i >= 0) this.items.splice(i, 1);
  }
  pick(n: number): T | undefined {
    return this.items.length === 0 ? undefined : this.items[n % this.items.length];
  }
}

/** What a reference resolves to while the pool has nothing of its kind: well-formed, but unknown. */
const fallback: Record<Ref, string> = {
  'ns.id': 'ns-fuzz000000000000',
  'ns.arn': 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-fuzz000000000000',
  'ns.name': 'nothere.fuzz',
  'svc.id': 'srv-fuzz000000000000',
  'svc.arn': 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-fuzz000000000000',
  'svc.name': 'nothere',
  'svc.nsName': 'nothere.fuzz',
  'inst.serviceId': 'srv-fuzz000000000000',
  'inst.id': 'i-nothere',
  'op.id': 'fuzz0000000000000000000000000000-00000000',
  token: 'eyJub3RoZXJlIjp0cnVlfQ==',
};

export class Pool {
  readonly namespaces = new Ring<NamespaceEntry>((e) => e.id);
  readonly services = new Ring<ServiceEntry>((e) => e.id);
  readonly instances = new Ring<InstanceEntry>((e) => `${e.serviceId}/${e.id}`);
  readonly operations = new Ring<string>((e) => e);
  readonly tokens = new Ring<string>((e) => e);
  /** Ids the fuzzer must never be handed (the liveness probe's namespace and service). */
  readonly protectedIds = new Set<string>();

  addNamespace(e: NamespaceEntry): void {
    if (!this.protectedIds.has(e.id)) this.namespaces.add(e);
  }
  addService(e: ServiceEntry): void {
    if (!this.protectedIds.has(e.id)) this.services.add(e);
  }
  addInstance(e: InstanceEntry): void {
    if (!this.protectedIds.has(e.serviceId)) this.instances.add(e);
  }

  resolve(r: Ref, pick: number): string {
    const ns = (): NamespaceEntry | undefined => this.namespaces.pick(pick);
    const svc = (): ServiceEntry | undefined => this.services.pick(pick);
    const inst = (): InstanceEntry | undefined => this.instances.pick(pick);
    const v: Record<Ref, () => string | undefined> = {
      'ns.id': () => ns()?.id,
      'ns.arn': () => ns()?.arn,
      'ns.name': () => ns()?.name,
      'svc.id': () => svc()?.id,
      'svc.arn': () => svc()?.arn,
      'svc.name': () => svc()?.name,
      'svc.nsName': () => svc()?.namespaceName,
      'inst.serviceId': () => inst()?.serviceId,
      'inst.id': () => inst()?.id,
      'op.id': () => this.operations.pick(pick),
      token: () => this.tokens.pick(pick),
    };
    return v[r]() ?? fallback[r];
  }

  /** Learns ids and tokens from a successful answer (and from the request that created something). */
  harvest(op: string, request: unknown, response: unknown): void {
    const res = (response ?? {}) as Record<string, unknown>;
    if (typeof res.OperationId === 'string') this.operations.add(res.OperationId);
    if (typeof res.NextToken === 'string') this.tokens.add(res.NextToken);
    const service = res.Service as { Id?: unknown; Arn?: unknown; Name?: unknown; NamespaceId?: unknown } | undefined;
    if (service && typeof service.Id === 'string' && typeof service.Arn === 'string' && typeof service.Name === 'string') {
      const ns = this.namespaces.items.find((n) => n.id === service.NamespaceId);
      if (ns) this.addService({ id: service.Id, arn: service.Arn, name: service.Name, namespaceName: ns.name });
    }
    const req = (request ?? {}) as Record<string, unknown>;
    const id = (v: unknown): string => (typeof v === 'string' ? v.slice(v.lastIndexOf('/') + 1) : '');
    if (op === 'RegisterInstance' && typeof req.InstanceId === 'string')
      this.addInstance({ serviceId: id(req.ServiceId), id: req.InstanceId });
    // Deleted things leave the pool: requests should aim at what exists.
    if (op === 'DeregisterInstance') this.instances.remove(`${id(req.ServiceId)}/${String(req.InstanceId)}`);
    if (op === 'DeleteService') this.services.remove(id(req.Id));
    if (op === 'DeleteNamespace') this.namespaces.remove(id(req.Id));
  }
}

/** A copy of the tree with every reference replaced by a resource of the pool (or a well-formed unknown). */
export function resolveRefs(n: Node, pool: Pool, pick: number): Node {
  switch (n.t) {
    case 'ref':
      return { t: 'str', value: pool.resolve(n.ref, pick) };
    case 'arr':
      return { t: 'arr', items: n.items.map((x) => resolveRefs(x, pool, pick)) };
    case 'obj':
      return { ...n, entries: n.entries.map(([k, v]) => [k, resolveRefs(v, pool, pick)]) };
    case 'deep':
      return { ...n, inner: resolveRefs(n.inner, pool, pick) };
    case 'wide':
      return { ...n, item: resolveRefs(n.item, pool, pick) };
    default:
      return n;
  }
}

/** An IP address (as node:net reads one) that is not on loopback. */
export const isForeignAddress = (s: string): boolean => isIP(s) !== 0 && s !== '::1' && !/^127\./.test(s);

/**
 * Every string that is an IP address outside loopback becomes a loopback one: cairn probes the
 * addresses of instances whose service has a health check, and a fuzzer must not send traffic
 * anywhere but this machine.
 */
export function confineAddresses(n: Node): Node {
  switch (n.t) {
    case 'str':
      return isForeignAddress(n.value) ? { t: 'str', value: isIP(n.value) === 4 ? '127.0.0.1' : '::1' } : n;
    case 'huge':
      return n;
    case 'arr':
      return { t: 'arr', items: n.items.map(confineAddresses) };
    case 'obj':
      return { ...n, entries: n.entries.map(([k, v]) => [k, confineAddresses(v)]) };
    case 'deep':
      return { ...n, inner: confineAddresses(n.inner) };
    case 'wide':
      return { ...n, item: confineAddresses(n.item) };
    default:
      return n;
  }
}
