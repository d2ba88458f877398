// The API side of the fuzzer: requests (an X-Amz-Target and body bytes), sending one, and the contract
// every answer must keep: a 2xx, or a 4xx AWS error (a JSON body with __type); never a 5xx, a hang,
// a dropped connection, an unknown operation answered, or anything internal in the body.
import fc from 'fast-check';
import { compact, damage, fitSize, nestingDepth, prototypeKeys, serialize, type ByteDamage, type Node } from './json.ts';
import { applyMutations } from './mutate.ts';
import { operationNames, outputMembers, targetPrefix, type ModelCall } from './model.ts';
import { confineAddresses, isForeignAddress, resolveRefs, type Pool } from './pool.ts';

/** A broken promise of the contract; `signature` names the kind of failure (for counting distinct ones). */
export class Violation extends Error {
  readonly signature: string;
  constructor(signature: string, detail: string) {
    super(`${signature}\n${detail}`);
    this.signature = signature;
  }
}

/** cairn's request body limit: a larger body gets 413, or the connection closed while it is still sent. */
export const BODY_LIMIT = 1024 * 1024;
/** Bodies are kept near the limit: a few over it, most under, so the big shapes reach the parser. */
const BODY_MAX = BODY_LIMIT + 64 * 1024;
/** Nesting from which a 5xx is counted as one failure whatever the operation (the depth is its cause). */
const DEEP = 1000;

export interface ApiRequest {
  /** The operation as the counters name it: a model operation, or the raw target. */
  op: string;
  target: string | undefined;
  body: Buffer;
  contentType: string | undefined;
  /** The request before it was written as bytes (for harvesting ids), when it was a JSON object. */
  input?: unknown;
}

export interface ApiResponse {
  status: number;
  text: string;
  json: unknown;
  ms: number;
}

/** The request as a reproducer: the target, and the body as a JSON string literal (hex when it is not UTF-8). */
export function describeRequest(r: ApiRequest): string {
  const text = r.body.toString('utf8');
  const body = Buffer.from(text, 'utf8').equals(r.body) ? compact(JSON.stringify(text)) : `hex ${compact(r.body.toString('hex'))}`;
  return `target ${r.target === undefined ? '(none)' : JSON.stringify(r.target)}, content-type ${r.contentType ?? '(none)'}, body (${r.body.length} bytes) ${body}`;
}

/** Node's fetch refuses header values it cannot send; the fuzzer only makes ones it can. */
const headerSafe = (s: string): boolean => /^[\x20-\x7e\t]*$/.test(s) && s.trim() === s;

const targetNames: readonly string[] = [...operationNames, ...prototypeKeys];
/** X-Amz-Target values: the model's operations and JavaScript's own property names, well- or ill-prefixed. */
export const targetArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom(...targetNames).map((n) => `${targetPrefix}.${n}`), weight: 8 },
  { arbitrary: fc.constantFrom(...targetNames).map((n) => n), weight: 1 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('', 'Route53AutoNaming_v20170314', 'AWSCloudMap', 'x.y', `${targetPrefix}.`),
        fc.constantFrom(...targetNames, '', '.', 'listnamespaces'),
      )
      .map(([p, n]) => `${p}.${n}`),
    weight: 2,
  },
  {
    arbitrary: fc
      .string({ unit: 'grapheme-ascii', maxLength: 40 })
      .filter(headerSafe)
      .map((s) => `${targetPrefix}.${s}`),
    weight: 2,
  },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

export const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/x-amz-json-1.1'), weight: 8 },
  {
    arbitrary: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-amz-json-1.0',
      'application/x-amz-json-1.1; charset=utf-16',
      'multipart/form-data; boundary=x',
      '*/*',
    ),
    weight: 2,
  },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

/** A request from a tree: references resolved, addresses confined to loopback, bytes damaged last. */
export function requestOf(
  op: string,
  target: string | undefined,
  tree: Node,
  pool: Pool,
  pick: number,
  dmg: ByteDamage = { kind: 'none' },
  contentType: string | undefined = 'application/x-amz-json-1.1',
): ApiRequest {
  const resolved = fitSize(confineAddresses(resolveRefs(tree, pool, pick)), BODY_MAX);
  const clean = Buffer.from(serialize(resolved), 'utf8');
  const damaged = damage(clean, dmg);
  // Damage must not make an address outside loopback out of one inside it: then send the clean body.
  const body = damaged !== clean && foreignAddress(damaged) ? clean : damaged;
  return { op, target, body, contentType, input: parsedObject(body) };
}

export function requestOfCall(c: ModelCall, pool: Pool): ApiRequest {
  return requestOf(c.op, `${targetPrefix}.${c.op}`, applyMutations(c.body, c.mutations), pool, c.pick);
}

