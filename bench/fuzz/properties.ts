// The fuzzer's properties, shared by the short run in `npm test` and the long run of bench/fuzz.ts:
// each takes a server (API endpoint, DNS address, the pool of its resources) and counts what it saw.
import fc from 'fast-check';
import { contentTypeArb, describeRequest, exchange, requestOf, requestOfCall, targetArb, Violation, type ApiRequest } from './api.ts';
import { tcpExchange, udpExchange, type DnsTarget } from './dns-check.ts';
import { dnsMessageArb, tcpStreamArb } from './dns-messages.ts';
import { bigShape, byteDamage, fitSize, obj, prototypeKeys, type Node } from './json.ts';
import { anyModelCall, hostile, hostileKeys, operationNames, targetPrefix } from './model.ts';
import type { Pool } from './pool.ts';
import { FUZZ_ZONES, PROBE_ZONE } from './resources.ts';

export interface FuzzTarget {
  endpoint: string;
  dns: DnsTarget;
  pool: Pool;
  stats: Stats;
  /** Error-level lines the server logged since the last call (an in-process server's log), if known. */
  takeServerErrors?: () => string[];
  /** A failure already reported, which the long run counts and lets pass so others can surface. */
  tolerate?: (v: Violation) => boolean;
}

/** Runs one case; a tolerated Violation passes. */
async function guarded(t: FuzzTarget, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof Violation && t.tolerate?.(e)) return;
    throw e;
  }
}

/** A handler that throws is silent on the wire (DNS drops the query) but logs: that counts too. */
function checkServerLog(t: FuzzTarget, after: string): void {
  const lines = t.takeServerErrors?.() ?? [];
  if (lines.length > 0)
    throw new Violation(`server logged an error: ${errorMessage(lines[0]!)}`, `after ${after}:\n${lines.join('\n').slice(0, 2000)}`);
}

/** The msg of a pino JSON line, or the line. */
export function errorMessage(line: string): string {
  try {
    return String((JSON.parse(line) as { msg?: unknown }).msg);
  } catch {
    return line.slice(0, 120);
  }
}

/** Counters for the summary: requests and answers per operation, DNS rcodes per transport. */
export class Stats {
  readonly requests = new Map<string, number>();
  readonly answers = new Map<string, number>();
  /** Per operation: answer (200, or status and __type) → count. */
  readonly answersByOp = new Map<string, Map<string, number>>();
  readonly rcodes = new Map<string, number>();
  dnsSent = 0;

  add(map: Map<string, number>, key: string, n = 1): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  api(r: ApiRequest, status: number, type: unknown): void {
    const answer = status < 300 ? String(status) : `${status} ${typeof type === 'string' ? type : ''}`.trim();
    this.add(this.requests, r.op);
    this.add(this.answers, answer);
    if (!this.answersByOp.has(r.op)) this.answersByOp.set(r.op, new Map());
    this.add(this.answersByOp.get(r.op)!, answer);
  }

  dns(transport: string, sent: number, rcodes: readonly string[]): void {
    this.dnsSent += sent;
    for (const r of rcodes) this.add(this.rcodes, `${transport} ${r}`);
  }
}

function run(t: FuzzTarget, r: ApiRequest): Promise<void> {
  return guarded(t, async () => {
    const res = await exchange(t.endpoint, r, t.pool);
    t.stats.api(r, res.status, (res.json as { __type?: unknown } | undefined)?.__type);
  });
}

/** The operation a target names, for the counters: a model operation, a prototype name, or "other". */
function opOf(target: string | undefined): string {
  const name = target?.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : undefined;
  if (name !== undefined && (operationNames.includes(name) || prototypeKeys.includes(name))) return name;
  return target === undefined ? '(no target)' : '(other target)';
}

/** A top-level body: mostly an object of hostile members, sometimes any value or one of the big shapes. */
const hostileBody: fc.Arbitrary<Node> = fc.oneof(
  { arbitrary: fc.array(fc.tuple(hostileKeys, hostile), { maxLength: 8 }).map(obj), weight: 6 },
  { arbitrary: hostile, weight: 2 },
  { arbitrary: bigShape(hostileKeys, hostile), weight: 1 },
);

/** Any body, any target, any content type: a 2xx or a 4xx AWS error. */
export const hostileProperty = (t: FuzzTarget) =>
  fc.asyncProperty(targetArb, hostileBody, byteDamage, contentTypeArb, fc.nat(), async (target, body, dmg, contentType, pick) =>
    run(t, requestOf(opOf(target), target, body, t.pool, pick, dmg, contentType)),
  );

/** Every model operation with a mostly-valid body, mutated: a 2xx or a 4xx that is not UnknownOperation. */
export const modelProperty = (t: FuzzTarget) => fc.asyncProperty(anyModelCall, async (c) => run(t, requestOfCall(c, t.pool)));

