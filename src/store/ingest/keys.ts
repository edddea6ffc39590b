// Dense ids for a request's lists of numbers, keyed without building key text (building
// it from numbers through decimal text was most of the cost of resolving a stack).

/**
 * Dense ids for short lists of numbers (a tuple or an id sequence), without building key
 * text: an open-addressing table of 32-bit hashes picks the candidates, which are compared
 * value by value. For one request's tables (unbounded: a request is; sized from a hint so it
 * rarely grows). Values compare with ===, so any numbers may be listed; only the hash looks
 * at their low 32 bits.
 */
export class SeqInterner {
  private readonly seqs: ArrayLike<number>[] = [];
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
  }

  get size(): number {
    return this.seqs.length;
  }

  /**
   * The id of the first n values of seq; a new list is kept as a copy, or as it is when
   * `owned` (the caller hands it over and never changes it).
   */
  intern(seq: ArrayLike<number>, n: number = seq.length, owned = false): number {
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ seq[i]!, 0x01000193);
    h ^= h >>> 15;
    const slots = this.slots;
    const mask = this.mask;
    let at = h & mask;
    for (;;) {
      const v = slots[at]!;
      if (v === 0) break;
      if (this.hashes[at] === h && same(this.seqs[v - 1]!, seq, n)) return v - 1;
      at = (at + 1) & mask;
    }
    const id = this.seqs.length;
    this.seqs.push(owned && seq.length === n ? seq : (Array.prototype.slice.call(seq, 0, n) as number[]));
    slots[at] = id + 1;
    this.hashes[at] = h;
    if (this.seqs.length * 2 > mask) this.grow();
    return id;
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
  }
}

function same(a: ArrayLike<number>, b: ArrayLike<number>, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
