// Dense ids for lists of numbers (functions, locations, frames, stacks as ids), keyed without
// building key text (building it from numbers through decimal text was most of the cost of
// resolving a stack).

/**
 * Dense ids for short lists of numbers (a tuple or an id sequence), without building key
 * text: an open-addressing table of 32-bit hashes picks the candidates, which are compared
 * value by value. Unbounded itself: the IngestCache holding it bounds it by its bytes. Values compare with ===, so any numbers
 * may be listed (they are kept as float64); only the hash looks at their low 32 bits.
 *
 * Lists of 32-bit ids (a stack's location or frame ids) are kept in an Int32Array instead
 * (`idSeqInterner`): half the pool's bytes, and interning a stack is mostly waiting for memory
 * to read its ids. Values outside the int32 range must then not be listed (they would be
 * stored wrapped); those callers list dense ids only.
 */
export class SeqInterner<P extends Float64Array | Int32Array = Float64Array> {
  /**
   * Every list kept, back to back in one typed array (one monomorphic read per value, no
   * object per list); a list's values are pool[start(id), start(id) + length(id)).
   */
  private pool: P;
  private used = 0;
  /** Per id: where its list starts in pool and its length, side by side (one cache line for both). */
  private spans: Int32Array;
  private count = 0;
  /**
   * Per slot: id + 1 (0: empty) and the hash of that id's list, side by side: a probe reads
   * one cache line, not one in each of two arrays (interning is mostly waiting for memory).
   */
  private table: Int32Array;
  /** Slots - 1. */
  private mask: number;

  private readonly Pool: new (length: number) => P;

  constructor(expected = 16, Pool?: new (length: number) => P) {
    this.Pool = Pool ?? (Float64Array as unknown as new (length: number) => P);
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.table = new Int32Array(2 * cap);
    this.mask = cap - 1;
    this.spans = new Int32Array(cap);
    this.pool = new this.Pool(cap * 2);
  }

  get size(): number {
    return this.count;
  }

  /** The id of the first n values of seq (a copy is kept when the list is new). */
  intern(seq: ArrayLike<number>, n: number = seq.length): number {
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ seq[i]!, 0x01000193);
    h ^= h >>> 15;
    const table = this.table;
    const spans = this.spans;
    const mask = this.mask;
    const pool = this.pool;
    let at = h & mask;
    for (;;) {
      const v = table[2 * at]!;
      if (v === 0) break;
      if (table[2 * at + 1] === h && spans[2 * v - 1] === n) {
        const start = spans[2 * v - 2]!;
        let i = 0;
        while (i < n && pool[start + i] === seq[i]) i++;
        if (i === n) return v - 1;
      }
      at = (at + 1) & mask;
    }
    const id = this.count++;
    if (this.used + n > this.pool.length) {
      let len = this.pool.length * 2;
      while (len < this.used + n) len *= 2;
      const grown = new this.Pool(len);
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
    }
    const dst = this.pool;
    const start = this.used;
    for (let i = 0; i < n; i++) dst[start + i] = seq[i]!;
    this.used += n;
    spans[2 * id] = start;
    spans[2 * id + 1] = n;
    table[2 * at] = id + 1;
    table[2 * at + 1] = h;
    if (this.count * 2 > mask) this.grow();
    return id;
  }

  /** Where list `id`'s values start in `values`. */
  start(id: number): number {
    return this.spans[2 * id]!;
  }

  length(id: number): number {
    return this.spans[2 * id + 1]!;
  }

  /** The values of every list (a new array after the pool grows: read it after interning). */
  get values(): P {
    return this.pool;
  }

  /** Estimated bytes held (for caches bounded by bytes). */
  get bytes(): number {
    return this.pool.byteLength + this.table.byteLength + this.spans.byteLength;
  }

  private grow(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2);
    const mask = (table.length >>> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      let at = old[i + 1]! & mask;
      while (table[2 * at] !== 0) at = (at + 1) & mask;
      table[2 * at] = old[i]!;
      table[2 * at + 1] = old[i + 1]!;
    }
    this.table = table;
    this.mask = mask;
    // Ids stay below half the slots: spans holds that many.
    const spans = new Int32Array(mask + 1);
    spans.set(this.spans);
    this.spans = spans;
  }
}

/** A SeqInterner of 32-bit ids, kept as such (see SeqInterner). */
export function idSeqInterner(expected = 16): SeqInterner<Int32Array> {
  return new SeqInterner(expected, Int32Array);
}
