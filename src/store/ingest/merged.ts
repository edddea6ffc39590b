// A profile's samples merged as pprof merges them: by (pprof stack, label set), values added,
// in the order each pair is first seen. Held in typed arrays with an open-addressing table of
// (stack id, label set id) pairs, reused from one profile to the next: merging a sample costs
// a hash and a compare or two, with no key text, no boxed map key and no object per merged
// sample (the extractor's per-sample work, and what the garbage collector had to clear).
// Pure, no I/O.

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
  private labelIds = new Int32Array(256);
  /** Slot -> merged sample + 1 (0: empty); only the first mask + 1 slots are used. */
  private slots = new Int32Array(512);
  private mask = 511;

  /** Starts a profile of at most `samples` samples. */
  begin(samples: number): void {
    this.labels.fill(undefined, 0, this.count);
    this.count = 0;
    let cap = 512;
    while (cap < samples * 2) cap *= 2;
    if (cap > this.slots.length) this.slots = new Int32Array(cap);
    else this.slots.fill(0, 0, cap);
    this.mask = cap - 1;
    if (samples > this.pprof.length) {
      let n = this.pprof.length;
      while (n < samples) n *= 2;
      this.pprof = new Int32Array(n);
      this.stackIndex = new Int32Array(n);
      this.value = new Float64Array(n);
      this.labelIds = new Int32Array(n);
    }
  }

  /** Adds a sample's value to the (stack, label set) pair, which is new when not held yet. */
  add(pprof: number, labelId: number, labels: L, stackIndex: number, value: number): void {
    let at = (Math.imul(pprof, 0x9e3779b1) ^ Math.imul(labelId, 0x85ebca77)) & this.mask;
    const slots = this.slots;
    for (;;) {
      const v = slots[at]!;
      if (v === 0) break;
      const m = v - 1;
      if (this.pprof[m] === pprof && this.labelIds[m] === labelId) {
        this.value[m]! += value;
        return;
      }
      at = (at + 1) & this.mask;
    }
    const m = this.count++;
    slots[at] = m + 1;
    this.pprof[m] = pprof;
    this.labelIds[m] = labelId;
    this.stackIndex[m] = stackIndex;
    this.value[m] = value;
    this.labels[m] = labels;
  }
}
