// DNS messages for the fuzzer, written byte by byte so nothing is off limits: random bytes, queries for
// the zones the server has (with any flags, types, classes and EDNS options), the same damaged (cut,
// bit-flipped, counts set to 65535, compression pointers in loops), and TCP streams of them.
import fc from 'fast-check';

const u16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];

export interface OptSpec {
  payload: number;
  extRcode: number;
  version: number;
  flags: number;
  rootOwner: boolean;
  options: { code: number; data: Uint8Array }[];
  /** rdlength as written; undefined: the true length. */
  rdlen: number | undefined;
}

export interface QuerySpec {
  id: number;
  flags: number;
  labels: Uint8Array[];
  qtype: number;
  qclass: number;
  opts: OptSpec[];
}

function encodeLabels(labels: readonly Uint8Array[]): number[] {
  const out: number[] = [];
  for (const l of labels) out.push(l.length & 0xff, ...l);
  out.push(0);
  return out;
}

function encodeOpt(o: OptSpec): number[] {
  const rdata: number[] = [];
  for (const { code, data } of o.options) rdata.push(...u16(code), ...u16(data.length), ...data);
  return [
    ...(o.rootOwner ? [0] : [1, 0x61, 0]),
    ...u16(41),
    ...u16(o.payload),
    o.extRcode,
    o.version,
    ...u16(o.flags),
    ...u16(o.rdlen ?? rdata.length),
    ...rdata,
  ];
}

export function encodeQuery(q: QuerySpec): Buffer {
  return Buffer.from([
    ...u16(q.id),
    ...u16(q.flags),
    ...u16(1),
    0,
    0,
    0,
    0,
    ...u16(q.opts.length),
    ...encodeLabels(q.labels),
    ...u16(q.qtype),
    ...u16(q.qclass),
    ...q.opts.flatMap(encodeOpt),
  ]);
}

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const nameLabels = (name: string): Uint8Array[] =>
  name
    .split('.')
    .filter((l) => l !== '')
    .map(ascii);

const optionArb = fc.record({
  code: fc.oneof(fc.constantFrom(3, 8, 10, 11, 12, 15), fc.nat(65535)),
  data: fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(Uint8Array.from([0, 1, 24, 0, 127, 0, 0]), Uint8Array.from([0, 2, 200, 0]), new Uint8Array(8), new Uint8Array(300)),
  ),
});

const optArb: fc.Arbitrary<OptSpec> = fc.record({
  payload: fc.oneof(fc.constantFrom(0, 1, 511, 512, 1232, 1400, 4096, 65535), fc.nat(65535)),
  extRcode: fc.oneof({ arbitrary: fc.constant(0), weight: 5 }, { arbitrary: fc.nat(255), weight: 1 }),
  version: fc.oneof({ arbitrary: fc.constant(0), weight: 5 }, { arbitrary: fc.nat(255), weight: 1 }),
  flags: fc.oneof(fc.constantFrom(0, 0x8000), fc.nat(65535)),
  rootOwner: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  options: fc.array(optionArb, { maxLength: 3 }),
  rdlen: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.nat(65535), weight: 1 }),
});

const common = [1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 251, 252, 255, 0, 65535];

