// Merging a profile's samples by (stack, label identity) once they are all collected, for the
// direct encoder (encode-direct.ts).
//
// Merging as samples arrive took an open-addressed table keyed by (stack, labels): on a
// 100 k-sample profile about 4 MB of slots, each sample a probe at a random place in it, a
// cache miss or two per sample. Here the samples are kept as they come and grouped by stack
// afterwards with a counting sort (stack ids are dense and far fewer than samples): a
// sequential pass to count, one to scatter each sample's index and label identity into
// arrays in stack order, then each stack's few samples are merged by a scan among
// themselves, reading those arrays in order. A sample merges into the first earlier one of its stack with the same
// label identity, values added in sample order, and is marked merged away (stack -1); the
// samples kept stay where they are, in the order of their first occurrence: what merging as
// they arrive gave. (The writer skips the marked ones: compacting the columns cost more.)
import { growInt32 } from '../otlp/columns/grow.js';

/** Stacks with at most this many samples are merged by a scan, larger ones through a hash table. */
const SCAN_MAX = 16;

/** The sample columns merge() reads, adding merged values and marking merged-away samples (the direct encoder's). */
export interface SampleColumns {
  /** Stack id per sample. */
  stack: Int32Array;
  /** Label identity per sample, in two halves (label-runs.ts), as label runs: `key[head]`, `key[tail]`. */
  head: Int32Array;
  tail: Int32Array;
  values: Float64Array;
  /** Event samples ('label' mode, already merged by their own key) have a time here, and are left alone. */
  times: (bigint | undefined)[] | undefined;
}

/** The scratch arrays of merging, kept from one profile to the next. */
export class StackMerge {
  private count = new Int32Array(1024);
  /** Per sample in stack order: its index, and its label identity's halves. */
  private order = new Int32Array(1024);
  private h = new Int32Array(1024);
  private t = new Int32Array(1024);
  private table = new Int32Array(64);

  /** Bytes held. */
  bytes(): number {
    return this.count.byteLength + this.order.byteLength + this.h.byteLength + this.t.byteLength + this.table.byteLength;
  }

  /**
   * Merges the first `n` samples of `c`, whose stack ids are below `stacks`: each merged
   * away gets stack -1. Returns how many are kept.
   */
  merge(c: SampleColumns, n: number, stacks: number, key: Int32Array): number {
    const stackOf = c.stack;
    const times = c.times;
    this.count = growInt32(this.count, stacks + 1);
    this.order = growInt32(this.order, n);
    this.h = growInt32(this.h, n);
    this.t = growInt32(this.t, n);
    const count = this.count;
    const order = this.order;
    const h = this.h;
    const t = this.t;
    const head = c.head;
    const tail = c.tail;
    count.fill(0, 0, stacks + 1);
    for (let i = 0; i < n; i++) if (times === undefined || times[i] === undefined) count[stackOf[i]! + 1]++;
    for (let s = 0; s < stacks; s++) count[s + 1]! += count[s]!;
    // After this, count[s] is where stack s's samples end (and stack s + 1's begin).
    for (let i = 0; i < n; i++) {
      if (times !== undefined && times[i] !== undefined) continue;
      const at = count[stackOf[i]!]!++;
      order[at] = i;
      h[at] = key[head[i]!]!;
      t[at] = key[tail[i]!]!;
    }
    let merged = 0;
    for (let s = 0, from = 0; s < stacks; s++) {
      const to = count[s]!;
      if (to - from > 1) merged += to - from <= SCAN_MAX ? this.scan(c, from, to) : this.hashed(c, from, to);
      from = to;
    }
    return n - merged;
  }

  /**
   * Merges the samples order[from .. to) (one stack's) by comparing each with those kept
   * before it, which it moves to the front of the range; returns how many merged.
   */
  private scan(c: SampleColumns, from: number, to: number): number {
    const order = this.order;
    const h = this.h;
    const t = this.t;
    const values = c.values;
    let end = from;
    for (let m = from; m < to; m++) {
      const i = order[m]!;
      const hi = h[m]!;
      const ti = t[m]!;
      let k = from;
      while (k < end && (h[k] !== hi || t[k] !== ti)) k++;
      if (k < end) {
        values[order[k]!]! += values[i]!;
        c.stack[i] = -1;
      } else {
        h[end] = hi;
        t[end] = ti;
        order[end++] = i;
      }
    }
    return to - end;
  }

  /** scan() through an open-addressed table, for a stack with many samples. */
  private hashed(c: SampleColumns, from: number, to: number): number {
    const order = this.order;
    const h = this.h;
    const t = this.t;
    let size = 64;
    while (size < 2 * (to - from)) size *= 2;
    if (this.table.length < size) this.table = new Int32Array(size);
    const table = this.table;
    table.fill(0, 0, size);
    const mask = size - 1;
    const values = c.values;
    let merged = 0;
    for (let m = from; m < to; m++) {
      const hi = h[m]!;
      const ti = t[m]!;
      let slot = ((Math.imul(hi, 0x9e3779b1) ^ Math.imul(ti + 0x7f4a7c15, 0x85ebca77)) >>> 0) & mask;
      for (;;) {
        // Position in the range + 1 of the first sample with this identity; 0 = empty.
        const at = table[slot]!;
        if (at === 0) {
          table[slot] = m - from + 1;
          break;
        }
        const k = from + at - 1;
        if (h[k] === hi && t[k] === ti) {
          values[order[k]!]! += values[order[m]!]!;
          c.stack[order[m]!] = -1;
          merged++;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return merged;
  }
}
