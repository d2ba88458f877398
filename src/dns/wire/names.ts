// DNS wire format: constants, name encoding, prepared resource-record bytes and the response writer.
// Everything the hot path copies is built here once, when the catalog changes.

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
 * IPv4 text → 4 octets written into `into` (a fresh buffer unless the caller passes a scratch one), or
 * undefined when it is not a dotted quad without leading zeros. Hand-written, like ipv6Bytes: indexing
 * 100,000 instances parses every address.
 */
export function ipv4Bytes(text: string | undefined, into: Buffer = Buffer.alloc(4)): Buffer | undefined {
  if (text === undefined) return undefined;
  let part = 0;
  let value = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (value < 0 || part > 3) return undefined;
      into[part++] = value;
      value = -1;
    } else if (c >= 48 && c <= 57) {
      if (value === 0) return undefined; // no leading zeros
      value = value < 0 ? c - 48 : value * 10 + c - 48;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? into : undefined;
}

const v6Tail = new Uint16Array(8);
const v4InV6 = Buffer.alloc(4);
const hexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/**
 * IPv6 text (any :: form, an embedded dotted quad) → 16 octets written into `into` (a fresh buffer
 * unless the caller passes a scratch one), or undefined when it is not one. Hand-written, without
 * splits or regular expressions: ipaddr.js cost a third of the time to index 100,000 instances, and a
 * split-based parser's garbage was most of what building the index allocated.
 */
export function ipv6Bytes(text: string, into?: Buffer): Buffer | undefined {
  const out = into ? into.fill(0, 0, 16) : Buffer.alloc(16);
  const n = text.length;
  let head = 0;
  let tail = 0;
  let double = false;
  let pos = 0;
  const push = (group: number): void => { if (double) v6Tail[tail++] = group; else out.writeUInt16BE(group, 2 * head++); };
  while (pos < n) {
    if (text.charCodeAt(pos) === 58 && text.charCodeAt(pos + 1) === 58) { // '::'
      if (double) return undefined;
      double = true;
      pos += 2;
      if (pos < n && text.charCodeAt(pos) === 58) return undefined;
      continue;
    }
    const start = pos;
    let value = 0;
    let digits = 0;
    for (let h; pos < n && (h = hexValue(text.charCodeAt(pos))) >= 0; pos++) {
      if (++digits > 4) break;
      value = value * 16 + h;
    }
    if (pos < n && text.charCodeAt(pos) === 46) { // '.': a dotted quad ends the address, as two groups
      const v4 = ipv4Bytes(text.slice(start), v4InV6);
      if (!v4 || head + tail > 6) return undefined;
      push((v4[0]! << 8) | v4[1]!);
      push((v4[2]! << 8) | v4[3]!);
      break;
    }
    if (digits === 0 || digits > 4 || head + tail === 8) return undefined;
    push(value);
    if (pos === n) break;
    if (text.charCodeAt(pos) !== 58) return undefined; // ':'
    if (text.charCodeAt(pos + 1) !== 58 && ++pos === n) return undefined; // a trailing single ':'
  }
  const count = head + tail;
  if (double ? count > 7 : count !== 8) return undefined;
  for (let i = 0; i < tail; i++) out.writeUInt16BE(v6Tail[i]!, 16 - (tail - i) * 2);
  return out;
}

/** Where the target name starts in a record tail (TYPE..RDATA) of a type that ends with one, else -1. */
export function targetOffset(type: number): number {
  return type === TYPE.SRV ? 16 : type === TYPE.CNAME || type === TYPE.NS ? 10 : -1;
}

/**
 * Appends resource-record tails (TYPE, CLASS, TTL, RDLENGTH, RDATA; the owner is written at answer
 * time) to a growing buffer. Record sets keep one such buffer each: no object per record.
 */
export class TailWriter {
  // Not from Buffer's shared pool: a short-lived scratch slice would pin pool chunks that the
  // long-lived record blobs share.
  buf: Buffer = Buffer.allocUnsafeSlow(512);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
  reset(): void { this.pos = 0; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; }
  bytes(b: Buffer, start = 0, end = b.length): void { this.ensure(end - start); b.copy(this.buf, this.pos, start, end); this.pos += end - start; }
  name(labels: Labels): void {
    for (const l of labels) {
      this.ensure(l.length * 3 + 1);
      const at = this.pos;
      const n = this.buf.write(l, at + 1, 'utf8');
      this.buf[at] = n;
      this.pos = at + 1 + n;
    }
    this.ensure(1);
    this.buf[this.pos++] = 0;
  }
  /** Starts a record; `end` fills in RDLENGTH. */
  begin(type: number, ttl: number): number {
    const start = this.pos;
    this.u16(type); this.u16(CLASS_IN); this.u32(ttl); this.u16(0);
    return start;
  }
  end(start: number): void { this.buf.writeUInt16BE(this.pos - start - 10, start + 8); }

  address(ttl: number, addr: Buffer): void {
    const s = this.begin(addr.length === 4 ? TYPE.A : TYPE.AAAA, ttl); this.bytes(addr); this.end(s);
  }
  srv(ttl: number, priority: number, weight: number, port: number, target: Labels): void {
    const s = this.begin(TYPE.SRV, ttl); this.u16(priority); this.u16(weight); this.u16(port); this.name(target); this.end(s);
  }
  /** CNAME or NS: RDATA is one name. */
  nameRecord(type: number, ttl: number, target: Labels): void {
    const s = this.begin(type, ttl); this.name(target); this.end(s);
  }
  soa(ttl: number, f: SoaFields): void {
    const s = this.begin(TYPE.SOA, ttl);
    this.name(f.mname); this.name(f.rname);
    for (const v of [f.serial, f.refresh, f.retry, f.expire, f.minimum]) this.u32(v);
    this.end(s);
  }
  /** An exact-size copy of what was written. */
  take(): Buffer {
    const b = Buffer.allocUnsafe(this.pos);
    this.buf.copy(b, 0, 0, this.pos);
    return b;
  }
}

export interface SoaFields { mname: Labels; rname: Labels; serial: number; refresh: number; retry: number; expire: number; minimum: number }

/** An AWS_ALIAS_DNS_NAME target and the address type wanted from it. */
export interface AliasTarget {
  /** The question section (name, type, class IN) to ask upstream. */
  readonly question: Buffer;
  readonly type: number;
  /** Cache key: the question, lower-cased. */
  readonly key: string;
}

export function aliasTarget(type: number, target: Labels): AliasTarget {
  const question = Buffer.concat([encodeName(target), Buffer.from([type >> 8, type & 0xff, 0, CLASS_IN])]);
  return { question, type, key: lowerKey(question, 0, question.length) };
}

/** A complete record with its owner written out (no compression): SOA in authority, for example. */
export function fullRecord(owner: Labels, write: (w: TailWriter) => void): Buffer {
  const w = new TailWriter();
  w.name(owner);
  write(w);
  return w.take();
}

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
  record(ownerAt: number, src: Buffer, start: number, end: number): number {
    if (ownerAt <= MAX_POINTER) this.u16(0xc000 | ownerAt);
    else {
      const from = this.base + ownerAt;
      this.bytes(Buffer.from(this.buf.subarray(from, skipName(this.buf, from))));
    }
    const at = this.pos;
    this.bytes(src, start, end);
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
