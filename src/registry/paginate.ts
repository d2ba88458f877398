// Pagination for List* calls: an opaque NextToken (base64url of the position) over a list that is
// filtered first, so a page is never empty while a token is returned.
import { InvalidInput } from '../model/errors.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  keyOf: (item: T) => string,
  defaultMax = 100,
): Page<T> {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decodeToken(nextToken);
    const i = items.findIndex((it) => keyOf(it) === after);
    // The item the token points at may have been deleted since: resume at the first key after it.
    start = i >= 0 ? i + 1 : items.findIndex((it) => keyOf(it) > after);
    if (start < 0) start = items.length;
  }
  const max = maxResults ?? defaultMax;
  const page = items.slice(start, start + max);
  const last = page.at(-1);
  const more = start + max < items.length && last !== undefined;
  return more ? { items: page, nextToken: encodeToken(keyOf(last)) } : { items: page };
}

export const encodeToken = (key: string): string => Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');

export function decodeToken(token: string): string {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (v !== null && typeof v === 'object' && typeof (v as { k?: unknown }).k === 'string') return (v as { k: string }).k;
  } catch {
    /* fall through */
  }
  throw new InvalidInput(`NextToken is not a token cairn issued: ${token.slice(0, 40)}`);
}
