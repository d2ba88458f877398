// JSON as a tree that can say what JSON.stringify cannot (duplicate keys, numbers out of range, invalid
// literals, deep and wide shapes written lazily), and the hostile arbitraries built on it.
import fc from 'fast-check';

/** A resource reference, resolved against the pool of existing resources when the request is sent. */
export type Ref =
  'ns.id' | 'ns.arn' | 'ns.name' | 'svc.id' | 'svc.arn' | 'svc.name' | 'svc.nsName' | 'inst.serviceId' | 'inst.id' | 'op.id' | 'token';

export type Node =
  | { t: 'lit'; text: string } // a raw literal: null, true, 1e400, NaN, -0 ...
  | { t: 'str'; value: string; escapeAll?: boolean }
  | { t: 'arr'; items: Node[] }
  | { t: 'obj'; entries: [string, Node][]; escapeKeys?: boolean }
  | { t: 'deep'; depth: number; key: string | null; inner: Node } // `depth` arrays (key null) or objects around `inner`
  | { t: 'wide'; count: number; key: string | null; distinct: boolean; item: Node } // an array, or an object of one key repeated or k0..kn
  | { t: 'huge'; unit: string; count: number } // a string of `unit` repeated
  | { t: 'ref'; ref: Ref };

export const str = (value: string): Node => ({ t: 'str', value });
export const lit = (text: string): Node => ({ t: 'lit', text });
export const obj = (entries: [string, Node][]): Node => ({ t: 'obj', entries });
export const arr = (items: Node[]): Node => ({ t: 'arr', items });
export const ref = (r: Ref): Node => ({ t: 'ref', ref: r });

/** A plain JSON value as a tree. */
export function fromValue(v: unknown): Node {
  if (v === null || v === undefined) return lit('null');
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return lit(Object.is(v, -0) ? '-0' : String(v));
  if (Array.isArray(v)) return arr(v.map(fromValue));
  return obj(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromValue(x)]));
}

const escapeEvery = (s: string): string =>
  [...s]
    .map((c) => {
      let out = '';
      for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
      return out;
    })
    .join('');
const quote = (s: string, all = false): string => (all ? `"${escapeEvery(s)}"` : JSON.stringify(s));

/** The JSON text of a tree (refs must have been resolved). */
export function serialize(n: Node): string {
  const out: string[] = [];
  write(n, out);
  return out.join('');
}

function write(n: Node, out: string[]): void {
  switch (n.t) {
    case 'lit':
      out.push(n.text);
      return;
    case 'str':
      out.push(quote(n.value, n.escapeAll));
      return;
    case 'huge':
      out.push(`"${JSON.stringify(n.unit).slice(1, -1).repeat(n.count)}"`);
      return;
    case 'ref':
      out.push(JSON.stringify(`unresolved:${n.ref}`));
      return;
    case 'arr':
      out.push('[');
      n.items.forEach((item, i) => {
        if (i > 0) out.push(',');
        write(item, out);
      });
      out.push(']');
      return;
    case 'obj':
      out.push('{');
      n.entries.forEach(([k, v], i) => {
        out.push(i > 0 ? ',' : '', quote(k, n.escapeKeys), ':');
        write(v, out);
      });
      out.push('}');
      return;
    case 'deep': {
      const open = n.key === null ? '[' : `{${quote(n.key)}:`;
      out.push(open.repeat(n.depth));
      write(n.inner, out);
      out.push((n.key === null ? ']' : '}').repeat(n.depth));
      return;
    }
    case 'wide': {
      const item = serialize(n.item);
      if (n.key === null) {
        out.push('[', Array.from({ length: n.count }, () => item).join(','), ']');
        return;
      }
      const key = n.key;
      const parts = Array.from({ length: n.count }, (_, i) => `${quote(n.distinct ? `${key}${i}` : key)}:${item}`);
      out.push('{', parts.join(','), '}');
    }
  }
}

/** The length of a tree's JSON text, estimated without writing it (strings as if unescaped). */
export function sizeOf(n: Node): number {
  switch (n.t) {
    case 'lit':
      return n.text.length;
    case 'str':
      return n.value.length * (n.escapeAll ? 6 : 1) + 2;
    case 'huge':
      return n.unit.length * n.count + 2;
    case 'ref':
      return 80;
    case 'arr':
      return 2 + n.items.reduce((a, x) => a + sizeOf(x) + 1, 0);
    case 'obj':
      return 2 + n.entries.reduce((a, [k, v]) => a + k.length * (n.escapeKeys ? 6 : 1) + 4 + sizeOf(v), 0);
    case 'deep':
      return n.depth * ((n.key?.length ?? -3) + 5) + sizeOf(n.inner);
    case 'wide':
      return 2 + n.count * (sizeOf(n.item) + (n.key === null ? 1 : n.key.length + 10));
  }
}

