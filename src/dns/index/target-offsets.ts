// Where the name that ends a record's RDATA (CNAME, SRV and NS targets) starts in its prepared tail, by
// TYPE code: answers point the additional records of SRV and NS, and the next link of a CNAME chain, at
// it. An array lookup on the hot path, built once from the record-type table and the apex's types.
import { lowerKey } from '../wire/index.ts';
import { APEX_TYPES } from './apex.ts';
import type { RrSet } from './rrset.ts';
import { RECORD_TYPES } from './types/index.ts';

const types = [...Object.values(RECORD_TYPES), ...APEX_TYPES];
const TARGET_AT = new Int8Array(Math.max(...types.map((t) => t.code)) + 1).fill(-1);
for (const t of types) TARGET_AT[t.code] = t.targetOffset;

/** Where the target name starts in a record tail (TYPE..RDATA) of a type that ends with one, else -1. */
export function targetOffset(type: number): number {
  return TARGET_AT[type] ?? -1;
}

/** Lookup key of the name that ends record i of `set` (CNAME, SRV or NS target), '' when its type has none. */
export function targetKey(set: RrSet, i: number): string {
  const at = targetOffset(set.type);
  return at < 0 ? '' : lowerKey(set.blob, set.starts[i]! + at, set.starts[i + 1]! - 1);
}
