// Loads every table without holding Redis in one big MULTI: read the head, scan each hash in pages
// (HSCAN: small replies, low peak memory, Redis never blocked for long), then read the head again with
// the changes committed meanwhile and replay them. Every value is a whole record, so replaying the
// changes after the first head over what the scan saw gives exactly the state at the second head.
import type { RedisClient } from './connection.ts';
import { tableNames, type TableName } from '../../model/records.ts';
import { ServiceUnavailable } from '../../model/errors.ts';
import { emptyTables, type Snapshot, type Tables } from '../../model/changes.ts';
import { decodeFields } from './codec.ts';
import { changesUpTo, headAndFirstPage } from './feed-range.ts';
import { otherEpoch, type Keys } from './keys.ts';

const SCAN_COUNT = 1000;
const ATTEMPTS = 5;

export interface LoadedSnapshot {
  snapshot: Snapshot;
  /** The epoch of the data (null: nothing was ever committed). */
  epoch: string | null;
}

export async function readSnapshot(client: RedisClient, keys: Keys, newTables: () => Tables = emptyTables): Promise<LoadedSnapshot> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const loaded = await tryReadSnapshot(client, keys, newTables);
    if (loaded) return loaded;
  }
  throw new ServiceUnavailable('Could not load a consistent snapshot from Redis: the data changed or was lost while reading');
}

async function tryReadSnapshot(client: RedisClient, keys: Keys, newTables: () => Tables): Promise<LoadedSnapshot | null> {
  const [rev, epoch] = await client.mget(keys.rev, keys.epoch);
  const start = Number(rev ?? 0);
  const tables = newTables();
  await Promise.all(tableNames.map((t) => scanTable(client, keys.tables[t], t, tables)));
  const after = await headAndFirstPage(client, keys, start);
  if (after.head < start || otherEpoch(epoch ?? null, after.epoch)) return null;
  const changes = await changesUpTo(client, keys, start, after.head, after.epoch, after.page);
  if (changes === null) return null;
  for (const change of changes) {
    for (const m of change.mutations) {
      const table = tables[m.table] as Map<string, unknown>;
      if (m.value === null) table.delete(m.key);
      else table.set(m.key, m.value);
    }
  }
  return { snapshot: { revision: changes.at(-1)?.revision ?? start, tables }, epoch: after.epoch };
}

async function scanTable(client: RedisClient, hashKey: string, table: TableName, tables: Tables): Promise<void> {
  let cursor = '0';
  do {
    // Pages as bytes, each value turned into text only as it is parsed: ioredis turns a whole page into
    // strings at once, and at this rate of loading V8 keeps most of them in the old generation as
    // garbage (about 40 MB more heap at the end of a 200,000-record load).
    const [next, flat] = await client.hscanBuffer(hashKey, cursor, 'COUNT', SCAN_COUNT);
    decodeFields(table, hashKey, flat, tables[table]);
    cursor = next.toString();
  } while (cursor !== '0');
}