/** The tree with its deep, wide and huge parts scaled down until its text fits in about `max` characters. */
export function fitSize(n: Node, max: number): Node {
  let tree = n;
  for (let size = sizeOf(tree); size > max; size = sizeOf(tree)) tree = scale(tree, max / size);
  return tree;
}

function scale(n: Node, f: number): Node {
  const by = (count: number): number => Math.max(1, Math.floor(count * f));
  switch (n.t) {
    case 'huge':
      return { ...n, count: by(n.count) };
    case 'deep':
      return { ...n, depth: by(n.depth), inner: scale(n.inner, f) };
    case 'wide':
      return { ...n, count: by(n.count), item: scale(n.item, f) };
    case 'arr':
      return { ...n, items: n.items.map((x) => scale(x, f)).slice(0, by(n.items.length)) };
    case 'obj':
      return { ...n, entries: n.entries.map(([k, v]): [string, Node] => [k, scale(v, f)]).slice(0, by(n.entries.length)) };
    case 'str':
      return n.value.length > 64 ? { ...n, value: n.value.slice(0, by(n.value.length)) } : n;
    default:
      return n;
  }
}

/** How deep arrays and objects nest in a JSON text (a scan, no parse: the text may be any bytes). */
export function nestingDepth(text: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Every own property of Object.prototype, plus names that JavaScript treats specially elsewhere. */
export const prototypeKeys: readonly string[] = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype', 'then', 'toJSON', 'length', 'name', 'call', 'apply', 'bind']),
];

/** Strings that mean a number, a keyword or nothing to a careless reader. */
export const nanishStrings: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  'true',
  'false',
  '1e400',
  '-0',
  '0x7f',
  '1_000',
  '',
  ' ',
  '\t',
  '٣',
  '9007199254740993',
  '-1',
  '00',
  '0.1e1',
  'None',
  '[]',
  '{}',
  '[object Object]',
];

/** Number literals, valid JSON or not, at and beyond every range a parser or a schema may have. */
export const numberLiterals: readonly string[] = [
  '0',
  '-0',
  '1',
  '-1',
  '0.5',
  '1e400',
  '-1e400',
  '1e-400',
  '5e-324',
  '1.7976931348623157e308',
  '9007199254740993',
  '123456789012345678901234567890',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '1E2',
  '1.0',
  '0.1e1',
  'NaN',
  'Infinity',
  '-Infinity',
  '01',
  '+1',
  '.5',
  '1.',
  '0x10',
  '1_000',
  '--1',
];

const loneSurrogates = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b', '\ud83d\ud83d');
const controls = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 8 });

/** Strings a JSON reader and everything after it should survive. */
export function hostileString(extra: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.string({ maxLength: 24 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 3 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
    {
      arbitrary: fc.tuple(fc.string({ maxLength: 4 }), loneSurrogates, fc.string({ maxLength: 4 })).map(([a, s, b]) => a + s + b),
      weight: 2,
    },
    { arbitrary: controls, weight: 1 },
    { arbitrary: fc.constantFrom(...nanishStrings, ...prototypeKeys, ...(extra.length > 0 ? extra : ['x'])), weight: 4 },
    { arbitrary: fc.integer({ min: 60, max: 5000 }).map((n) => 'x'.repeat(n)), weight: 1 },
  );
}

/** A number as written: in range, out of range, or not JSON at all. */
export const hostileNumber: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom(...numberLiterals).map(lit),
  fc.double().map((d) => lit(Object.is(d, -0) ? '-0' : String(d))),
  fc.integer().map((i) => lit(String(i))),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map((b) => lit(String(b))),
);

