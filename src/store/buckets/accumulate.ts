// Adds (stack id, value) columns together, weighted. Pure.
//
// Long ranges add millions of pairs over a few tens of thousands of distinct stacks; stack
// ids are dense row ids, so the sums live in a Float64Array indexed by id (a Map costs about
// ten times more per pair). Ids past DENSE_LIMIT fall back to a Map.
const DENSE_LIMIT = 1 << 24;

export class StackAccumulator {
  private sums = new Float64Array(1024);
  private seen = new Uint8Array(1024);
  private readonly ids: number[] = [];
  private readonly sparse = new Map<number, number>();

  add(ids: ArrayLike<number>, vals: ArrayLike<number>, weight = 1): void {
    let sums = this.sums;
    let seen = this.seen;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id >= DENSE_LIMIT) {
        this.sparse.set(id, (this.sparse.get(id) ?? 0) + vals[i]! * weight);
        continue;
      }
      if (id >= sums.length) {
        this.grow(id + 1);
        sums = this.sums;
        seen = this.seen;
      }
      if (seen[id] === 0) {
        seen[id] = 1;
        this.ids.push(id);
      }
      sums[id] += vals[i]! * weight;
    }
  }

  private grow(n: number): void {
    let size = this.sums.length;
    while (size < n) size *= 2;
    const sums = new Float64Array(size);
    sums.set(this.sums);
    const seen = new Uint8Array(size);
    seen.set(this.seen);
    this.sums = sums;
    this.seen = seen;
  }

  /** Value per stack id, ids ascending; rounded to 1e-3 when `round` (averages, as raw reads do). */
  toMap(round: boolean): Map<number, number> {
    const ids = [...this.ids, ...this.sparse.keys()].sort((a, b) => a - b);
    const out = new Map<number, number>();
    for (const id of ids) {
      const v = id >= DENSE_LIMIT ? this.sparse.get(id)! : this.sums[id]!;
      out.set(id, round ? Math.round(v * 1000) / 1000 : v);
    }
    return out;
  }
}

/** Two (stack id, value) columns merged by adding values of equal ids; order: `a`'s, then new ids of `b`. */
export function mergeColumns(aIds: ArrayLike<number>, aVals: ArrayLike<number>, b: ReadonlyMap<number, number>): { ids: number[]; vals: number[] } {
  const ids: number[] = [];
  const vals: number[] = [];
  const rest = new Map(b);
  for (let i = 0; i < aIds.length; i++) {
    const id = aIds[i]!;
    const add = rest.get(id);
    ids.push(id);
    vals.push(add === undefined ? aVals[i]! : aVals[i]! + add);
    if (add !== undefined) rest.delete(id);
  }
  for (const [id, v] of rest) {
    ids.push(id);
    vals.push(v);
  }
  return { ids, vals };
}