function parsedObject(body: Buffer): unknown {
  if (body.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether any value in a JSON body passes `test`, walked without recursion (false when it is not JSON). */
function anyValue(body: Buffer, test: (v: unknown) => boolean): boolean {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (test(v)) return true;
    if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return false;
}

/** Whether any string in a JSON body is an IP address outside loopback. */
const foreignAddress = (body: Buffer): boolean => anyValue(body, (v) => typeof v === 'string' && isForeignAddress(v));

/**
 * What in a body is the likely cause of a 5xx, when the fuzzer can tell: then the failures of every
 * operation count as one finding, and a different cause on the same operation still surfaces.
 */
function causeOf(body: Buffer): string | undefined {
  if (nestingDepth(body) >= DEEP) return `a body nested ${DEEP}+ deep`;
  if (body.length <= 64 * 1024 && memberHoldingObject(body, 'length')) return 'a body with a "length" member that is an object';
  return undefined;
}

/** Whether an object in a JSON body has an own member `name` that holds an object (not an array). */
function memberHoldingObject(body: Buffer, name: string): boolean {
  return anyValue(body, (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, name)) return false;
    const member = (v as Record<string, unknown>)[name];
    return member !== null && typeof member === 'object' && !Array.isArray(member);
  });
}

/** Sends one request; a hang or a dropped connection is a Violation. */
export async function send(endpoint: string, r: ApiRequest, timeoutMs = 10_000): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.target !== undefined) headers['x-amz-target'] = r.target;
  const t0 = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${endpoint}/`, { method: 'POST', headers, body: r.body, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    // A server may close the connection of a body over its limit before it has all been sent.
    if (r.body.length > BODY_LIMIT && ['EPIPE', 'ECONNRESET'].includes(err.cause?.code ?? ''))
      return { status: 413, text: '{"__type":"(connection closed)"}', json: { __type: '(connection closed)' }, ms: performance.now() - t0 };
    if (err.name === 'TimeoutError') throw new Violation(`${r.op}: no answer within ${timeoutMs} ms`, describeRequest(r));
    throw new Violation(`${r.op}: connection failed (${err.cause?.code ?? err.message})`, describeRequest(r));
  }
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms: performance.now() - t0 };
}

const internals = /\n\s+at |node:internal|\bfile:\/\/|\.ts:\d+:\d+|ioredis|\[object Object\]/;

/** Throws a Violation when the answer breaks the contract. */
export function checkAnswer(r: ApiRequest, res: ApiResponse): void {
  const known =
    r.target !== undefined && r.target.startsWith(`${targetPrefix}.`) && operationNames.includes(r.target.slice(targetPrefix.length + 1));
  const fail = (what: string, op: string = r.op): never => {
    throw new Violation(`${op}: ${what}`, `${describeRequest(r)}\n  → HTTP ${res.status} ${compact(res.text, 300)}`);
  };
  const type = (res.json as { __type?: unknown } | undefined)?.__type;
  if (res.status >= 500) {
    const what = `HTTP ${res.status} ${typeof type === 'string' ? type : ''}`.trim();
    const cause = causeOf(r.body);
    if (cause !== undefined) fail(`${what} to ${cause}`, 'any operation');
    fail(what);
  }
  if (!(res.status >= 200 && res.status < 300) && !(res.status >= 400 && res.status < 500)) fail(`HTTP ${res.status}`);
  if (res.json === null || typeof res.json !== 'object' || Array.isArray(res.json)) fail(`HTTP ${res.status} without a JSON object body`);
  const leaked = internals.exec(res.text)?.[0];
  // Error messages quote the input: a marker counts only when the request did not carry it.
  if (leaked !== undefined && !r.body.toString('utf8').includes(leaked))
    fail(`HTTP ${res.status}: internal details (${JSON.stringify(leaked)}) in the body`);
  if (res.status >= 400) {
    if (typeof type !== 'string' || type === '') fail(`HTTP ${res.status} without __type`);
    if (known && type === 'UnknownOperationException') fail('a model operation answered UnknownOperationException');
    return;
  }
  if (!known) fail(`HTTP ${res.status} to a target that is not a model operation`);
  const allowed = outputMembers(r.op);
  const extra = allowed === undefined ? [] : Object.keys(res.json as object).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`HTTP ${res.status} with members outside the output shape: ${extra.slice(0, 5).join(', ')}`);
}

/** Sends, checks, and harvests what a success tells about the server's resources. */
export async function exchange(endpoint: string, r: ApiRequest, pool: Pool, timeoutMs?: number): Promise<ApiResponse> {
  const res = await send(endpoint, r, timeoutMs);
  checkAnswer(r, res);
  if (res.status < 300) pool.harvest(r.op, r.input, res.json);
  return res;
}
