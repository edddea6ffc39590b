// Heavy hitters in bounded memory: which keys carry the most weight. Counts are exact
// while fewer than 2 × `capacity` keys are tracked; beyond that the lightest half is
// dropped (a key that comes back starts again from zero), so a key that keeps carrying
// weight stays and memory stays bounded, at an amortised O(log capacity) per new key.
// Used to keep Prometheus label cardinality bounded (TopKeys below). Pure, no I/O.

export class HeavyHitters {
  private readonly counts = new Map<string, number>();

  constructor(readonly capacity: number) {}

  add(key: string, weight: number): void {
    const c = this.counts.get(key);
    if (c !== undefined) {
      this.counts.set(key, c + weight);
      return;
    }
    this.counts.set(key, weight);
    if (this.counts.size >= 2 * this.capacity) this.prune();
  }

  private prune(): void {
    const keep = [...this.counts].sort((a, b) => b[1] - a[1]).slice(0, this.capacity);
    this.counts.clear();
    for (const [k, v] of keep) this.counts.set(k, v);
  }

  /** The `n` heaviest keys, heaviest first (ties by key, for stable output). */
  top(n: number): string[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([k]) => k);
  }

  weight(key: string): number | undefined {
    return this.counts.get(key);
  }
}

/**
 * A bounded label set for one metric dimension. Keys in the current top `n` get their own
 * series. A key that falls out keeps its series for a while (so a key hovering around the
 * cut does not flap between its own series and `other`) until more than `2n` keys hold
 * one; then the lightest of those that left the top are retired (`update` returns them so
 * the caller removes their series). So at most `2n + 1` series exist, `other` included.
 */
export class TopKeys {
  private readonly hitters: HeavyHitters;
  private readonly exposed = new Set<string>();

  constructor(
    readonly n: number,
    readonly other = 'other',
  ) {
    this.hitters = new HeavyHitters(Math.max(n * 10, 50));
  }

  update(weights: Iterable<[string, number]>): { retired: string[] } {
    for (const [k, w] of weights) this.hitters.add(k, w);
    const top = this.hitters.top(this.n);
    for (const k of top) this.exposed.add(k);
    const retired: string[] = [];
    if (this.exposed.size > 2 * this.n) {
      const inTop = new Set(top);
      const leavers = [...this.exposed].filter((k) => !inTop.has(k)).sort((a, b) => (this.hitters.weight(a) ?? 0) - (this.hitters.weight(b) ?? 0));
      for (const k of leavers) {
        if (this.exposed.size <= 2 * this.n) break;
        this.exposed.delete(k);
        retired.push(k);
      }
    }
    return { retired };
  }

  /** The label value to use for `key`. */
  label(key: string): string {
    return this.exposed.has(key) ? key : this.other;
  }

  /** Keys with their own series now. */
  keys(): string[] {
    return [...this.exposed];
  }
}
