// Domain names on the wire: labels, lookup keys (lower-cased wire labels), and walking or expanding
// a name inside a received message.
import { POINTER_BITS } from './constants.ts';

/**
 * A name as wire labels, e.g. ['backend', 'kouzie', 'com']. Labels are raw octets (latin1), so a label
 * read from the wire may hold any byte, '.' included.
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

/** Where expandName copies a name to (the response writer). */
export interface ByteSink {
  bytes(src: Buffer, start: number, end: number): void;
}

/** Where a name ends, given it starts at `off` in `msg`, following no pointers; -1 when malformed. */
export function skipName(msg: Buffer, off: number): number {
  let p = off;
  for (let guard = 0; guard < 128; guard++) {
    if (p >= msg.length) return -1;
    const len = msg[p]!;
    if (len === 0) return p + 1;
    if ((len & POINTER_BITS) === POINTER_BITS) return p + 2 <= msg.length ? p + 2 : -1;
    if ((len & POINTER_BITS) !== 0) return -1;
    p += len + 1;
  }
  return -1;
}

/**
 * Copies the name at `off` (following compression pointers) into `out` uncompressed. Returns where the
 * name ends in `msg` (after its first pointer, if any), or -1 when it is malformed or loops.
 */
export function expandName(msg: Buffer, off: number, out: ByteSink): number {
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
    if ((len & POINTER_BITS) === POINTER_BITS) {
      if (p + 1 >= msg.length) return -1;
      if (end === -1) end = p + 2;
      const target = ((len & ~POINTER_BITS) << 8) | msg[p + 1]!;
      if (target >= p) return -1; // pointers only go backwards; this also rules out loops
      p = target;
      continue;
    }
    if ((len & POINTER_BITS) !== 0 || p + 1 + len > msg.length) return -1;
    size += len + 1;
    if (size > 255) return -1;
    out.bytes(msg, p, p + 1 + len);
    p += len + 1;
  }
  return -1;
}
