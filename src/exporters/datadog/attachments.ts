// Which profile types of one window travel together in which attachment, per runtime family,
// following the family's own Datadog profiler (the intake and the UI read the files by name):
//
//   node (dd-trace-js)  wall.pprof   the count of samples (wall_samples: our SDK sends it),
//                                    then wall + cpu time of the same samples
//                       space.pprof  inuse_objects + inuse_space
//   go (dd-trace-go)    cpu.pprof         cpu_samples (Go's samples/count) then cpu
//                       delta-heap.pprof  alloc_objects, alloc_space, inuse_objects, inuse_space
//                       goroutines.pprof  goroutine(s)
//   any other family, and any type not listed above: `<profileType>.pprof`, one type each.
//
// Within an attachment the sample types keep the tracer's order (the list above); a
// count-typed profile of the same type (samples/count with a cpu or wall period) comes
// before its time-typed sibling, as dd-trace writes `sample/count` before `wall/nanoseconds`.
// In Node's wall.pprof, whose cpu column is `cpu/nanoseconds`, a CPU profile that comes only
// as a count of samples of a nanosecond period (the eBPF profiler's form) is written as
// count × period nanoseconds, what the period type says each sample stands for.
import { pprofSummary } from '../../pprof/encode.js';
import type { ConvertedProfile } from '../../pprof/types.js';
import type { ColumnRewrite } from '../../pprof/merge.js';
import type { RuntimeFamily } from '../shared/runtime.js';

interface Group {
  file: string;
  types: readonly string[];
}

const FAMILY_GROUPS: Partial<Record<RuntimeFamily, readonly Group[]>> = {
  node: [
    { file: 'wall.pprof', types: ['wall_samples', 'wall', 'cpu'] },
    { file: 'space.pprof', types: ['inuse_objects', 'inuse_space'] },
  ],
  go: [
    { file: 'cpu.pprof', types: ['cpu_samples', 'cpu'] },
    { file: 'delta-heap.pprof', types: ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'] },
    { file: 'goroutines.pprof', types: ['goroutine', 'goroutines'] },
  ],
};

export interface Attachment<T extends { converted: ConvertedProfile }> {
  file: string;
  /** In sample-type order; one entry means the profile goes as it is. */
  members: T[];
  /** Per member: how its column is rewritten when merged (undefined = as it is). */
  rewrites: (ColumnRewrite | undefined)[];
}

/** A count-of-cpu-period profile as cpu/nanoseconds, when it has a nanosecond period. */
function cpuNanosOf(c: ConvertedProfile): ColumnRewrite | undefined {
  // From the summary: reading the model would build it (the direct encoder makes none).
  const { period, periodType } = pprofSummary(c);
  const periodUnit = periodType?.unit;
  if (c.profileType !== 'cpu' || !isCount(c) || periodUnit !== 'nanoseconds' || !(period > 0)) return undefined;
  return { type: 'cpu', unit: 'nanoseconds', scale: period };
}

function isCount(c: ConvertedProfile): boolean {
  const unit = pprofSummary(c).sampleTypes[0]?.unit ?? '';
  return unit === 'count' || unit === '';
}

/**
 * The attachments of one upload. A type that appears twice with the same unit kind cannot
 * share a file; the caller keeps such repeats apart (see event.ts), so members here are
 * distinct by (type, count-ness).
 */
export function attachmentsOf<T extends { converted: ConvertedProfile }>(family: RuntimeFamily, profiles: readonly T[]): Attachment<T>[] {
  const groups = FAMILY_GROUPS[family] ?? [];
  const out: Attachment<T>[] = [];
  const byFile = new Map<string, { group: Group; members: T[] }>();
  for (const p of profiles) {
    const group = groups.find((g) => g.types.includes(p.converted.profileType));
    if (group === undefined) {
      out.push({ file: `${p.converted.profileType}.pprof`, members: [p], rewrites: [undefined] });
      continue;
    }
    let entry = byFile.get(group.file);
    if (entry === undefined) {
      entry = { group, members: [] };
      byFile.set(group.file, entry);
      out.push({ file: group.file, members: entry.members, rewrites: [] });
    }
    entry.members.push(p);
  }
  for (const a of out) {
    const entry = byFile.get(a.file);
    if (!entry || entry.members !== a.members) continue;
    const hasCpuNanos = a.members.some((m) => m.converted.profileType === 'cpu' && !isCount(m.converted));
    const rewrite = (m: T): ColumnRewrite | undefined =>
      family === 'node' && a.file === 'wall.pprof' && !hasCpuNanos ? cpuNanosOf(m.converted) : undefined;
    const rank = (m: T): number => entry.group.types.indexOf(m.converted.profileType) * 2 + (isCount(m.converted) && !rewrite(m) ? 0 : 1);
    a.members.sort((x, y) => rank(x) - rank(y));
    a.rewrites = a.members.map(rewrite);
  }
  return out;
}

/** The slot a profile takes in its upload: two profiles with the same slot go to separate uploads. */
export function slotOf(c: ConvertedProfile): string {
  return `${c.profileType}/${isCount(c) ? 'count' : 'value'}`;
}
