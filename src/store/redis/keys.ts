// The Redis key layout. Every key carries the hash tag `{prefix}`, so all of a registry's keys live in one
// Cluster slot and one Lua script may touch them all.
import { tableNames, type TableName } from '../../model/records.ts';

export interface Keys {
  /** String: the head revision (absent = 0). */
  rev: string;
  /** String: random id of this incarnation of the data, set by the first commit; changes when Redis loses it. */
  epoch: string;
  /** Stream: one entry per commit, id `<revision>-0`, fields e (epoch), m (mutations), t (commit time, ms on Redis's clock). */
  feed: string;
  /** Sorted set: replica id → expiry (epoch ms, Redis clock). */
  replicas: string;
  /** Hash per table: record key → record JSON. */
  tables: Record<TableName, string>;
}

export function keysFor(prefix: string): Keys {
  const tag = `{${prefix}}`;
  return {
    rev: `${tag}:rev`,
    epoch: `${tag}:epoch`,
    feed: `${tag}:feed`,
    replicas: `${tag}:replicas`,
    tables: Object.fromEntries(tableNames.map((t) => [t, `${tag}:t:${t}`])) as Record<TableName, string>,
  };
}

/** The stream id of a revision's feed entry, and back. */
export const feedId = (revision: number): string => `${revision}-0`;
export const revisionOfFeedId = (id: string): number => Number(id.slice(0, id.indexOf('-')));

/** Two epochs that are both known and differ: the data was lost and written anew. */
export const otherEpoch = (known: string | null | undefined, current: string | null): boolean =>
  typeof known === 'string' && current !== null && current !== known;
