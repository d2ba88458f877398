// Small, fast 32-bit string hashes, the same on every replica: FNV-1a as is (cheap, for telling ids
// apart), and FNV-1a with murmur3's finaliser (well mixed, for sharing work and spreading probe phases).

/** FNV-1a of a string's UTF-16 code units, as an unsigned 32-bit integer. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Hash of a string as an unsigned 32-bit integer, every input bit spread over every output bit. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  return fmix32(fnv1a(text, seed));
}

/** murmur3's finaliser: spreads every input bit over every output bit (FNV alone clusters on short suffixes). */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
