// Query bytes → response bytes: the query checks in order (docs/dns.md, "Query checks"), the choice
// between an authoritative answer, REFUSED and forwarding, and the size limits of the transport.
import { Aliases } from './alias.ts';
import { Answerer } from './answer.ts';
import { ednsError, udpLimit } from './edns.ts';
import { relay, type Forwarder } from './forward.ts';
import { readQuery, type Query } from './query.ts';
import { Reply, emptyReply, type ReplyFlags } from './reply.ts';
import type { ClientViews } from './client-views.ts';
import { CLASS_IN, FLAG, HEADER_SIZE, headerFlags, MAX_MESSAGE, MessageOverflow, OPCODE, RCODE, RCODE_MASK, TYPE } from '../wire/index.ts';
import { HIDDEN, type Zones } from '../index/index.ts';
import type { Response, Transport } from './transport.ts';
import { DnsCounts } from './counts.ts';

export interface ResponderOptions {
  zones: Zones;
  views: ClientViews;
  forwarder: Forwarder | undefined;
  /** --dns-max-udp-payload */
  maxPayload: number;
  random?: () => number;
  /** Where each answer sent is counted by transport, QTYPE and RCODE (a fresh one when not given). */
  counts?: DnsCounts;
}

const AUTHORITATIVE: ReplyFlags = { aa: true, ra: false };
const AUTHORITATIVE_RA: ReplyFlags = { aa: true, ra: true };
const PLAIN: ReplyFlags = { aa: false, ra: false };
const PLAIN_RA: ReplyFlags = { aa: false, ra: true };

export class Responder {
  private readonly zones: Zones;
  private readonly views: ClientViews;
  private readonly forwarder: Forwarder | undefined;
  private readonly maxPayload: number;
  private readonly reply: Reply;
  private readonly aliases: Aliases;
  private readonly answerer: Answerer;

  constructor(o: ResponderOptions) {
    this.zones = o.zones;
    this.views = o.views;
    this.forwarder = o.forwarder;
    this.maxPayload = o.maxPayload;
    this.aliases = new Aliases(o.forwarder);
    this.answerer = new Answerer(o.zones, this.aliases, o.random ?? Math.random);
    this.reply = new Reply(o.counts ?? new DnsCounts());
  }

  /**
   * The response to `msg` from `address`; null means send nothing; a promise when forwarded. `msg` may
   * be a view of a receive buffer that is reused once this returns: what answers later copies it.
   */
  respond(msg: Buffer, address: string, transport: Transport): Response | Promise<Response> {
    return this.respondOnce(msg, address, transport, true);
  }

  private respondOnce(msg: Buffer, address: string, transport: Transport, mayWait: boolean): Response | Promise<Response> {
    const q = readQuery(msg);
    if (q === null) return null;
    const r = this.reply;
    r.transport = transport;
    const view = this.views.of(address);
    const plain = view.recursion ? PLAIN_RA : PLAIN;
    const payload = this.maxPayload;
    if (!q.parsed) return emptyReply(r, q, msg, RCODE.FORMERR, plain, payload, false);
    if (q.opcode !== OPCODE.QUERY) return emptyReply(r, q, msg, RCODE.NOTIMP, plain, payload);
    if (q.qdcount !== 1) return emptyReply(r, q, msg, RCODE.FORMERR, plain, payload, false);
    const edns = ednsError(q);
    if (edns !== undefined) return emptyReply(r, q, msg, edns, plain, payload);
    if (q.qclass !== CLASS_IN) return emptyReply(r, q, msg, RCODE.REFUSED, plain, payload);
    // No zone transfers, and none forwarded either.
    if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return emptyReply(r, q, msg, RCODE.REFUSED, plain, payload);

    const limit = transport === 'udp' ? udpLimit(q, payload) : MAX_MESSAGE;
    const zone = this.zones.find(q.key, view);
    if (zone === HIDDEN) return emptyReply(r, q, msg, RCODE.REFUSED, plain, payload);
    if (zone === undefined) {
      const rd = (q.flags & FLAG.RD) !== 0;
      if (!this.forwarder || !view.recursion || !rd) return emptyReply(r, q, msg, RCODE.REFUSED, plain, payload);
      return this.forward(this.forwarder, q, Buffer.from(msg), limit, transport);
    }

    const flags = view.recursion ? AUTHORITATIVE_RA : AUTHORITATIVE;
    r.begin(q, msg, true);
    let rcode: number;
    try {
      rcode = this.answerer.answer(r, zone, view, q.key, q.qtype);
    } catch (e) {
      if (e instanceof MessageOverflow) return r.overflowed(RCODE.NOERROR, flags, payload);
      throw e;
    }
    if (this.answerer.missing.length > 0 && mayWait) {
      // Alias targets not in the cache: look them up, then answer again (once) from the cache.
      const targets = [...this.answerer.missing];
      const own = Buffer.from(msg);
      return this.aliases.resolve(targets).then(() => this.respondOnce(own, address, transport, false));
    }
    return r.finish(rcode, flags, limit, payload);
  }

  private async forward(forwarder: Forwarder, q: Query, msg: Buffer, limit: number, transport: Transport): Promise<Response> {
    const question = Buffer.from(msg.subarray(HEADER_SIZE, q.questionEnd));
    const upstream = await forwarder.resolve({ question, dnssecOk: q.optDo, checkingDisabled: (q.flags & FLAG.CD) !== 0 });
    return this.relayed(q, msg, limit, upstream, transport);
  }

  /** Synchronous: the shared reply buffer is ours until `finish` copies it out. */
  private relayed(q: Query, msg: Buffer, limit: number, upstream: Buffer | undefined, transport: Transport): Buffer {
    const r = this.reply;
    r.transport = transport;
    const payload = this.maxPayload;
    if (!upstream) return emptyReply(r, q, msg, RCODE.SERVFAIL, PLAIN_RA, payload);
    r.begin(q, msg, true);
    let rcode: number;
    try {
      rcode = relay(r, upstream);
    } catch (e) {
      if (e instanceof MessageOverflow) return r.overflowed(headerFlags(upstream) & RCODE_MASK, PLAIN_RA, payload);
      throw e;
    }
    if (rcode < 0) return emptyReply(r, q, msg, RCODE.SERVFAIL, PLAIN_RA, payload);
    return r.finish(rcode, PLAIN_RA, limit, payload);
  }
}
