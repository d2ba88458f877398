// How far a reader of the feed is behind: the age of the first entry after what it applied, measured on
// Redis's clock at both ends (the commit script stamps each entry with TIME), in one round trip.
import type { RedisClient } from './connection.ts';
import { ServiceUnavailable } from '../../model/errors.ts';
import type { FeedEntry } from './codec.ts';
import { feedId, type Keys } from './keys.ts';

export async function feedLagSeconds(client: RedisClient, keys: Keys, applied: number): Promise<number> {
  const reply = await client
    .multi()
    .get(keys.rev)
    .xrange(keys.feed, feedId(applied + 1), '+', 'COUNT', 1)
    .time()
    .exec();
  if (reply === null) throw new ServiceUnavailable('The Redis transaction was aborted');
  for (const [error] of reply) if (error) throw error;
  const head = Number(reply[0]![1] ?? 0);
  if (!(head > applied)) return 0;
  const [entry] = reply[1]![1] as FeedEntry[];
  const committed = entry ? Number(fieldOf(entry, 't')) : NaN;
  // Entries written before commit times were recorded have none: nothing to measure against.
  if (!Number.isFinite(committed)) return 0;
  const [seconds, micros] = reply[2]![1] as [string, string];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  return Math.max(0, now - committed) / 1000;
}

function fieldOf([, fields]: FeedEntry, name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
