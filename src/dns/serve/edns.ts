// EDNS(0) (RFC 6891): the checks on a query's OPT, the OPT cairn puts in its reply, and the UDP size
// a reply may have.
import type { Query } from './query.ts';
import { EDNS_DO, RCODE, TYPE, type Out } from '../wire/index.ts';

/** Classic DNS UDP limit (RFC 1035), also the floor for any advertised size (RFC 6891 §6.2.5). */
export const CLASSIC_UDP = 512;
export const OPT_SIZE = 11;

/** FORMERR for several OPTs or one not owned by the root, BADVERS for a version above 0, else undefined. */
export function ednsError(q: Query): number | undefined {
  if (q.optCount > 1 || q.optBadOwner) return RCODE.FORMERR;
  if (q.optCount === 1 && q.optVersion > 0) return RCODE.BADVERS;
  return undefined;
}

/** The largest UDP reply this query may get. */
export function udpLimit(q: Query, maxPayload: number): number {
  if (q.optCount === 0) return CLASSIC_UDP;
  return Math.max(CLASSIC_UDP, Math.min(q.optPayload, maxPayload));
}

/**
 * Writes cairn's OPT: root owner, our payload size, the upper 8 bits of the RCODE, version 0, DO
 * copied from the query, no options.
 */
export function writeOpt(out: Out, payload: number, rcode: number, dnssecOk: boolean): void {
  const at = out.base + out.reserve(OPT_SIZE);
  const b = out.buf;
  b[at] = 0;
  b[at + 1] = 0;
  b[at + 2] = TYPE.OPT;
  b[at + 3] = payload >>> 8;
  b[at + 4] = payload & 0xff;
  b[at + 5] = (rcode >>> 4) & 0xff;
  b[at + 6] = 0;
  b[at + 7] = dnssecOk ? EDNS_DO >>> 8 : 0;
  b[at + 8] = 0;
  b[at + 9] = 0;
  b[at + 10] = 0;
}
