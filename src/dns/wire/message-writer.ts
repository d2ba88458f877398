// The response writer: messages written back to back into a slab and handed out as slices.
import { MAX_MESSAGE, MAX_POINTER, POINTER_BITS } from './constants.ts';
import { skipName } from './names.ts';

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
  u16(v: number): void {
    const at = this.base + this.reserve(2);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }
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
    if (ownerAt <= MAX_POINTER) this.u16((POINTER_BITS << 8) | ownerAt);
    else {
      const from = this.base + ownerAt;
      this.bytes(Buffer.from(this.buf.subarray(from, skipName(this.buf, from))));
    }
    const at = this.pos;
    this.bytes(src, start, end);
    return at;
  }
  setU16(at: number, v: number): void {
    const i = this.base + at;
    this.buf[i] = v >>> 8;
    this.buf[i + 1] = v & 0xff;
  }
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
