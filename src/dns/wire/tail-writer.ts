// The writer of prepared resource-record tails: everything the hot path copies is built with it once,
// when the catalog changes.
import { CLASS_IN, TYPE } from './constants.ts';
import type { Labels } from './names.ts';

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


/** Where the target name starts in a record tail (TYPE..RDATA) of a type that ends with one, else -1. */
export function targetOffset(type: number): number {
  return type === TYPE.SRV ? 16 : type === TYPE.CNAME || type === TYPE.NS ? 10 : -1;
}

