// A profile type's total over time, per group. Pure.
//
// Each profile's total goes to the bucket holding its start time: profiles are short
// (seconds) compared with useful buckets (a minute and up), and spreading a profile over
// its window would invent a precision the data does not have.
//
// Instantaneous types (aggregation `average`, e.g. in-use heap) follow the same rule as
// flame graphs: within each bucket a series' snapshots are averaged, then series summed; a
// series' `total` is likewise its average over the range, summed across its group.
import type { Aggregation } from './aggregation.js';
import { QueryError } from './errors.js';
import { labelValue } from './tag-query.js';

export interface ProfileTotal {
  startMs: number;
  total: number;
  labels: Readonly<Record<string, string>>;
  /** The profile's series (needed when averaging). */
  seriesId?: number;
}

export interface Series {
  labels: Record<string, string>;
  total: number;
  /** [bucket start ms, value], one per bucket. */
  points: [number, number][];
}

export const MAX_BUCKETS = 5000;
export const OTHER_GROUP = 'other';

/** The default step: about 60 buckets, a whole number of seconds, at least one second. */
export function defaultStep(from: number, to: number): number {
  return Math.max(1000, Math.ceil((to - from) / 60 / 1000) * 1000);
}

export function bucketCount(from: number, to: number, step: number): number {
  return Math.floor((to - from) / step) + 1;
}

/**
 * Buckets `[from + i*step, from + (i+1)*step)` for every i with `from + i*step <= to`.
 * `groupBy` names the label (`keys`: the label names it stands for, in order) and `label`
 * the name shown in each series' labels. Groups beyond `limit` (by total) fold into `other`.
 */
export function bucketSeries(
  profiles: Iterable<ProfileTotal>,
  options: {
    from: number;
    to: number;
    step: number;
    groupBy?: { label: string; keys: readonly string[] };
    limit?: number;
    aggregation?: Aggregation;
  },
): Series[] {
  const { from, to, step } = options;
  if (!(step > 0)) throw new QueryError('time_range', `step must be positive`);
  const n = bucketCount(from, to, step);
  if (n > MAX_BUCKETS) {
    throw new QueryError('time_range', `step ${step}ms over this range makes ${n} buckets; at most ${MAX_BUCKETS} are allowed, use a larger step`);
  }
  const groups = new Map<string, Float64Array>();
  const totals = new Map<string, number>();
  const average = options.aggregation === 'average';
  // Averaging: snapshots per (series, bucket) and per series, to divide by.
  const inBucket = new Map<string, number>();
  const inRange = new Map<number, number>();
  const kept: { p: ProfileTotal; i: number; g: string }[] = [];
  for (const p of profiles) {
    if (p.startMs < from || p.startMs > to) continue;
    const i = Math.floor((p.startMs - from) / step);
    const g = options.groupBy ? (labelValue(p.labels, options.groupBy.keys) ?? '') : '';
    kept.push({ p, i, g });
    if (average) {
      const s = p.seriesId ?? -1;
      inBucket.set(`${s}|${i}`, (inBucket.get(`${s}|${i}`) ?? 0) + 1);
      inRange.set(s, (inRange.get(s) ?? 0) + 1);
    }
  }
  for (const { p, i, g } of kept) {
    let arr = groups.get(g);
    if (!arr) groups.set(g, (arr = new Float64Array(n)));
    const s = p.seriesId ?? -1;
    arr[i]! += average ? p.total / inBucket.get(`${s}|${i}`)! : p.total;
    totals.set(g, (totals.get(g) ?? 0) + (average ? p.total / inRange.get(s)! : p.total));
  }
  let names = [...groups.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  const limit = options.limit ?? 20;
  if (names.length > limit) {
    const folded = new Float64Array(n);
    let foldedTotal = 0;
    for (const g of names.slice(limit)) {
      const arr = groups.get(g)!;
      for (let i = 0; i < n; i++) folded[i]! += arr[i]!;
      foldedTotal += totals.get(g)!;
      groups.delete(g);
    }
    // A real group called "other" keeps its own values and takes the folded ones too.
    const existing = groups.get(OTHER_GROUP);
    if (existing) for (let i = 0; i < n; i++) folded[i]! += existing[i]!;
    groups.set(OTHER_GROUP, folded);
    totals.set(OTHER_GROUP, foldedTotal + (existing ? totals.get(OTHER_GROUP)! : 0));
    names = [...names.slice(0, limit).filter((g) => g !== OTHER_GROUP), OTHER_GROUP];
  }
  return names.map((g) => {
    const arr = groups.get(g)!;
    const points: [number, number][] = [];
    // Averages: without the float noise of adding thirds and sixths (1e-3 of a unit).
    const clean = average ? (v: number) => Math.round(v * 1000) / 1000 : (v: number) => v;
    for (let i = 0; i < n; i++) points.push([from + i * step, clean(arr[i]!)]);
    return { labels: options.groupBy ? { [options.groupBy.label]: g } : {}, total: clean(totals.get(g)!), points };
  });
}
