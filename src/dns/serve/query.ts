// Reads an incoming DNS message: header, the question as raw bytes plus its lookup key, and the OPT
// record(s). Bounds-checked byte reads only, no objects per label: this runs for every datagram.
import { EDNS_DO, FLAG, HEADER_SIZE, headerFlags, lowerKey, OPCODE_MASK, OPCODE_SHIFT, skipName, TYPE } from '../wire/index.ts';

export interface Query {
  id: number;
  /** The header's flag word as received. */
  flags: number;
  opcode: number;
  qdcount: number;
  /** False when the header was readable but the rest was not (→ FORMERR without a question). */
  parsed: boolean;
  /** End of the question section (exclusive); the question bytes are [12, questionEnd). */
  questionEnd: number;
  qtype: number;
  qclass: number;
  /** Lookup key of QNAME (lower-cased wire labels, see wire.keyOf). */
  key: string;
  /** Number of OPT records in the additional section. */
  optCount: number;
  /** Some OPT record was not owned by the root. */
  optBadOwner: boolean;
  /** Requestor's UDP payload size (OPT CLASS). */
  optPayload: number;
  optVersion: number;
  /** DO bit of the OPT TTL field. */
  optDo: boolean;
}

/**
 * Returns null for what must be dropped without a reply: shorter than a header, or a response (QR=1;
 * answering responses lets two servers bounce packets forever).
 */
export function readQuery(msg: Buffer): Query | null {
  if (msg.length < HEADER_SIZE) return null;
  const flags = headerFlags(msg);
  if (flags & FLAG.QR) return null;
  const q: Query = {
    id: (msg[0]! << 8) | msg[1]!,
    flags,
    opcode: (flags & OPCODE_MASK) >>> OPCODE_SHIFT,
    qdcount: (msg[4]! << 8) | msg[5]!,
    parsed: false,
    questionEnd: HEADER_SIZE,
    qtype: 0,
    qclass: 0,
    key: '',
    optCount: 0,
    optBadOwner: false,
    optPayload: 0,
    optVersion: 0,
    optDo: false,
  };
  const ancount = (msg[6]! << 8) | msg[7]!;
  const nscount = (msg[8]! << 8) | msg[9]!;
  const arcount = (msg[10]! << 8) | msg[11]!;

  let p = HEADER_SIZE;
  for (let i = 0; i < q.qdcount; i++) {
    const start = p;
    // A compression pointer in the first question could only point into the header: malformed.
    p = i === 0 ? skipPlainName(msg, p) : skipName(msg, p);
    if (p < 0 || p + 4 > msg.length) return q;
    if (i === 0) {
      q.key = lowerKey(msg, start, p - 1);
      q.qtype = (msg[p]! << 8) | msg[p + 1]!;
      q.qclass = (msg[p + 2]! << 8) | msg[p + 3]!;
    }
    p += 4;
  }
  q.questionEnd = p;

  for (let i = 0; i < ancount + nscount + arcount; i++) {
    const owner = p;
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return q;
    const type = (msg[p]! << 8) | msg[p + 1]!;
    const rdlen = (msg[p + 8]! << 8) | msg[p + 9]!;
    if (type === TYPE.OPT && i >= ancount + nscount) {
      q.optCount++;
      if (msg[owner] !== 0) q.optBadOwner = true;
      if (q.optCount === 1) {
        q.optPayload = (msg[p + 2]! << 8) | msg[p + 3]!;
        q.optVersion = msg[p + 5]!;
        q.optDo = (((msg[p + 6]! << 8) | msg[p + 7]!) & EDNS_DO) !== 0;
      }
    }
    p += 10 + rdlen;
    if (p > msg.length) return q;
  }
  // Trailing bytes after the last record are ignored, as most servers do.
  q.parsed = true;
  return q;
}

/** Like skipName, but a compression pointer is an error and the name is at most 255 octets. */
function skipPlainName(msg: Buffer, off: number): number {
  let p = off;
  while (p < msg.length) {
    const len = msg[p]!;
    if (len === 0) return p + 1 - off > 255 ? -1 : p + 1;
    if (len > 63) return -1;
    p += len + 1;
  }
  return -1;
}
