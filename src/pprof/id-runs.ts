// Interning of short runs of small non-negative integers (a stack's location ids, a label
// run's sorted label ids: label-runs.ts) to dense ids, 0, 1, 2, … in order of first appearance.
//
// The converter used to key a Map by a string made from the run; on a 100 k-sample profile
// with 10 k stacks and 32 k label sets, building and hashing those strings was a good part of
// the conversion. Here runs are hashed as integers and kept in one flat Int32Array: no string
// and no object per run.

import { growInt32 } from '../otlp/columns/grow.js';

/** An append-only list of integer runs in one flat Int32Array (no interning). */
export class RunList {
  /** Every run, back to back; run r is pool[start[r] .. start[r] + len[r]) (read-only outside). */
  pool: Int32Array<ArrayBuffer> = new Int32Array(4096);
  private used = 0;
  start: Int32Array<ArrayBuffer> = new Int32Array(256);
  len: Int32Array<ArrayBuffer> = new Int32Array(256);
  /** Runs so far. */
  size = 0;

  /** Empties the list, keeping its arrays (for the next profile on this thread). */
  reset(): void {
    this.size = 0;
    this.used = 0;
  }

  /** Appends the first `n` elements of `ids` as run `size` and returns its index. */
  add(ids: ArrayLike<number>, n: number): number {
    const r = this.size++;
    if (r === this.start.length) {
      this.start = growInt32(this.start, r + 1);
      this.len = growInt32(this.len, r + 1);
    }
    this.pool = growInt32(this.pool, this.used + n);
    const pool = this.pool;
    const s = this.used;
    for (let i = 0; i < n; i++) pool[s + i] = ids[i]!;
    this.used = s + n;
    this.start[r] = s;
    this.len[r] = n;
    return r;
  }
}

/** A RunList whose runs are interned: the same run twice gets the same id. */
export class IdRuns extends RunList {
  private hashes: Int32Array<ArrayBuffer> = new Int32Array(256);
  /** Run id + 1 per slot, 0 = empty; a power of two in size, at most half full. */
  private slots = new Int32Array(512);

  private static hash(ids: ArrayLike<number>, n: number): number {
    let h = Math.imul(n, 0x9e3779b1) ^ 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ ids[i]!, 0x01000193) ^ (h >>> 15);
    return h | 0;
  }

  override reset(): void {
    super.reset();
    this.slots.fill(0);
  }

  /** The id of the first `n` elements of `ids`, a new one if this run is new. */
  intern(ids: ArrayLike<number>, n: number = ids.length): number {
    const h = IdRuns.hash(ids, n);
    const slots = this.slots;
    const mask = slots.length - 1;
    let k = h & mask;
    for (;;) {
      const at = slots[k]!;
      if (at === 0) break;
      const r = at - 1;
      if (this.hashes[r] === h && this.len[r] === n && this.same(r, ids, n)) return r;
      k = (k + 1) & mask;
    }
    const r = this.add(ids, n);
    this.hashes = growInt32(this.hashes, r + 1);
    this.hashes[r] = h;
    slots[k] = r + 1;
    if (this.size * 2 > slots.length) this.rehash();
    return r;
  }

  /** Run `r` as a new array. */
  ids(r: number): number[] {
    const s = this.start[r]!;
    const n = this.len[r]!;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.pool[s + i]!;
    return out;
  }

  private same(r: number, ids: ArrayLike<number>, n: number): boolean {
    const pool = this.pool;
    const s = this.start[r]!;
    for (let i = 0; i < n; i++) if (pool[s + i] !== ids[i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let r = 0; r < this.size; r++) {
      let k = this.hashes[r]! & mask;
      while (slots[k] !== 0) k = (k + 1) & mask;
      slots[k] = r + 1;
    }
    this.slots = slots;
  }
}

/** Interning of pairs of int32 values to dense ids, 0, 1, 2, … in order of first appearance. */
export class IntPairs {
  /** Pair r is (ab[2r], ab[2r + 1]): side by side, so a probe reads one cache line, not two. */
  private ab = new Int32Array(512);
  /** Pair id + 1 per slot, 0 = empty; a power of two in size, at most half full. */
  private slots = new Int32Array(512);
  size = 0;

  private static slotOf(x: number, y: number, mask: number): number {
    return ((Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca77)) >>> 0) & mask;
  }

  /** Empties the table, keeping its arrays. */
  reset(): void {
    this.size = 0;
    this.slots.fill(0);
  }

  /** The id of (x, y), a new one if the pair is new. Both must be int32. */
  intern(x: number, y: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let k = IntPairs.slotOf(x, y, mask);
    for (;;) {
      const at = slots[k]!;
      if (at === 0) break;
      const ab = this.ab;
      if (ab[2 * at - 2] === x && ab[2 * at - 1] === y) return at - 1;
      k = (k + 1) & mask;
    }
    const r = this.size++;
    this.ab = growInt32(this.ab, 2 * r + 2);
    this.ab[2 * r] = x;
    this.ab[2 * r + 1] = y;
    slots[k] = r + 1;
    if (this.size * 2 > slots.length) this.rehash();
    return r;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let r = 0; r < this.size; r++) {
      let k = IntPairs.slotOf(this.ab[2 * r]!, this.ab[2 * r + 1]!, mask);
      while (slots[k] !== 0) k = (k + 1) & mask;
      slots[k] = r + 1;
    }
    this.slots = slots;
  }
}
