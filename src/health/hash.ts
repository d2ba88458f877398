// A small, fast, well-mixed 32-bit string hash (FNV-1a with murmur3's finaliser). Every replica computes
// the same value, which is what sharing (who probes what) and probe phases (when) rely on.

/** Hash of a string as an unsigned 32-bit integer. Equal inputs give equal hashes on every replica. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
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
