// Comparing two selections (A = baseline, B = comparison): per-group deltas and a diff
// tree. Pure. Absolute deltas are in the profile type's unit; normalised deltas compare
// shares of the whole (B's share minus A's share), so a run that simply took twice as long
// shows no change in where the time went.
import { byTotalThenName, DEFAULT_MAX_NODES, FLAME_ROOT_NAME, flatTree, keptNodes, materialize } from './flame.js';
import { QueryError } from './errors.js';
import type { FrameTable, StackValue } from './types.js';
import type { TopRow } from './top.js';

export interface CompareRow {
  name: string;
  file: string;
  line: number;
  selfA: number;
  selfB: number;
  totalA: number;
  totalB: number;
  selfDelta: number;
  totalDelta: number;
  selfNormalizedDelta: number;
  totalNormalizedDelta: number;
}

export interface DiffNode {
  name: string;
  file: string;
  line: number;
  selfA: number;
  selfB: number;
  totalA: number;
  totalB: number;
  /** totalB - totalA */
  delta: number;
  /** totalB / sumB - totalA / sumA */
  normalizedDelta: number;
  children: DiffNode[];
}

export const COMPARE_SORTS = ['abs_self_normalized', 'abs_total_normalized', 'abs_self', 'abs_total'] as const;
export type CompareSort = (typeof COMPARE_SORTS)[number];

export function parseCompareSort(text: string | undefined): CompareSort {
  if (text === undefined || text === '') return 'abs_self_normalized';
  if ((COMPARE_SORTS as readonly string[]).includes(text)) return text as CompareSort;
  throw new QueryError('param', `sort: "${text}" is not one of ${COMPARE_SORTS.join(', ')}`);
}

/** share of `v` in `total`, 0 when there is nothing. */
function share(v: number, total: number): number {
  return total === 0 ? 0 : v / total;
}

function rowKey(r: Pick<TopRow, 'name' | 'file' | 'line'>): string {
  return `${r.name}\u0000${r.file}\u0000${r.line}`;
}

/**
 * Joins two complete top tables (same group_by) by group. `sumA`/`sumB` are the selections'
 * totals (the denominators of the normalised deltas).
 */
export function compareRows(
  a: readonly TopRow[],
  b: readonly TopRow[],
  sumA: number,
  sumB: number,
  options: { sort?: CompareSort; limit?: number } = {},
): CompareRow[] {
  const byKey = new Map<string, CompareRow>();
  const get = (r: TopRow): CompareRow => {
    const k = rowKey(r);
    let row = byKey.get(k);
    if (!row) {
      row = {
        name: r.name,
        file: r.file,
        line: r.line,
        selfA: 0,
        selfB: 0,
        totalA: 0,
        totalB: 0,
        selfDelta: 0,
        totalDelta: 0,
        selfNormalizedDelta: 0,
        totalNormalizedDelta: 0,
      };
      byKey.set(k, row);
    }
    return row;
  };
  for (const r of a) {
    const row = get(r);
    row.selfA += r.self;
    row.totalA += r.total;
  }
  for (const r of b) {
    const row = get(r);
    row.selfB += r.self;
    row.totalB += r.total;
  }
  const rows = [...byKey.values()];
  for (const r of rows) {
    r.selfDelta = r.selfB - r.selfA;
    r.totalDelta = r.totalB - r.totalA;
    r.selfNormalizedDelta = share(r.selfB, sumB) - share(r.selfA, sumA);
    r.totalNormalizedDelta = share(r.totalB, sumB) - share(r.totalA, sumA);
  }
  const sort = options.sort ?? 'abs_self_normalized';
  const key: (r: CompareRow) => number =
    sort === 'abs_self_normalized'
      ? (r) => Math.abs(r.selfNormalizedDelta)
      : sort === 'abs_total_normalized'
        ? (r) => Math.abs(r.totalNormalizedDelta)
        : sort === 'abs_self'
          ? (r) => Math.abs(r.selfDelta)
          : (r) => Math.abs(r.totalDelta);
  rows.sort(
    (x, y) =>
      key(y) - key(x) || Math.abs(y.totalDelta) - Math.abs(x.totalDelta) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) || x.line - y.line,
  );
  if (options.limit !== undefined && rows.length > options.limit) rows.length = options.limit;
  return rows;
}

/**
 * The diff tree of two selections' stacks: one merged tree holding both sides' values, the
 * nodes kept by the larger of their two totals. Nodes match by function along the path.
 */
export function diffTrees(
  a: Iterable<StackValue>,
  b: Iterable<StackValue>,
  frames: FrameTable,
  options: { maxNodes?: number } = {},
): { root: DiffNode; truncated: boolean } {
  const t = flatTree([a, b], frames);
  const [totalA, totalB] = t.total as [Float64Array, Float64Array];
  const [selfA, selfB] = t.self as [Float64Array, Float64Array];
  const sumA = totalA[0]!;
  const sumB = totalB[0]!;
  const weight = new Float64Array(t.count);
  for (let i = 0; i < t.count; i++) weight[i] = Math.max(totalA[i]!, totalB[i]!);
  const kept = keptNodes(t, options.maxNodes ?? DEFAULT_MAX_NODES, weight);
  const root = materialize<DiffNode>(
    t,
    kept.ids,
    (i) => {
      const info = i === 0 ? { name: FLAME_ROOT_NAME, file: '', line: 0 } : t.keys.info[t.fkey[i]!]!;
      return {
        name: info.name,
        file: info.file,
        line: info.line,
        selfA: selfA[i]!,
        selfB: selfB[i]!,
        totalA: totalA[i]!,
        totalB: totalB[i]!,
        delta: totalB[i]! - totalA[i]!,
        normalizedDelta: share(totalB[i]!, sumB) - share(totalA[i]!, sumA),
        children: [],
      };
    },
    (p, q) => byTotalThenName({ ...p, total: Math.max(p.totalA, p.totalB) }, { ...q, total: Math.max(q.totalA, q.totalB) }),
  );
  return { root, truncated: kept.truncated };
}
