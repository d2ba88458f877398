// Retention of operation records: writes prune operations older than --operation-retention, a batch at a
// time, as housekeeping the writer adds to every write.
import type { Catalog } from '../catalog/index.ts';
import type { Mutation } from '../model/changes.ts';

/** Bounds the size of one commit; what is left is pruned by the next write. */
const PRUNE_BATCH = 200;

/**
 * The writer's housekeeping: deletions of expired operations, added to a write's mutations. Reads only
 * the catalog; the scan runs at most once per expiry time since new operations are always newer than
 * the oldest one.
 */
export function operationPruner(o: { now: () => number; retentionMs: number }): (catalog: Catalog) => Mutation[] {
  /** No operation can expire before this time, so writes until then skip the scan. */
  let nextExpiry = 0;
  return (catalog) => {
    const now = o.now();
    if (nextExpiry > now) return [];
    const out: Mutation[] = [];
    let oldestKept = Infinity;
    const cutoff = now - o.retentionMs;
    // Dates only: building every record to read its date would cost a record per operation.
    catalog.forEachOperationDate((id, createDate) => {
      if (createDate < cutoff) {
        if (out.length < PRUNE_BATCH) out.push({ table: 'operations', key: id, value: null });
      } else oldestKept = Math.min(oldestKept, createDate);
    });
    // Operations written from now on are no older than `now`. After pruning, scan again on the next write
    // (this commit may lose a race and be planned again, or the batch may have been full).
    nextExpiry = out.length > 0 ? now : Math.min(oldestKept, now) + o.retentionMs;
    return out;
  };
}
