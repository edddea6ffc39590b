// Dense ids for lists of numbers (functions, locations, frames, stacks as ids), keyed without
// building key text (building it from numbers through decimal text was most of the cost of
// resolving a stack).

/**
 * Dense ids for short lists of numbers (a tuple or an id sequence), without building key
 * text: an open-addressing table of 32-bit hashes picks the candidates, which are compared
 * value by value. Unbounded itself: the IngestCache holding it bounds it by its bytes. Values compare with ===, so any numbers
 * may be listed (they are kept as float64); only the hash looks at their low 32 bits.
 */
export class SeqInterner {
  /**
   * Every list kept, back to back in one typed array (one monomorphic read per value, no
   * object per list); a list's values are pool[start[id], start[id] + length[id]).
   */
  private pool: Float64Array;
  private used = 0;
  private starts: Int32Array;
  private lengths: Int32Array;
  private count = 0;
  /** Slot -> id + 1 (0: empty), and the hash of that id's list. */
  private slots: Int32Array;
  private hashes: Int32Array;
  private mask: number;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
    this.starts = new Int32Array(cap >>> 1);
    this.lengths = new Int32Array(cap >>> 1);
    this.pool = new Float64Array(cap * 2);
  }

  get size(): number {
    return this.count;
  }

  /** The id of the first n values of seq (a copy is kept when the list is new). */
  intern(seq: ArrayLike<number>, n: number = seq.length): number {
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ seq[i]!, 0x01000193);
    h ^= h >>> 15;
    const slots = this.slots;
    const mask = this.mask;
    const pool = this.pool;
    let at = h & mask;
    for (;;) {
      const v = slots[at]!;
      if (v === 0) break;
      if (this.hashes[at] === h && this.lengths[v - 1] === n) {
        const start = this.starts[v - 1]!;
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
      const grown = new Float64Array(len);
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
    }
    const dst = this.pool;
    const start = this.used;
    for (let i = 0; i < n; i++) dst[start + i] = seq[i]!;
    this.used += n;
    this.starts[id] = start;
    this.lengths[id] = n;
    slots[at] = id + 1;
    this.hashes[at] = h;
    if (this.count * 2 > mask) this.grow();
    return id;
  }

  /** Where list `id`'s values start in `values`. */
  start(id: number): number {
    return this.starts[id]!;
  }

  length(id: number): number {
    return this.lengths[id]!;
  }

  /** The values of every list (a new array after the pool grows: read it after interning). */
  get values(): Float64Array {
    return this.pool;
  }

  /** Estimated bytes held (for caches bounded by bytes). */
  get bytes(): number {
    return this.pool.byteLength + 4 * (this.slots.length * 2 + this.starts.length * 2);
  }

  private grow(): void {
    const old = this.slots;
    const oldHashes = this.hashes;
    this.slots = new Int32Array(old.length * 2);
    this.hashes = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (let i = 0; i < old.length; i++) {
      if (old[i] === 0) continue;
      let at = oldHashes[i]! & this.mask;
      while (this.slots[at] !== 0) at = (at + 1) & this.mask;
      this.slots[at] = old[i]!;
      this.hashes[at] = oldHashes[i]!;
    }
    const starts = new Int32Array(this.slots.length >>> 1);
    starts.set(this.starts);
    this.starts = starts;
    const lengths = new Int32Array(this.slots.length >>> 1);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }
}
