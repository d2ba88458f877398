// Assembles a response in the shared writer: header from the query, the question copied as received,
// sections written by the caller, then the OPT and the size rules (docs/dns.md: "Header flags",
// "EDNS", "Truncation").
import { OPT_SIZE, writeOpt } from './edns.ts';
import type { Query } from './query.ts';
import type { DnsCounts } from './counts.ts';
import type { Transport } from './transport.ts';
import { FLAG, HEADER_SIZE, OPCODE_MASK, Out, RCODE_MASK } from '../wire/index.ts';

export interface ReplyFlags {
  aa: boolean;
  ra: boolean;
}

export class Reply {
  readonly out = new Out();
  private readonly counts: DnsCounts;
  an = 0;
  ns = 0;
  ar = 0;
  /** The transport of the query being answered: every reply finished is counted under it. */
  transport: Transport = 'udp';
  private q!: Query;
  private questionEnd = HEADER_SIZE;
  private additionalAt = -1;

  /** Every reply it finishes is an answer sent: `counts` has it by transport, QTYPE and (extended) RCODE. */
  constructor(counts: DnsCounts) {
    this.counts = counts;
  }

  /** Starts a reply to `q`, echoing its question when `withQuestion` (and it was readable). */
  begin(q: Query, msg: Buffer, withQuestion: boolean): void {
    this.q = q;
    this.an = this.ns = this.ar = 0;
    this.additionalAt = -1;
    const out = this.out;
    out.begin();
    out.pos = HEADER_SIZE;
    if (withQuestion && q.parsed && q.qdcount === 1) out.bytes(msg, HEADER_SIZE, q.questionEnd);
    this.questionEnd = out.pos;
  }

  /** Marks where optional records start: they are dropped first when the reply is too big. */
  beginAdditional(): void {
    this.additionalAt = this.out.pos;
  }

  /**
   * Finishes the reply for a transport that allows `limit` bytes: drops the additional records, then
   * everything but the question, with TC=1, until it fits; the OPT stays (RFC 6891 §7).
   */
  finish(rcode: number, flags: ReplyFlags, limit: number, payload: number): Buffer {
    const out = this.out;
    const q = this.q;
    this.counts.answered(this.transport, q.qtype, rcode);
    const opt = q.optCount > 0 ? OPT_SIZE : 0;
    let tc = false;
    if (out.pos + opt > limit) {
      if (this.additionalAt >= 0) {
        out.pos = this.additionalAt;
        this.ar = 0;
      }
      if (out.pos + opt > limit) {
        out.pos = this.questionEnd;
        this.an = this.ns = this.ar = 0;
        tc = true;
      }
    }
    if (opt) {
      writeOpt(out, payload, rcode, q.optDo);
      this.ar++;
    }
    this.writeHeader(rcode, flags, tc);
    return out.take();
  }

  /** The reply when the sections did not fit even a TCP message: TC with the question (and OPT). */
  overflowed(rcode: number, flags: ReplyFlags, payload: number): Buffer {
    this.out.pos = this.questionEnd;
    this.an = this.ns = this.ar = 0;
    this.additionalAt = -1;
    return this.finish(rcode, flags, 0, payload);
  }

  private writeHeader(rcode: number, flags: ReplyFlags, tc: boolean): void {
    const q = this.q;
    const b = this.out.buf;
    const o = this.out.base;
    let f = FLAG.QR | (q.flags & (OPCODE_MASK | FLAG.RD | FLAG.CD)) | (rcode & RCODE_MASK);
    if (flags.aa) f |= FLAG.AA;
    if (flags.ra) f |= FLAG.RA;
    if (tc) f |= FLAG.TC;
    b[o + 0] = q.id >>> 8;
    b[o + 1] = q.id & 0xff;
    b[o + 2] = f >>> 8;
    b[o + 3] = f & 0xff;
    const qd = this.questionEnd > HEADER_SIZE ? 1 : 0;
    b[o + 4] = 0;
    b[o + 5] = qd;
    b[o + 6] = this.an >>> 8;
    b[o + 7] = this.an & 0xff;
    b[o + 8] = this.ns >>> 8;
    b[o + 9] = this.ns & 0xff;
    b[o + 10] = this.ar >>> 8;
    b[o + 11] = this.ar & 0xff;
  }
}

/** A reply with no records (errors, REFUSED): the question (when asked for) and the OPT. */
export function emptyReply(
  r: Reply,
  q: Query,
  msg: Buffer,
  rcode: number,
  flags: ReplyFlags,
  payload: number,
  withQuestion = true,
): Buffer {
  r.begin(q, msg, withQuestion);
  return r.finish(rcode, flags, Number.MAX_SAFE_INTEGER, payload);
}
