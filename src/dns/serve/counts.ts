// What the DNS server counts while it answers: answers by transport, QTYPE and RCODE, answer times by
// histogram bucket, forwarded questions by result. Plain numbers in arrays allocated once: the hot path
// adds to them, and the metrics read them when scraped (docs/dns.md, "Metrics").
import { Buckets } from '../../model/bucketed-histogram.ts';
import { RCODE, TYPE } from '../wire/index.ts';
import type { Transport } from './transport.ts';

/** QTYPEs counted by name (the rest are OTHER): what cairn answers, and what resolvers commonly ask. */
const NAMED_QTYPES: readonly [string, number][] = [
  ['A', TYPE.A],
  ['AAAA', TYPE.AAAA],
  ['SRV', TYPE.SRV],
  ['CNAME', TYPE.CNAME],
  ['NS', TYPE.NS],
  ['SOA', TYPE.SOA],
  ['ANY', TYPE.ANY],
  ['PTR', 12],
  ['MX', 15],
  ['TXT', 16],
];
const NAMED_RCODES: readonly [string, number][] = Object.entries(RCODE);

export const QTYPE_LABELS: readonly string[] = [...NAMED_QTYPES.map(([name]) => name), 'OTHER'];
export const RCODE_LABELS: readonly string[] = [...NAMED_RCODES.map(([name]) => name), 'OTHER'];
export const TRANSPORT_LABELS: readonly Transport[] = ['udp', 'tcp'];

const QTYPES = QTYPE_LABELS.length;
const RCODES = RCODE_LABELS.length;

/** A slot per 16-bit QTYPE and per 12-bit extended RCODE: one array read per answer, no branches. */
const qtypeSlot = slots(1 << 16, NAMED_QTYPES);
const rcodeSlot = slots(1 << 12, NAMED_RCODES);

function slots(size: number, named: readonly [string, number][]): Uint8Array {
  const table = new Uint8Array(size).fill(named.length);
  named.forEach(([, code], i) => (table[code] = i));
  return table;
}

/** Bucket bounds of the answer time, seconds: an authoritative answer takes tens of µs, a forwarded one up to the upstream timeout. */
export const RESPONSE_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export const FORWARD_RESULTS = ['answered', 'unanswered', 'overloaded'] as const;
export type ForwardResult = (typeof FORWARD_RESULTS)[number];

/** Float64: exact up to 2^53, where 32 bits would wrap after half a day at 100,000 queries a second. */
export class DnsCounts {
  /** Answers sent, by [transport][QTYPE slot][RCODE slot]. */
  readonly answers = new Float64Array(TRANSPORT_LABELS.length * QTYPES * RCODES);
  /** Answer times, seconds. */
  readonly times = new Buckets(RESPONSE_BUCKETS);
  /** Questions sent on to the upstreams, by FORWARD_RESULTS. */
  readonly forwarded = new Float64Array(FORWARD_RESULTS.length);

  answered(transport: Transport, qtype: number, rcode: number): void {
    this.answers[((transport === 'udp' ? 0 : 1) * QTYPES + qtypeSlot[qtype & 0xffff]!) * RCODES + rcodeSlot[rcode & 0xfff]!]!++;
  }

  forwardedWith(result: ForwardResult): void {
    this.forwarded[FORWARD_RESULTS.indexOf(result)]!++;
  }

  /** Visits every non-zero answer count with its labels. */
  forEachAnswerCount(visit: (transport: Transport, qtype: string, rcode: string, count: number) => void): void {
    const a = this.answers;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === 0) continue;
      const r = i % RCODES;
      const q = Math.floor(i / RCODES) % QTYPES;
      const t = Math.floor(i / (RCODES * QTYPES));
      visit(TRANSPORT_LABELS[t]!, QTYPE_LABELS[q]!, RCODE_LABELS[r]!, a[i]!);
    }
  }
}