/** Queries, mostly well-formed, for names in `zones` (and some outside them). */
export function queryArb(zones: readonly string[]): fc.Arbitrary<QuerySpec> {
  const known = zones.flatMap((z) => [
    z,
    `backend.${z}`,
    `BACKEND.${z}`,
    `i1.backend.${z}`,
    `nothere.${z}`,
    `_http._tcp.${z}`,
    `a.b.c.${z}`,
  ]);
  const labels: fc.Arbitrary<Uint8Array[]> = fc.oneof(
    { arbitrary: fc.constantFrom(...known, 'example.org', '', 'localhost').map(nameLabels), weight: 8 },
    { arbitrary: fc.array(fc.uint8Array({ minLength: 1, maxLength: 63 }), { maxLength: 6 }), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.array(fc.uint8Array({ minLength: 1, maxLength: 63 }), { maxLength: 3 }), fc.constantFrom(...zones))
        .map(([a, z]) => [...a, ...nameLabels(z)]),
      weight: 2,
    },
    { arbitrary: fc.integer({ min: 4, max: 9 }).map((n) => Array.from({ length: n }, () => new Uint8Array(63).fill(0x61))), weight: 1 }, // over 255 octets
  );
  return fc.record({
    id: fc.nat(65535),
    flags: fc.oneof(
      { arbitrary: fc.constantFrom(0, 0x0100, 0x0110), weight: 6 },
      { arbitrary: fc.nat(65535).map((f) => f & 0x7fff), weight: 2 },
      { arbitrary: fc.nat(65535), weight: 1 },
    ),
    labels,
    qtype: fc.oneof({ arbitrary: fc.constantFrom(...common), weight: 6 }, { arbitrary: fc.nat(65535), weight: 1 }),
    qclass: fc.oneof(
      { arbitrary: fc.constant(1), weight: 8 },
      { arbitrary: fc.constantFrom(3, 4, 254, 255, 0), weight: 1 },
      { arbitrary: fc.nat(65535), weight: 1 },
    ),
    opts: fc.oneof(
      { arbitrary: fc.constant<OptSpec[]>([]), weight: 3 },
      { arbitrary: fc.array(optArb, { minLength: 1, maxLength: 1 }), weight: 4 },
      { arbitrary: fc.array(optArb, { minLength: 2, maxLength: 3 }), weight: 1 },
    ),
  });
}

export type Damage =
  | { kind: 'flip'; at: number[]; bit: number }
  | { kind: 'cut'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'count'; which: number; value: number }
  | { kind: 'pointer'; at: number; target: number }
  | { kind: 'labelLength'; at: number; value: number }
  | { kind: 'header'; flags: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({ kind: fc.constant('count' as const), which: fc.nat(3), value: fc.oneof(fc.constantFrom(0, 2, 65535), fc.nat(65535)) }),
  fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), target: fc.oneof(fc.constantFrom(0, 12, 0x3fff), fc.nat(0x3fff)) }),
  fc.record({ kind: fc.constant('labelLength' as const), at: fc.nat(), value: fc.integer({ min: 64, max: 255 }) }),
  fc.record({ kind: fc.constant('header' as const), flags: fc.nat(65535) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

export function applyDamage(msg: Buffer, d: Damage): Buffer {
  const b = Buffer.from(msg);
  const body = (n: number): number => 12 + (n % Math.max(1, b.length - 12));
  switch (d.kind) {
    case 'flip':
      for (const at of d.at) b[at % b.length] = b[at % b.length]! ^ (1 << d.bit);
      return b;
    case 'cut':
      return b.subarray(0, d.at % (b.length + 1));
    case 'append':
      return Buffer.concat([b, d.bytes]);
    case 'count':
      if (b.length >= 12) b.writeUInt16BE(d.value, 4 + 2 * d.which);
      return b;
    case 'pointer': {
      const at = body(d.at);
      if (at + 1 < b.length) {
        b[at] = 0xc0 | (d.target >>> 8);
        b[at + 1] = d.target & 0xff;
      }
      return b;
    }
    case 'labelLength': {
      const at = body(d.at);
      if (at < b.length) b[at] = d.value;
      return b;
    }
    case 'header':
      if (b.length >= 4) b.writeUInt16BE(d.flags, 2);
      return b;
    case 'insert': {
      const at = d.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), d.bytes, b.subarray(at)]);
    }
  }
}