/** JavaScript's own property names as the operation: an unknown operation, whatever the body (the target is read first). */
export const prototypeTargetProperty = (t: FuzzTarget) =>
  fc.asyncProperty(fc.constantFrom(...prototypeKeys), fc.oneof(fc.constant(obj([])), hostileBody), (name, body) =>
    guarded(t, async () => {
      // Small bodies: one over the size limit is refused before the target is looked at.
      const r = requestOf(name, `${targetPrefix}.${name}`, fitSize(body, 64 * 1024), t.pool, 0);
      const res = await exchange(t.endpoint, r, t.pool);
      const type = (res.json as { __type?: unknown }).__type;
      if (res.status !== 400 || type !== 'UnknownOperationException') {
        throw new Violation(`${name}: HTTP ${res.status} ${String(type)} instead of 400 UnknownOperationException`, describeRequest(r));
      }
      t.stats.api(r, res.status, type);
    }),
  );

/** The names JavaScript reads when it converts or measures a value come first. */
const conversionKey = fc.oneof(
  { arbitrary: fc.constantFrom('length', 'toString', 'valueOf', 'toJSON'), weight: 4 },
  { arbitrary: fc.constantFrom(...prototypeKeys), weight: 1 },
);

/** Objects made of JavaScript's own names ({"length":{"toString":""}}): what a careless reader of a member calls or converts. */
const prototypeObject: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('""', '0', 'false', 'null', '{}', '[]', '"x"').map((text): Node => ({ t: 'lit', text })),
    fc.array(fc.tuple(conversionKey, tie('node')), { minLength: 1, maxLength: 3 }).map(obj),
  ),
})).node;

/** Every model operation with some value replaced by such an object: a 4xx (a wrong type), never a 5xx. */
export const prototypeMembersProperty = (t: FuzzTarget) =>
  fc.asyncProperty(anyModelCall, fc.nat(), prototypeObject, async (c, at, node) =>
    run(t, requestOfCall({ ...c, mutations: [{ kind: 'replace', at, node }] }, t.pool)),
  );

/** A model operation's body with some member buried thousands of levels deep. */
export const deepProperty = (t: FuzzTarget) =>
  fc.asyncProperty(
    anyModelCall,
    fc.nat(),
    fc.integer({ min: 2000, max: 150_000 }),
    fc.option(fc.constantFrom('a', '__proto__', 'Name', 'constructor'), { nil: null }),
    async (c, at, depth, key) => run(t, requestOfCall({ ...c, mutations: [...c.mutations, { kind: 'wrap', at, depth, key }] }, t.pool)),
  );

const zones = [PROBE_ZONE, ...FUZZ_ZONES];

/** Datagrams sent back to back: each is answered well or not at all, and the known query still is. */
export const udpProperty = (t: FuzzTarget, maxMessages = 8) =>
  fc.asyncProperty(fc.array(dnsMessageArb(zones), { minLength: 1, maxLength: maxMessages }), (messages) =>
    guarded(t, async () => {
      t.stats.dns('udp', messages.length, await udpExchange(t.dns, messages));
      checkServerLog(t, `udp ${messages.map((m) => m.toString('hex')).join(' + ')}`);
    }),
  );

/** Bursts of up to 200 datagrams, so the batched reader gets full batches of hostile input. */
export const udpBurstProperty = (t: FuzzTarget) => udpProperty(t, 200);

/** A TCP byte stream of messages and garbage: replies are well-formed frames, and a new connection still gets answers. */
export const tcpProperty = (t: FuzzTarget) =>
  fc.asyncProperty(tcpStreamArb(zones), (stream) =>
    guarded(t, async () => {
      t.stats.dns('tcp', 1, await tcpExchange(t.dns, stream.chunks));
      checkServerLog(t, `tcp ${stream.chunks.map((c) => c.toString('hex')).join(' | ')}`);
    }),
  );

export const properties = {
  hostile: hostileProperty,
  model: modelProperty,
  prototypeTarget: prototypeTargetProperty,
  prototypeMembers: prototypeMembersProperty,
  deep: deepProperty,
  udp: (t: FuzzTarget) => udpProperty(t),
  udpBurst: udpBurstProperty,
  tcp: tcpProperty,
} as const;
export type PropertyName = keyof typeof properties;

/** fast-check's parameters for a short run; CAIRN_FUZZ_SEED and CAIRN_FUZZ_PATH replay a reported failure. */
export function runParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.CAIRN_FUZZ_SEED;
  const path = process.env.CAIRN_FUZZ_PATH;
  return { numRuns, ...(seed ? { seed: Number(seed) } : {}), ...(path ? { path } : {}) };
}
