// The Cloud Map API as the console calls it: one POST per operation (JSON 1.1, X-Amz-Target), signed when
// the registry asks for credentials, and the shapes of the answers the console reads.
import { credentials } from './session.ts';
import { signedFetch } from './signed-fetch.ts';

const TARGET = 'Route53AutoNaming_v20170314';

/** An error answer of the API: its code (__type) and message. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
  /** The signature or key was refused: the console must ask for credentials again. */
  get refusedKey(): boolean {
    return /^(MissingAuthenticationToken|IncompleteSignature|UnrecognizedClient|InvalidSignature)Exception$/.test(this.code);
  }
}

const refusals = new Set<(e: ApiError) => void>();
/** Hears of every call whose key or signature was refused (the session's key no longer works). */
export function onRefused(listener: (e: ApiError) => void): () => void {
  refusals.add(listener);
  return () => refusals.delete(listener);
}

export async function readAnswer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (res.ok) return body as T;
  const code = typeof body.__type === 'string' ? body.__type.replace(/^.*#/, '') : `HTTP${res.status}`;
  const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : res.statusText;
  const error = new ApiError(code, message, res.status);
  if (error.refusedKey) for (const l of refusals) l(error);
  throw error;
}

export async function call<T>(operation: string, input: object, creds = credentials()): Promise<T> {
  const res = await signedFetch(
    '/',
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}.${operation}` },
      body: JSON.stringify(input),
    },
    creds,
  );
  return readAnswer<T>(res);
}

/** Every page of a List* operation, up to `max` items (the console shows what fits on a page). */
export async function listAll<T>(operation: string, input: object, key: string, max = 5000): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await call<Record<string, unknown>>(operation, { ...input, ...(token ? { NextToken: token } : {}) });
    out.push(...((page[key] as T[] | undefined) ?? []));
    token = typeof page.NextToken === 'string' ? page.NextToken : undefined;
  } while (token && out.length < max);
  return out;
}

/** A List* filter on one value. */
export const filterEq = (name: string, value: string) => ({ Name: name, Values: [value], Condition: 'EQ' });

/** A namespace's services: a service summary does not name its namespace, so the console asks per namespace. */
export const listServices = (namespaceId: string): Promise<Service[]> =>
  listAll<Service>('ListServices', { MaxResults: 100, Filters: [filterEq('NAMESPACE_ID', namespaceId)] }, 'Services');

export const getNamespace = async (id: string): Promise<Namespace> =>
  (await call<{ Namespace: Namespace }>('GetNamespace', { Id: id })).Namespace;

/** The name DiscoverInstances and the watch stream take for a namespace. */
export const httpName = (ns: Namespace): string => ns.Properties?.HttpProperties?.HttpName ?? ns.Name;

// ---- shapes the console reads (epoch seconds as the JSON protocol sends them) ----

export interface Namespace {
  Id: string;
  Name: string;
  Type: 'HTTP' | 'DNS_PUBLIC' | 'DNS_PRIVATE';
  Description?: string;
  ServiceCount?: number;
  Properties?: { HttpProperties?: { HttpName?: string }; DnsProperties?: { SOA?: { TTL?: number } } };
}

export interface DnsRecord {
  Type: string;
  TTL: number;
}

export interface Service {
  Id: string;
  Name: string;
  NamespaceId?: string;
  Description?: string;
  InstanceCount?: number;
  DnsConfig?: { RoutingPolicy?: string; DnsRecords: DnsRecord[] };
  HealthCheckConfig?: { Type: string; ResourcePath?: string; FailureThreshold?: number };
  HealthCheckCustomConfig?: object;
}

export interface Instance {
  Id: string;
  Attributes?: Record<string, string>;
}

export interface DiscoveredInstance {
  InstanceId: string;
  Attributes?: Record<string, string>;
}

export interface Operation {
  Id: string;
  Type?: string;
  Status?: string;
  ErrorMessage?: string;
  CreateDate?: number;
  Targets?: Record<string, string>;
}
