// How a profile type adds up over time, and which pseudo-frames a view leaves out. Pure.
//
// Cumulative (delta) types — CPU, wall, off-CPU, allocations, sample counts — measure what
// happened during each profile's window, so profiles of a range are summed. Instantaneous
// types — in-use heap (`inuse_*`), live heap — are snapshots of a level: summing 97 snapshots
// of a 9 MiB heap says 873 MiB, which is no quantity at all. They are averaged over the
// snapshots of each series (one process's labels) in the range, then summed across series,
// as a heap view of several processes means "their heaps together, on average".

export type Aggregation = 'sum' | 'average';

const INSTANT_TYPES = new Set([
  'inuse_space',
  'inuse_objects',
  'heap',
  'heap_live',
  'heap_live_size',
  'heap_live_samples',
  'live_space',
  'live_objects',
]);

/** `average` for instantaneous (gauge) types, `sum` for everything else. */
export function aggregationOf(type: string): Aggregation {
  return INSTANT_TYPES.has(type) || type.startsWith('inuse_') || type.startsWith('heap_live') ? 'average' : 'sum';
}

/**
 * The weight of each profile in an aggregate: 1 when summing; 1 / (snapshots of its series
 * in the range) when averaging, so each series contributes its mean.
 */
export function profileWeights(refs: readonly { id: number; seriesId: number }[], aggregation: Aggregation): Map<number, number> | undefined {
  if (aggregation === 'sum') return undefined;
  const perSeries = new Map<number, number>();
  for (const r of refs) perSeries.set(r.seriesId, (perSeries.get(r.seriesId) ?? 0) + 1);
  const out = new Map<number, number>();
  for (const r of refs) out.set(r.id, 1 / perSeries.get(r.seriesId)!);
  return out;
}

/** Per series id, 1 / its snapshots in the range (averaging), for span-level aggregates. */
export function seriesWeights(refs: readonly { seriesId: number }[], aggregation: Aggregation): Map<number, number> | undefined {
  if (aggregation === 'sum') return undefined;
  const perSeries = new Map<number, number>();
  for (const r of refs) perSeries.set(r.seriesId, (perSeries.get(r.seriesId) ?? 0) + 1);
  for (const [k, n] of perSeries) perSeries.set(k, 1 / n);
  return perSeries;
}

/**
 * The name of the pseudo-frame V8's sampler (and @datadog/pprof) records when the thread
 * runs no JavaScript: the event loop waiting for work.
 */
export const IDLE_FRAME = '(idle)';

/**
 * Whether a type measures CPU time, whose views leave idle samples out by default: time the
 * thread spent waiting is not CPU time of the program, even when the sampler charged the
 * CPU used between two samples to the idle sample that followed.
 */
export function isCpuType(type: string): boolean {
  return type === 'cpu' || type === 'process_cpu' || type === 'cpu_time';
}
