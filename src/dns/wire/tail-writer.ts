// The writer of prepared resource-record tails: everything the hot path copies is built with it once,
// when the catalog changes.
import { CLASS_IN } from './constants.ts';
import type { Labels } from './names.ts';

/** Where RDATA starts in a record tail: after TYPE, CLASS, TTL and RDLENGTH. */
export const RDATA_OFFSET = 10;

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
  reset(): void {
    this.pos = 0;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  bytes(b: Buffer, start = 0, end = b.length): void {
    this.ensure(end - start);
    b.copy(this.buf, this.pos, start, end);
    this.pos += end - start;
  }
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
    this.u16(type);
    this.u16(CLASS_IN);
    this.u32(ttl);
    this.u16(0);
    return start;
  }
  end(start: number): void {
    this.buf.writeUInt16BE(this.pos - start - RDATA_OFFSET, start + RDATA_OFFSET - 2);
  }

  /** An exact-size copy of what was written. */
  take(): Buffer {
    const b = Buffer.allocUnsafe(this.pos);
    this.buf.copy(b, 0, 0, this.pos);
    return b;
  }
}
