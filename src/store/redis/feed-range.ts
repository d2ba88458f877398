// Reads a contiguous run of changes from the feed stream (XRANGE, in pages), or says it cannot: a
// missing revision (trimmed), or an entry from another epoch (the data was lost and written anew).
import type { RedisClient } from './connection.ts';
import { ServiceUnavailable } from '../../model/errors.ts';
import type { Change } from '../../model/changes.ts';
import { decodeFeedEntry, type FeedEntry } from './codec.ts';
import { feedId, otherEpoch, type Keys } from './keys.ts';

export const FEED_PAGE = 1000;

/**
 * The changes after `after` up to at least `head`, given the first page already read (XRANGE from
 * after+1, COUNT FEED_PAGE). Null when the feed does not hold them all, contiguously, in `epoch`.
 */
export async function changesUpTo(
  client: RedisClient,
  keys: Keys,
  after: number,
  head: number,
  epoch: string | null | undefined,
  firstPage: FeedEntry[],
): Promise<Change[] | null> {
  const changes: Change[] = [];
  let page = firstPage;
  for (;;) {
    for (const entry of page) {
      const { change, epoch: entryEpoch } = decodeFeedEntry(keys.feed, entry);
      if (change.revision !== after + changes.length + 1 || otherEpoch(epoch, entryEpoch)) return null;
      changes.push(change);
    }
    const last = after + changes.length;
    if (last >= head) return changes;
    if (page.length < FEED_PAGE) return null; // the feed ends before the head: trimmed or lost
    page = await client.xrange(keys.feed, feedId(last + 1), '+', 'COUNT', FEED_PAGE);
  }
}

/** Reads the head (revision, epoch) and the first page after `after` in one MULTI. */
export async function headAndFirstPage(
  client: RedisClient,
  keys: Keys,
  after: number,
): Promise<{ head: number; epoch: string | null; page: FeedEntry[] }> {
  const reply = await client
    .multi()
    .mget(keys.rev, keys.epoch)
    .xrange(keys.feed, feedId(after + 1), '+', 'COUNT', FEED_PAGE)
    .exec();
  if (reply === null) throw new ServiceUnavailable('The Redis transaction was aborted');
  for (const [error] of reply) if (error) throw error;
  const [rev, epoch] = reply[0]![1] as (string | null)[];
  return { head: Number(rev ?? 0), epoch: epoch ?? null, page: reply[1]![1] as FeedEntry[] };
}
