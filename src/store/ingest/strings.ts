// Dense ids for strings: what an IngestCache resolves each string of a request to (every
// name and file of a request's dictionary, once per request). An open-addressing table of
// 32-bit hashes computed here, over the string's UTF-16 code units, instead of a Map: a
// request's strings are new string objects, so a Map lookup first has V8 hash each one,
// then compares it with the key it finds; here the same work without the Map's bucket
// chains and entry objects. The hash is seeded once per process from random bytes, so
// nobody outside can pick names that all land in one slot; and a probe stops after
// MAX_PROBES slots all the same: strings that would probe further are kept in a Map
// beside the table, so even names colliding by chance cost at most that many compares.
// Unbounded itself: the IngestCache holding it bounds it by its bytes. Pure, no I/O.
import { randomBytes } from 'node:crypto';

/** Per process: two 32-bit seeds (the initial state and a per-code-unit addend). */
const SEEDS = randomBytes(8);
const SEED_A = SEEDS.readInt32LE(0);
const SEED_B = SEEDS.readInt32LE(4) | 1;

/** Slots probed before a string goes to the overflow Map. */
const MAX_PROBES = 32;

export class StringIds {
  /** Per slot: id + 1 (0: empty) and the hash of that id's string, side by side. */
  private table: Int32Array;
  /** Slots - 1. */
  private mask: number;
  /** Id -> its string. */
  private readonly strs: string[] = [];
  /** Strings whose probe ran past MAX_PROBES (see the head comment). */
  private overflow: Map<string, number> | undefined;

  /** maxProbes: MAX_PROBES unless a test wants the overflow used often. */
  constructor(
    expected = 1024,
    private readonly maxProbes = MAX_PROBES,
  ) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.table = new Int32Array(2 * cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.strs.length;
  }

  /** The string of an id. */
  string(id: number): string {
    return this.strs[id]!;
  }

  /** The id of s (equal strings, one id; ids in first-seen order). */
  id(s: string): number {
    const n = s.length;
    let h = SEED_A ^ n;
    // Two code units a step, as one 32-bit word (each step waits for the last multiply).
    let i = 0;
    for (; i + 1 < n; i += 2) h = (Math.imul(h ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), 0x01000193) + SEED_B) | 0;
    if (i < n) h = (Math.imul(h ^ s.charCodeAt(i), 0x01000193) + SEED_B) | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x45d9f3b);
    h ^= h >>> 16;
    const table = this.table;
    const strs = this.strs;
    let at = h & this.mask;
    for (let probes = 0; probes < this.maxProbes; probes++) {
      const v = table[2 * at]!;
      if (v === 0) {
        // Not in the table (every string there sits within MAX_PROBES of its first slot, and
        // slots are never emptied); maybe in the overflow.
        const o = this.overflow?.get(s);
        if (o !== undefined) return o;
        const id = strs.length;
        strs.push(s);
        table[2 * at] = id + 1;
        table[2 * at + 1] = h;
        if (strs.length * 2 > this.mask) this.grow();
        return id;
      }
      if (table[2 * at + 1] === h && strs[v - 1] === s) return v - 1;
      at = (at + 1) & this.mask;
    }
    const o = (this.overflow ??= new Map());
    let id = o.get(s);
    if (id === undefined) {
      id = strs.length;
      strs.push(s);
      o.set(s, id);
      if (strs.length * 2 > this.mask) this.grow();
    }
    return id;
  }

  /** Estimated bytes of the table itself (the strings are counted by the caller). */
  get bytes(): number {
    return this.table.byteLength + 8 * this.strs.length;
  }

  /**
   * Twice the slots, every string of the table placed again as id() places it: one whose
   * probe would now run past MAX_PROBES goes to the overflow (the overflow's stay there),
   * so that id() finds each string where it looks for it.
   */
  private grow(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2);
    const mask = (table.length >>> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      const v = old[i]!;
      if (v === 0) continue;
      let at = old[i + 1]! & mask;
      let probes = 0;
      while (table[2 * at] !== 0 && probes < this.maxProbes) {
        at = (at + 1) & mask;
        probes++;
      }
      if (probes === this.maxProbes) {
        (this.overflow ??= new Map()).set(this.strs[v - 1]!, v - 1);
        continue;
      }
      table[2 * at] = v;
      table[2 * at + 1] = old[i + 1]!;
    }
    this.table = table;
    this.mask = mask;
  }
}
