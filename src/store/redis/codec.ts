// How records and changes are written to and read back from Redis. Values are serialised once, here, and
// passed to Lua as strings (never re-encoded there: cjson would turn [] into {} and round numbers); every
// value read back is validated with its table's schema (a bad one stops with an error naming it) and kept
// in compact form (compact.ts).
import { z } from 'zod';
import { tableNames, tableSchemas, type TableName } from '../../model/records.ts';
import { InternalFailure } from '../../model/errors.ts';
import type { Change, Mutation, Tables } from '../../model/changes.ts';
import { revisionOfFeedId } from './keys.ts';
import { compact, fastRecord, Interner } from './compact.ts';

/** Table name → its 1-based position among the table keys passed to the commit script. */
const tableIndex = new Map<TableName, string>(tableNames.map((t, i) => [t, String(i + 1)]));

export interface EncodedCommit {
  /** Triples for the script: table index, record key, value JSON ('' deletes). */
  args: string[];
  /** The feed entry's mutation list: [[table, key, value|null], ...] as JSON. */
  feed: string;
}

export function encodeCommit(mutations: readonly Mutation[]): EncodedCommit {
  const args: string[] = [];
  const feed: string[] = [];
  for (const m of mutations) {
    const json = m.value === null ? null : JSON.stringify(m.value);
    args.push(tableIndex.get(m.table)!, m.key, json ?? '');
    feed.push(`[${JSON.stringify(m.table)},${JSON.stringify(m.key)},${json ?? 'null'}]`);
  }
  return { args, feed: `[${feed.join(',')}]` };
}

/** Where a value came from, for errors; built only when one is raised (snapshots decode many values). */
type Where = () => string;

function parseJson(text: string, where: Where): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InternalFailure(`Corrupt data in Redis at ${where()}: not JSON`);
  }
}

/** Service and namespace ids repeat in every instance and operation record: one copy of each is kept. */
const strings = new Interner();

/** The value validated with its table's schema, in compact form. */
function checked<T extends TableName>(table: T, value: unknown, where: Where): z.infer<(typeof tableSchemas)[T]> {
  const fast = fastRecord(table, value, strings);
  if (fast !== undefined) return fast;
  const result = tableSchemas[table].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new InternalFailure(`Corrupt data in Redis at ${where()}: not a valid ${table} record${path}: ${issue?.message ?? 'invalid'}`);
  }
  return compact(table, result.data as z.infer<(typeof tableSchemas)[T]>, strings);
}

const text = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));

/**
 * A page of a table's hash, [field, JSON, field, JSON, ...] as text or UTF-8 bytes, into validated
 * records (later pages win).
 */
export function decodeFields<T extends TableName>(table: T, hashKey: string, flat: readonly (string | Buffer)[], into: Tables[T]): void {
  const map = into as Map<string, unknown>;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = text(flat[i]!);
    const where = (): string => `${hashKey} field ${JSON.stringify(key)}`;
    const record = checked(table, parseJson(text(flat[i + 1]!), where), where);
    // Keyed by the record's own id where that is the key (operations, namespaces, services): one string, not two.
    const id = (record as { id?: unknown }).id;
    map.set(id === key ? id : key, record);
  }
}

const FeedMutations = z.array(z.tuple([z.enum(tableNames as [TableName, ...TableName[]]), z.string(), z.unknown()]));

/** A stream entry as ioredis returns it: [id, [field, value, ...]]. */
export type FeedEntry = [id: string, fields: string[]];

export interface DecodedEntry {
  change: Change;
  /** The epoch the entry was written in. */
  epoch: string | null;
}

export function decodeFeedEntry(feedKey: string, [id, fields]: FeedEntry): DecodedEntry {
  const where = (): string => `${feedKey} entry ${id}`;
  let epoch: string | null = null;
  let raw: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'e') epoch = fields[i + 1]!;
    else if (fields[i] === 'm') raw = fields[i + 1]!;
  }
  if (raw === undefined) throw new InternalFailure(`Corrupt data in Redis at ${where()}: no mutations`);
  const list = FeedMutations.safeParse(parseJson(raw, where));
  if (!list.success) throw new InternalFailure(`Corrupt data in Redis at ${where()}: not a mutation list`);
  const mutations = list.data.map(
    ([table, key, value]): Mutation =>
      ({
        table,
        key,
        value: value === null ? null : checked(table, value, () => `${where()} (${table} ${JSON.stringify(key)})`),
      }) as Mutation,
  );
  return { change: { revision: revisionOfFeedId(id), mutations }, epoch };
}
