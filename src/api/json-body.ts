// Reads a request body as a JSON object and refuses hostile input before anything walks it: bytes that
// are not UTF-8, nesting deeper than any Cloud Map input, lone surrogates, and `__proto__` as a name.
import { isUtf8 } from 'node:buffer';
import { InvalidInput, SerializationException } from '../model/errors.ts';

/**
 * Cloud Map's deepest input nests 5 levels (UpdatePublicDnsNamespace → Namespace → Properties →
 * DnsProperties → SOA); 32 leaves room for unknown members, which AWS ignores, while keeping every
 * recursive walk of the parsed body (dropNulls, zod) a few dozen frames deep. The check runs on the
 * bytes, before JSON.parse: V8 parses 1 MiB of `[` without overflowing, but spends ~0.3 s doing it.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  U = 0x75;
const OPEN_OBJECT = 0x7b,
  OPEN_ARRAY = 0x5b,
  CLOSE_OBJECT = 0x7d,
  CLOSE_ARRAY = 0x5d;

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The code unit of the 4 hex digits at `at`, or -1 (JSON.parse then reports the bad escape). */
function hex4(b: Uint8Array, at: number): number {
  let v = 0;
  for (let i = at; i < at + 4; i++) {
    const d = hexDigit(b[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

const isHigh = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

/**
 * One pass over the bytes, tracking strings and escapes: the problem found, or undefined. Raw bytes
 * cannot hold a lone surrogate once they are valid UTF-8, so only `\u` escapes need pairing.
 */
export function scanJson(b: Uint8Array): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) {
        if (b[i + 1] !== U) {
          i += 1;
          continue;
        }
        const unit = hex4(b, i + 2);
        if (isHigh(unit)) {
          if (b[i + 6] !== BACKSLASH || b[i + 7] !== U || !isLow(hex4(b, i + 8))) return 'a \\u escape is a lone surrogate';
          i += 11;
        } else if (isLow(unit)) return 'a \\u escape is a lone surrogate';
        else i += 5;
      }
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH) return `JSON nesting is deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return undefined;
}

/** The body as a JSON object (an empty body is {}); SerializationException for anything else. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  if (!isUtf8(body)) throw new SerializationException('The request body is not valid UTF-8');
  const problem = scanJson(body);
  if (problem !== undefined) throw new SerializationException(`The request body cannot be read: ${problem}`);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SerializationException('The request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SerializationException('The request body must be a JSON object');
  }
  return dropNulls(value) as Record<string, unknown>;
}

/**
 * Removes null members (clients may send null for an absent member). Recursion is safe: scanJson bounded
 * the depth. JSON.parse makes `__proto__` an own member, which an assignment here (or in zod, or in a
 * registry module) would turn into a prototype instead; it is refused rather than silently lost.
 */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      if (k === '__proto__') throw new InvalidInput("'__proto__' is not accepted as a member name or map key");
      const v = (value as Record<string, unknown>)[k];
      if (v !== null) out[k] = dropNulls(v);
    }
    return out;
  }
  return value;
}
