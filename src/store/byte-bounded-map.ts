// A cache map bounded by an estimate of the bytes its entries hold in the V8 heap, for the
// store's id and stack caches: under high-cardinality load (new stacks in every request)
// a cache bounded by entry count holds hundreds of megabytes before its bound is reached.
// Eviction is first-in first-out (a Map keeps insertion order, so the oldest entry is the
// first key): a hot entry that is evicted is simply read from its table again and
// re-inserted, which costs one indexed query per bound's worth of new entries. The sizer is
// asked again on eviction, so no size is stored per entry. Pure, no I/O.

/** Map entry overhead in V8 (ordered hash table slot, bucket share): an estimate. */
export const MAP_ENTRY_BYTES = 40;
/** A small object with two or three fields, numbers boxed: an estimate. */
export const SMALL_OBJECT_BYTES = 48;

/** Heap bytes of a string: header plus 1 byte a char (2 when it holds a char above U+00FF). */
export function stringBytes(s: string): number {
  // eslint-disable-next-line no-control-regex
  return 16 + (/[^\u0000-\u00ff]/.test(s) ? 2 : 1) * s.length;
}

export class ByteBoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  private used = 0;
  private evicted = 0;

  /**
   * @param maxBytes the bound of `bytes`; an entry larger than it is not kept.
   * @param sizeOf the bytes an entry holds (key, value and map slot); must give the same
   *   answer for an entry for as long as it is in the map.
   */
  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (key: K, value: V) => number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes of the entries held; never above maxBytes. */
  get bytes(): number {
    return this.used;
  }

  /** Entries evicted to stay within the bound, since creation. */
  get evictions(): number {
    return this.evicted;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined || this.map.has(key)) {
      this.used -= this.sizeOf(key, old as V);
      this.map.delete(key);
    }
    const bytes = this.sizeOf(key, value);
    if (bytes > this.maxBytes) return;
    this.used += bytes;
    this.map.set(key, value);
    while (this.used > this.maxBytes) {
      const first = this.map.entries().next().value as [K, V];
      this.map.delete(first[0]);
      this.used -= this.sizeOf(first[0], first[1]);
      this.evicted++;
    }
  }

  delete(key: K): boolean {
    if (!this.map.has(key)) return false;
    this.used -= this.sizeOf(key, this.map.get(key) as V);
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
