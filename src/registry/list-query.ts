// What the List* calls share: their Filters (conditions, value counts, RESOURCE_OWNER) checked one way,
// and the sort keys that keep NextToken positions stable while the list changes.
import { InvalidInput } from '../model/errors.ts';

export type Condition = 'EQ' | 'IN' | 'BETWEEN' | 'BEGINS_WITH';

export interface Filter {
  Name: string;
  Condition?: Condition;
  Values: string[];
}

/**
 * The filter's condition (EQ when omitted, as Cloud Map documents), after checking that the filter
 * allows it and that the number of values fits it.
 */
export function conditionOf(f: Filter, allowed: readonly Condition[]): Condition {
  const c = f.Condition ?? 'EQ';
  if (!allowed.includes(c)) {
    throw new InvalidInput(`Filter ${f.Name} does not support Condition ${c}; use ${allowed.join(' or ')}`);
  }
  const n = f.Values.length;
  if ((c === 'EQ' || c === 'BEGINS_WITH') && n !== 1) {
    throw new InvalidInput(`Filter ${f.Name} with Condition ${c} takes exactly one value, not ${n}`);
  }
  if (c === 'IN' && n < 1) throw new InvalidInput(`Filter ${f.Name} with Condition IN takes at least one value`);
  if (c === 'BETWEEN' && n !== 2) throw new InvalidInput(`Filter ${f.Name} with Condition BETWEEN takes exactly two values, not ${n}`);
  return c;
}

/** EQ, IN and BEGINS_WITH over a string (case-sensitive). */
export function stringMatcher(c: Condition, values: readonly string[]): (actual: string) => boolean {
  const first = values[0] ?? '';
  if (c === 'IN') return (actual) => values.includes(actual);
  if (c === 'BEGINS_WITH') return (actual) => actual.startsWith(first);
  return (actual) => actual === first;
}

/**
 * RESOURCE_OWNER (EQ, SELF or OTHER_ACCOUNTS). cairn has one account, so SELF keeps everything and
 * OTHER_ACCOUNTS nothing.
 */
export function resourceOwnerKeeps(f: Filter): boolean {
  conditionOf(f, ['EQ']);
  const v = f.Values[0];
  if (v === 'SELF') return true;
  if (v === 'OTHER_ACCOUNTS') return false;
  throw new InvalidInput(`Filter RESOURCE_OWNER takes SELF or OTHER_ACCOUNTS, not ${v}`);
}

const pad = (n: number): string => Math.max(0, Math.floor(n)).toString().padStart(16, '0');
const FAR = 9_999_999_999_999;

/** Sort key for oldest-first lists (creation time, then id): ascending keys, as paginate expects. */
export const oldestFirstKey = (createDate: number, id: string): string => `${pad(createDate)}/${id}`;
/** Sort key for newest-first lists, still ascending as a string. */
export const newestFirstKey = (createDate: number, id: string): string => `${pad(FAR - createDate)}/${id}`;

export function sortByKey<T>(items: T[], keyOf: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
