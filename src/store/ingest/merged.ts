// A profile's samples merged as pprof merges them: by (pprof stack, label set), values added,
// in the order each pair is first seen. The pairs are interned to dense ids (IntPairs: an
// open-addressing table of integer pairs) and the merged samples held in typed arrays by
// that id, all reused from one profile to the next: merging a sample costs a hash and a
// compare or two, with no key text, no boxed map key and no object per merged sample (the
// extractor's per-sample work, and what the garbage collector had to clear). Pure, no I/O.
import { IntPairs } from '../../pprof/id-runs.js';

/** Merged samples of one profile; `L` is what the extractor keeps per label set. */
export class MergedSamples<L> {
  /** Merged samples held: entries [0, count) of the arrays below. */
  count = 0;
  /** Global pprof stack id of each merged sample. */
  pprof = new Int32Array(256);
  /** The stack table index of the first sample merged into it (for content ids). */
  stackIndex = new Int32Array(256);
  /** Sum of the values merged into it. */
  value = new Float64Array(256);
  /** Its label set (entries past count are cleared by begin()). */
  labels: (L | undefined)[] = [];
  /** (pprof stack id, label set id) -> merged sample. */
  private readonly pairs = new IntPairs();

  /** Starts a profile of at most `samples` samples. */
  begin(samples: number): void {
    this.labels.fill(undefined, 0, this.count);
    this.count = 0;
    this.pairs.reset();
    if (samples > this.pprof.length) {
      let n = this.pprof.length;
      while (n < samples) n *= 2;
      this.pprof = new Int32Array(n);
      this.stackIndex = new Int32Array(n);
      this.value = new Float64Array(n);
    }
  }

  /** Adds a sample's value to the (stack, label set) pair, which is new when not held yet. */
  add(pprof: number, labelId: number, labels: L, stackIndex: number, value: number): void {
    const m = this.pairs.intern(pprof, labelId);
    if (m < this.count) {
      this.value[m]! += value;
      return;
    }
    this.count = m + 1;
    this.pprof[m] = pprof;
    this.stackIndex[m] = stackIndex;
    this.value[m] = value;
    this.labels[m] = labels;
  }
}
