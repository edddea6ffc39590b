// The short name of what a profile measures ('cpu', 'wall', 'alloc_space', ...), derived
// from its sample type and period type. Used as a directory name, as Pyroscope's profile
// family and as Datadog's attachment name, so it must be stable and filename-safe.
//
// A profiler that writes the number of samples next to the values they measure (dd-trace's
// and our SDK's wall profile: `sample/count` beside `wall/nanoseconds`; Go's CPU profile:
// `samples/count` beside `cpu/nanoseconds`) sends two profiles of one kind. The count is
// then typed `<type>_samples` (profileTypesOf), so stores and exporters that add up a type
// do not add the samples to the time they measure. A count that comes alone (the eBPF
// profiler's cpu) stays the type it measures, valued count x period.

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

/** Suffix of the type of a sample count that travels with the values of its kind. */
export const SAMPLE_COUNT_SUFFIX = '_samples';

/** A number of samples: `samples`/`sample` counted (or unitless). */
export function isSampleCount(sampleType: TypeAndUnit): boolean {
  const type = sampleType.type.toLowerCase();
  const unit = sampleType.unit.toLowerCase();
  return (type === 'samples' || type === 'sample') && (unit === 'count' || unit === '');
}

/** True for a `<type>_samples` type given by profileTypesOf. */
export function isSampleCountType(profileType: string): boolean {
  return profileType.endsWith(SAMPLE_COUNT_SUFFIX) && profileType.length > SAMPLE_COUNT_SUFFIX.length;
}

/** The type a sample-count type counts the samples of ('wall_samples' -> 'wall'); the type itself otherwise. */
export function measuredTypeOf(profileType: string): string {
  return isSampleCountType(profileType) ? profileType.slice(0, -SAMPLE_COUNT_SUFFIX.length) : profileType;
}

export interface ProfileHead {
  sampleType: TypeAndUnit;
  periodType?: TypeAndUnit;
  /** Profiles with equal windows were cut together (e.g. `${start}/${duration}`). */
  window: string;
}

/**
 * The types of profiles sent together (one scope of one request): profileTypeOf each, except
 * that a sample count whose kind (cpu, wall) also comes as measured values in the same window
 * becomes `<type>_samples`.
 */
export function profileTypesOf(heads: readonly ProfileHead[]): string[] {
  const types = heads.map((h) => profileTypeOf(h.sampleType, h.periodType));
  const measured = new Set<string>();
  heads.forEach((h, i) => {
    if (!isSampleCount(h.sampleType)) measured.add(`${types[i]}\u0000${h.window}`);
  });
  return heads.map((h, i) => {
    const t = types[i]!;
    return isSampleCount(h.sampleType) && (t === 'cpu' || t === 'wall') && measured.has(`${t}\u0000${h.window}`) ? `${t}${SAMPLE_COUNT_SUFFIX}` : t;
  });
}
