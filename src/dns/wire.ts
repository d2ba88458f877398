// DNS wire format: constants, name encoding, prepared resource-record bytes and the response writer.
// Everything the hot path copies is built here once, when the catalog changes.
import ipaddr from 'ipaddr.js';

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

/** Header flag bits (the 16-bit word at offset 2). */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, CD: 0x0010 } as const;
export const HEADER_SIZE = 12;
/** The largest DNS message (TCP length prefix). */
export const MAX_MESSAGE = 65535;
/** Compression pointers hold 14 bits of offset. */
const MAX_POINTER = 0x3fff;

/**
 * A name as wire labels, e.g. ['backend', 'kouzie', 'com']. Labels are raw octets (latin1), so a label
 * may hold any byte including '.', which dns2 would re-split.
 */
export type Labels = readonly string[];

/** Splits a presentation name on dots (no escapes: Cloud Map names and instance ids have none). */
export function labelsOf(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** ASCII-only lower case (RFC 4343: other octets compare exactly). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Whether every label is 1..63 octets and the encoded name is at most 255 octets. */
export function validLabels(labels: Labels): boolean {
  let size = 1;
  for (const l of labels) {
    const n = Buffer.byteLength(l, 'utf8');
    if (n === 0 || n > 63) return false;
    size += n + 1;
  }
  return size <= 255;
}

/** Uncompressed wire encoding, ending with the root label. */
export function encodeName(labels: Labels): Buffer {
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'utf8');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/**
 * The lookup key of a name: its wire labels without the root byte, ASCII lower-cased, as a latin1
 * string. Label boundaries stay unambiguous (a '.' inside a label is not a separator) and the key of
 * an ancestor is a suffix of the key, starting at a label-length byte.
 */
export function keyOf(labels: Labels): string {
  const wire = encodeName(labels);
  return lowerKey(wire, 0, wire.length - 1);
}

const keyScratch = Buffer.alloc(512);
/** Key of the uncompressed name occupying buf[start, end) (end excludes the root byte). */
export function lowerKey(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  for (let i = 0; i < n; i++) {
    const c = buf[start + i]!;
    keyScratch[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return keyScratch.toString('latin1', 0, n);
}

/** Labels back from a key (for logs and tests). */
export function nameOfKey(key: string): string {
  const out: string[] = [];
  for (let off = 0; off < key.length; off += key.charCodeAt(off) + 1) out.push(key.substr(off + 1, key.charCodeAt(off)));
  return out.join('.') + '.';
}

/** Key of the parent name, or undefined at the root. */
export function parentKey(key: string): string | undefined {
  if (key === '') return undefined;
  return key.substring(key.charCodeAt(0) + 1);
}

// ---- Prepared records --------------------------------------------------------------------------

/**
 * One resource record prepared for copying. The owner is not part of it: the response writer puts a
 * compression pointer to wherever the owner name already is in the message (the question, or the
 * target field of the record that led here).
 */
export interface Rr {
  /** TYPE, CLASS, TTL, RDLENGTH, RDATA. */
  readonly tail: Buffer;
  /** Offset in `tail` of a name that ends the RDATA (CNAME, NS, SRV target), or -1. */
  readonly targetAt: number;
  /** Lookup key of that name ('' when there is none). */
  readonly targetKey: string;
  /** Records owned by the target that go to the additional section (SRV host addresses, NS glue). */
  readonly extra: readonly Buffer[];
  /** Set for an alias instance: its addresses are looked up upstream at query time (tail is empty). */
  readonly alias: AliasTarget | undefined;
}

/** An AWS_ALIAS_DNS_NAME target and the address type wanted from it. */
export interface AliasTarget {
  /** The question section (name, type, class IN) to ask upstream. */
  readonly question: Buffer;
  readonly type: number;
  /** Cache key: the question, lower-cased. */
  readonly key: string;
}

export function aliasRr(type: number, target: Labels): Rr {
  const name = encodeName(target);
  const question = Buffer.concat([name, Buffer.from([type >> 8, type & 0xff, 0, CLASS_IN])]);
  return { tail: Buffer.alloc(0), targetAt: -1, targetKey: '', extra: [], alias: { question, type, key: lowerKey(question, 0, question.length) } };
}

function tail(type: number, ttl: number, rdata: Buffer): Buffer {
  const b = Buffer.allocUnsafe(10 + rdata.length);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(CLASS_IN, 2);
  b.writeUInt32BE(ttl >>> 0, 4);
  b.writeUInt16BE(rdata.length, 8);
  rdata.copy(b, 10);
  return b;
}

const plain = (t: Buffer): Rr => ({ tail: t, targetAt: -1, targetKey: '', extra: [], alias: undefined });

/** IPv4 text → 4 octets, or undefined when it is not a dotted quad. */
export function ipv4Bytes(text: string): Buffer | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return Buffer.from(ipaddr.IPv4.parse(text).toByteArray());
}

/** IPv6 text (any :: form, or IPv4-mapped) → 16 octets. */
export function ipv6Bytes(text: string): Buffer | undefined {
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  try {
    return Buffer.from(ipaddr.IPv6.parse(text).toByteArray());
  } catch {
    return undefined;
  }
}

export const aTail = (ttl: number, addr: Buffer): Buffer => tail(TYPE.A, ttl, addr);
export const aaaaTail = (ttl: number, addr: Buffer): Buffer => tail(TYPE.AAAA, ttl, addr);
export const addressTail = (ttl: number, addr: Buffer): Buffer => (addr.length === 4 ? aTail(ttl, addr) : aaaaTail(ttl, addr));
export const addressRr = (ttl: number, addr: Buffer): Rr => plain(addressTail(ttl, addr));

export function targetRr(type: number, ttl: number, prefix: Buffer, target: Labels, extra: readonly Buffer[] = []): Rr {
  const name = encodeName(target);
  return { tail: tail(type, ttl, Buffer.concat([prefix, name])), targetAt: 10 + prefix.length, targetKey: keyOf(target), extra, alias: undefined };
}

export const cnameRr = (ttl: number, target: Labels): Rr => targetRr(TYPE.CNAME, ttl, Buffer.alloc(0), target);
export const nsRr = (ttl: number, target: Labels, glue: readonly Buffer[]): Rr => targetRr(TYPE.NS, ttl, Buffer.alloc(0), target, glue);

export function srvRr(ttl: number, priority: number, weight: number, port: number, target: Labels, extra: readonly Buffer[]): Rr {
  const p = Buffer.allocUnsafe(6);
  p.writeUInt16BE(priority, 0);
  p.writeUInt16BE(weight, 2);
  p.writeUInt16BE(port, 4);
  return targetRr(TYPE.SRV, ttl, p, target, extra);
}

export interface SoaFields { mname: Labels; rname: Labels; serial: number; refresh: number; retry: number; expire: number; minimum: number }
export function soaTail(ttl: number, f: SoaFields): Buffer {
  const nums = Buffer.allocUnsafe(20);
  nums.writeUInt32BE(f.serial >>> 0, 0);
  nums.writeUInt32BE(f.refresh >>> 0, 4);
  nums.writeUInt32BE(f.retry >>> 0, 8);
  nums.writeUInt32BE(f.expire >>> 0, 12);
  nums.writeUInt32BE(f.minimum >>> 0, 16);
  return tail(TYPE.SOA, ttl, Buffer.concat([encodeName(f.mname), encodeName(f.rname), nums]));
}
export const soaRr = (ttl: number, f: SoaFields): Rr => plain(soaTail(ttl, f));

/** A complete record with its owner written out (no compression): SOA in authority, for example. */
export const fullRecord = (owner: Labels, t: Buffer): Buffer => Buffer.concat([encodeName(owner), t]);

// ---- Response writer ---------------------------------------------------------------------------

/** Thrown when a response would not fit in a DNS message; the caller answers TC instead. */
export class MessageOverflow extends Error {}
const overflow = new MessageOverflow('response larger than a DNS message');

const SLAB_SIZE = 512 * 1024;

/**
 * Writes responses one after another into a large slab, so a finished response is handed out as a
 * slice without copying (sends are asynchronous: a slice is never written again; a full slab is
 * replaced and dropped once its sends are done). Two bytes are kept free before each message for the
 * TCP length prefix. Positions (`pos`, offsets for compression pointers) are relative to the message.
 */
export class Out {
  buf: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  /** Where the current message starts in `buf`. */
  base = 2;
  pos = 0;
  private next = 2;

  /** Starts a new message. */
  begin(): void {
    if (this.next + MAX_MESSAGE > this.buf.length) {
      this.buf = Buffer.allocUnsafe(SLAB_SIZE);
      this.next = 2;
    }
    this.base = this.next;
    this.pos = 0;
  }
  reserve(n: number): number {
    const at = this.pos;
    if (at + n > MAX_MESSAGE) throw overflow;
    this.pos = at + n;
    return at;
  }
  u16(v: number): void { const at = this.base + this.reserve(2); this.buf[at] = v >>> 8; this.buf[at + 1] = v & 0xff; }
  bytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    const at = this.base + this.reserve(n);
    const dst = this.buf;
    // Buffer#copy costs more than a short loop for the few dozen bytes of a record.
    if (n <= 48) for (let i = 0; i < n; i++) dst[at + i] = src[start + i]!;
    else src.copy(dst, at, start, end);
  }
  /**
   * A record owned by the name that starts at `ownerAt` in this message: a compression pointer, or the
   * name copied out when the offset is beyond a pointer's reach (names written here are uncompressed).
   * Returns where the record's tail starts.
   */
  record(ownerAt: number, t: Buffer): number {
    if (ownerAt <= MAX_POINTER) this.u16(0xc000 | ownerAt);
    else {
      const from = this.base + ownerAt;
      this.bytes(Buffer.from(this.buf.subarray(from, skipName(this.buf, from))));
    }
    const at = this.pos;
    this.bytes(t);
    return at;
  }
  setU16(at: number, v: number): void { const i = this.base + at; this.buf[i] = v >>> 8; this.buf[i + 1] = v & 0xff; }
  /** The finished message (a slice of the slab, preceded by its length for TCP; see framed()). */
  take(): Buffer {
    const { base, pos, buf } = this;
    buf[base - 2] = pos >>> 8;
    buf[base - 1] = pos & 0xff;
    // Keep the next message 8-byte aligned, with room for its length prefix.
    this.next = ((base + pos + 7) & ~7) + 2;
    return buf.subarray(base, base + pos);
  }
}

/** A message made by Out#take with its 2-byte TCP length prefix (already in place before it). */
export function framed(message: Buffer): Buffer {
  return Buffer.from(message.buffer, message.byteOffset - 2, message.length + 2);
}

/** Where a name ends, given it starts at `off` in `msg`, following no pointers; -1 when malformed. */
export function skipName(msg: Buffer, off: number): number {
  let p = off;
  for (let guard = 0; guard < 128; guard++) {
    if (p >= msg.length) return -1;
    const len = msg[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= msg.length ? p + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    p += len + 1;
  }
  return -1;
}

/**
 * Copies the name at `off` (following compression pointers) into `out` uncompressed. Returns where the
 * name ends in `msg` (after its first pointer, if any), or -1 when it is malformed or loops.
 */
export function expandName(msg: Buffer, off: number, out: Out): number {
  let p = off;
  let end = -1;
  let size = 0;
  for (let hops = 0; hops < 128; hops++) {
    if (p >= msg.length) return -1;
    const len = msg[p]!;
    if (len === 0) {
      out.bytes(msg, p, p + 1);
      return end === -1 ? p + 1 : end;
    }
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= msg.length) return -1;
      if (end === -1) end = p + 2;
      const target = ((len & 0x3f) << 8) | msg[p + 1]!;
      if (target >= p) return -1; // pointers only go backwards; this also rules out loops
      p = target;
      continue;
    }
    if ((len & 0xc0) !== 0 || p + 1 + len > msg.length) return -1;
    size += len + 1;
    if (size > 255) return -1;
    out.bytes(msg, p, p + 1 + len);
    p += len + 1;
  }
  return -1;
}
