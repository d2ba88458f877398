// A map that starts over when it reaches its bound. The caches whose keys clients choose (source
// addresses, names as spelled, ids from the feed) must not grow without bound, and emptying a full
// cache costs nothing on the hot path, where tracking recency would cost on every hit.
export class BoundedMap<K, V> extends Map<K, V> {
  readonly max: number;

  constructor(max: number) {
    super();
    this.max = max;
  }

  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}