/** Names made of compression pointers: to itself, in a cycle of two, a long chain. */
const pointerLoop: fc.Arbitrary<Buffer> = fc
  .record({ id: fc.nat(65535), shape: fc.nat(3), inAdditional: fc.boolean(), chain: fc.integer({ min: 2, max: 200 }) })
  .map(({ id, shape, inAdditional, chain }) => {
    const header = [...u16(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, inAdditional ? 1 : 0];
    const q = inAdditional ? [...encodeLabels([ascii('example'), ascii('org')]), 0, 1, 0, 1] : [];
    const at = 12 + q.length;
    let name: number[];
    if (shape === 0)
      name = [0xc0 | (at >>> 8), at & 0xff]; // points to itself
    else if (shape === 1)
      name = [1, 0x61, 0xc0 | (at >>> 8), at & 0xff]; // a label, then back to its start
    else if (shape === 2)
      name = [0xc0, at + 2, 0xc0, at]; // two pointers to each other
    else name = [...Array.from({ length: chain }, (_, i) => [0xc0 | ((at + 2 * i + 2) >>> 8), (at + 2 * i + 2) & 0xff]).flat(), 0]; // each to the next, then the root
    const tail = inAdditional ? [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1] : [0, 1, 0, 1];
    return Buffer.from([...header, ...q, ...name, ...tail]);
  });

/** A header that claims 65535 records of each kind over a few bytes. */
const hugeCounts: fc.Arbitrary<Buffer> = fc
  .record({
    id: fc.nat(65535),
    counts: fc.tuple(fc.nat(65535), fc.nat(65535), fc.nat(65535), fc.nat(65535)),
    rest: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ id, counts, rest }) => Buffer.from([...u16(id), 1, 0, ...counts.flatMap(u16), ...rest]));

/** Bytes with a header that looks like a query (QR=0, small counts), so they reach the deeper checks. */
const queryLike: fc.Arbitrary<Buffer> = fc.uint8Array({ minLength: 12, maxLength: 600 }).map((u) => {
  const b = Buffer.from(u);
  b[2] = b[2]! & 0x7f;
  b.writeUInt16BE(b[5]! % 3, 4);
  b.writeUInt16BE(b[7]! % 3, 6);
  b.writeUInt16BE(b[9]! % 3, 8);
  b.writeUInt16BE(b[11]! % 3, 10);
  return b;
});

/** One DNS message (or what claims to be one). */
export function dnsMessageArb(zones: readonly string[]): fc.Arbitrary<Buffer> {
  const query = queryArb(zones).map(encodeQuery);
  return fc.oneof(
    { arbitrary: query, weight: 6 },
    {
      arbitrary: fc.tuple(query, fc.array(damageArb, { minLength: 1, maxLength: 3 })).map(([q, ds]) => ds.reduce(applyDamage, q)),
      weight: 6,
    },
    { arbitrary: fc.uint8Array({ maxLength: 600 }).map((u) => Buffer.from(u)), weight: 2 },
    { arbitrary: queryLike, weight: 2 },
    { arbitrary: pointerLoop, weight: 1 },
    { arbitrary: hugeCounts, weight: 1 },
  );
}

/** What a TCP client writes: length-prefixed messages, lying prefixes, raw bytes; cut into writes anywhere. */
export interface TcpStream {
  chunks: Buffer[];
}

export function tcpStreamArb(zones: readonly string[]): fc.Arbitrary<TcpStream> {
  const msg = dnsMessageArb(zones);
  const segment: fc.Arbitrary<Buffer> = fc.oneof(
    { arbitrary: msg.map((m) => Buffer.concat([Buffer.from(u16(m.length)), m])), weight: 6 },
    {
      arbitrary: fc
        .tuple(msg, fc.oneof(fc.constantFrom(0, 1, 11, 12, 65535), fc.nat(65535)))
        .map(([m, len]) => Buffer.concat([Buffer.from(u16(len)), m])),
      weight: 1,
    },
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 400 }).map((u) => Buffer.from(u)), weight: 1 },
  );
  return fc.tuple(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 3 })).map(([segments, cuts]) => {
    const all = Buffer.concat(segments);
    const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const c of [...at, all.length]) {
      if (c > from) chunks.push(all.subarray(from, c));
      from = c;
    }
    return { chunks };
  });
}
