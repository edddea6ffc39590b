// The short name of what a profile measures ('cpu', 'wall', 'alloc_space', ...), derived
// from its sample type and period type. Used as a directory name, as Pyroscope's profile
// family and as Datadog's attachment name, so it must be stable and filename-safe.

export interface TypeAndUnit {
  type: string;
  unit: string;
}

/** Heap sample types that are already the conventional names (Go's heap profile). */
const HEAP_TYPES = new Set(['alloc_space', 'alloc_objects', 'inuse_space', 'inuse_objects']);

/** Lowercase, `[a-z0-9_]` only, never empty: safe in a path and as a metric-ish name. */
export function sanitizeTypeName(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s === '' ? 'unknown' : s.slice(0, 64);
}

/**
 * - `cpu/nanoseconds`, or a count (`samples`/`sample`) whose period is `cpu` -> 'cpu'
 *   (the eBPF profiler sends `samples/count` with a `cpu/nanoseconds` period);
 * - `wall/nanoseconds`, or a count whose period is `wall` -> 'wall';
 * - the Go heap names keep their names; Node's `space/bytes` and `objects/count` (live
 *   heap) -> 'inuse_space' / 'inuse_objects';
 * - `off_cpu` -> 'off_cpu';
 * - anything else -> the sanitized sample type name.
 */
export function profileTypeOf(sampleType: TypeAndUnit, periodType?: TypeAndUnit): string {
  const type = sampleType.type.toLowerCase();
  const period = periodType?.type.toLowerCase() ?? '';
  if (type === 'cpu') return 'cpu';
  if (type === 'wall') return 'wall';
  if (type === 'samples' || type === 'sample') {
    if (period === 'cpu') return 'cpu';
    if (period === 'wall') return 'wall';
  }
  if (HEAP_TYPES.has(type)) return type;
  if (type === 'space') return 'inuse_space';
  if (type === 'objects') return 'inuse_objects';
  if (type === 'off_cpu' || type === 'off-cpu' || type === 'offcpu') return 'off_cpu';
  return sanitizeTypeName(type);
}
