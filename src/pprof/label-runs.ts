// How a converted sample's labels are kept, compared and written: as two runs of label ids,
// a head and a tail, whose labels are the sample's in its order (head first).
//
// pprof merges samples with the same stack and the same labels (in any order). A sample's
// labels come from its link (span and trace ids) and its attribute list, and for most
// samples (no context attribute: labels.ts, CONTEXT_ATTRIBUTE_KEYS) the two never share a
// key: the link gives only the span and trace id labels (ID_LABEL_KEYS), and a plain
// attribute's key is never one of those. Such a sample's labels are its link's run (the head)
// followed by its attribute list's run (the tail), each made once per link and per distinct
// attribute list, not once per (link, attribute list) pair, which on a 100 k-sample profile
// with a thousand spans and 32 threads meant 28 k label sets sorted, hashed and encoded.
//
// Identity without a sort per pair: a set of labels with distinct keys is equal to another
// exactly when its labels with an id key are, and its other labels are. Each run carries one
// half of that identity, interned from its sorted label ids (`key`): a head, the id-key half
// of the labels it starts; a tail, the other half. A sample's label identity is then the pair
// (key[head], key[tail]): a link's run keys its (id-key) labels, a plain attribute list's
// run keys its (other) labels. A sample whose labels depend on both (a context attribute:
// sampleLabels) gets a run pair of its own, split the same way: the head holds all its
// labels in their order and keys the id-key ones, the tail is empty and keys the rest. Both
// halves are interned in one table, so equal labels reached either way get equal keys.
import { PPROF_LABELS } from './labels.js';
import { growInt32 } from '../otlp/columns/grow.js';
import type { IdRuns, RunList } from './id-runs.js';

/** The label keys a link's labels have, and a plain attribute's never (see above). */
export const ID_LABEL_KEYS: ReadonlySet<string> = new Set<string>([PPROF_LABELS.TRACE_ID, PPROF_LABELS.SPAN_ID, PPROF_LABELS.SPAN_ID_DECIMAL]);

/** The first `n` of `a` sorted into `out` by insertion sort: runs hold a handful of ids, where this beats Array#sort. */
function sortedInto(a: ArrayLike<number>, n: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]! > v) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = v;
  }
}

/** Label runs (ids in order, `refs`) and each run's identity half (`key`). */
export class LabelRuns {
  /** Run -> its identity half: an interned sorted run of label ids (see above). */
  key = new Int32Array(256);
  private sorted = new Int32Array(16);
  private part = new Int32Array(16);

  constructor(
    /** Run r's label ids, in label order (empty, reset, when given). */
    readonly refs: RunList,
    /** The identity halves (empty, reset, when given). */
    private readonly halves: IdRuns,
  ) {}

  /** Runs so far. */
  get size(): number {
    return this.refs.size;
  }

  /** A run of the first `n` of `ids`, keyed by all of them (a link's labels, a plain attribute list's). */
  add(ids: ArrayLike<number>, n: number): number {
    const r = this.refs.add(ids, n);
    this.setKey(r, this.half(ids, n));
    return r;
  }

  /**
   * A head run holding all the first `n` of `ids` and keyed by those whose `isId` is set,
   * then an empty tail run (the head's id + 1) keyed by the others.
   */
  addSplit(ids: ArrayLike<number>, n: number, isId: Uint8Array): number {
    if (n > this.part.length) this.part = new Int32Array(2 * n);
    const part = this.part;
    let k = 0;
    for (let i = 0; i < n; i++) if (isId[ids[i]!] === 1) part[k++] = ids[i]!;
    const head = this.refs.add(ids, n);
    this.setKey(head, this.half(part, k));
    k = 0;
    for (let i = 0; i < n; i++) if (isId[ids[i]!] !== 1) part[k++] = ids[i]!;
    const tail = this.refs.add(ids, 0);
    this.setKey(tail, this.half(part, k));
    return head;
  }

  private half(ids: ArrayLike<number>, n: number): number {
    if (n > this.sorted.length) this.sorted = new Int32Array(2 * n);
    sortedInto(ids, n, this.sorted);
    return this.halves.intern(this.sorted, n);
  }

  private setKey(r: number, half: number): void {
    this.key = growInt32(this.key, r + 1);
    this.key[r] = half;
  }
}