/** One of the big shapes: nesting far beyond any sane depth, thousands of members, a string near 1 MiB. */
export function bigShape(keys: fc.Arbitrary<string>, leaf: fc.Arbitrary<Node>): fc.Arbitrary<Node> {
  const depth = fc.oneof(
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1000, max: 20_000 }),
    fc.integer({ min: 50_000, max: 200_000 }),
  );
  return fc.oneof(
    fc.record({ depth, key: fc.option(keys, { nil: null }), inner: leaf }).map((d): Node => ({ t: 'deep', ...d })),
    fc
      .record({
        count: fc.oneof(fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 10_000, max: 60_000 })),
        key: fc.option(keys, { nil: null }),
        distinct: fc.boolean(),
        item: leaf,
      })
      .map((w): Node => ({ t: 'wide', ...w })),
    fc
      .record({
        unit: fc.oneof(fc.constantFrom('x', 'é', '\u0000', '"', '\\', '\ud800', '😀'), fc.string({ minLength: 1, maxLength: 3 })),
        count: fc.oneof(fc.integer({ min: 1000, max: 100_000 }), fc.integer({ min: 300_000, max: 1_048_000 })),
      })
      .map(({ unit, count }): Node => ({ t: 'huge', unit, count: Math.floor(count / Math.max(1, JSON.stringify(unit).length - 2)) })),
  );
}

/**
 * Any JSON value, mostly small, with hostile leaves and keys; `keys` and `strings` bias it towards the
 * vocabulary of the API (member names, enum values) so some of it reaches past the first checks.
 */
export function hostileNode(keys: fc.Arbitrary<string>, strings: fc.Arbitrary<string>): fc.Arbitrary<Node> {
  const leaf: fc.Arbitrary<Node> = fc.oneof(
    { arbitrary: fc.constantFrom('null', 'true', 'false').map(lit), weight: 2 },
    { arbitrary: hostileNumber, weight: 3 },
    { arbitrary: strings.map(str), weight: 4 },
    { arbitrary: strings.map((value): Node => ({ t: 'str', value, escapeAll: true })), weight: 1 },
  );
  const { node } = fc.letrec<{ node: Node; array: Node; object: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: leaf, weight: 6 },
      { arbitrary: tie('array'), weight: 2 },
      { arbitrary: tie('object'), weight: 3 },
    ),
    array: fc.array(tie('node'), { maxLength: 5 }).map(arr),
    object: fc
      .record({ entries: fc.array(fc.tuple(keys, tie('node')), { maxLength: 6 }), escapeKeys: fc.boolean() })
      .map(({ entries, escapeKeys }): Node => ({ t: 'obj', entries, ...(escapeKeys ? { escapeKeys } : {}) })),
  }));
  return fc.oneof(
    { arbitrary: node, weight: 12 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map(fromValue), weight: 3 },
    { arbitrary: bigShape(keys, node), weight: 1 },
  );
}

/** Keys: the API's own member names, prototype names, and anything else. */
export function hostileKey(vocabulary: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...vocabulary), weight: 4 },
    { arbitrary: fc.constantFrom(...prototypeKeys), weight: 3 },
    { arbitrary: hostileString(), weight: 2 },
  );
}

/** Damage done to the bytes of a body after it was written. */
export type ByteDamage =
  | { kind: 'none' }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'bom' }
  | { kind: 'random'; bytes: Uint8Array };

const invalidUtf8 = fc
  .constantFrom(
    [0xff],
    [0xfe],
    [0xc0, 0xaf],
    [0xc3],
    [0xe2, 0x82],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0x00],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  )
  .map((b) => Uint8Array.from(b));

export const byteDamage: fc.Arbitrary<ByteDamage> = fc.oneof(
  { arbitrary: fc.constant<ByteDamage>({ kind: 'none' }), weight: 12 },
  { arbitrary: fc.nat().map((at): ByteDamage => ({ kind: 'truncate', at })), weight: 1 },
  {
    arbitrary: fc
      .record({ at: fc.nat(), bytes: fc.oneof(invalidUtf8, fc.uint8Array({ minLength: 1, maxLength: 8 })) })
      .map((d): ByteDamage => ({ kind: 'insert', ...d })),
    weight: 2,
  },
  { arbitrary: fc.constant<ByteDamage>({ kind: 'bom' }), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): ByteDamage => ({ kind: 'random', bytes })), weight: 1 },
);

export function damage(body: Buffer, d: ByteDamage): Buffer {
  switch (d.kind) {
    case 'none':
      return body;
    case 'truncate':
      return body.subarray(0, d.at % (body.length + 1));
    case 'insert': {
      const at = d.at % (body.length + 1);
      return Buffer.concat([body.subarray(0, at), d.bytes, body.subarray(at)]);
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case 'random':
      return Buffer.from(d.bytes);
  }
}

/** A short human form of a long text: runs of a repeated piece are folded, the rest cut at `max`. */
export function compact(text: string, max = 400): string {
  const folded = text.replace(/([\s\S]{1,12}?)\1{7,}/g, (m: string, unit: string) => `«${m.length / unit.length}×${unit}»`);
  return folded.length > max ? `${folded.slice(0, max)}… (${text.length} characters)` : folded;
}
