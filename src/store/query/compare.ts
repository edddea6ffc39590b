// Comparing two selections (A = baseline, B = comparison): per-group deltas and a diff
// tree. Pure. Absolute deltas are in the profile type's unit; normalised deltas compare
// shares of the whole (B's share minus A's share), so a run that simply took twice as long
// shows no change in where the time went.
import { byTotalThenName, type FlameNode } from './flame.js';
import { QueryError } from './errors.js';
import { pruneTree } from './prune.js';
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
      row = { name: r.name, file: r.file, line: r.line, selfA: 0, selfB: 0, totalA: 0, totalB: 0, selfDelta: 0, totalDelta: 0, selfNormalizedDelta: 0, totalNormalizedDelta: 0 };
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
  rows.sort((x, y) => key(y) - key(x) || Math.abs(y.totalDelta) - Math.abs(x.totalDelta) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) || x.line - y.line);
  if (options.limit !== undefined && rows.length > options.limit) rows.length = options.limit;
  return rows;
}

/**
 * The merged diff of two complete flame trees (unpruned, or the diff misses what either
 * left out). Nodes match by name + file along the same path.
 */
export function diffTrees(a: FlameNode, b: FlameNode, options: { maxNodes?: number } = {}): { root: DiffNode; truncated: boolean } {
  const sumA = a.total;
  const sumB = b.total;
  const walk = (x: FlameNode | undefined, y: FlameNode | undefined): DiffNode => {
    const base = (x ?? y)!;
    const node: DiffNode = {
      name: base.name,
      file: base.file,
      line: x?.line || y?.line || 0,
      selfA: x?.self ?? 0,
      selfB: y?.self ?? 0,
      totalA: x?.total ?? 0,
      totalB: y?.total ?? 0,
      delta: 0,
      normalizedDelta: 0,
      children: [],
    };
    node.delta = node.totalB - node.totalA;
    node.normalizedDelta = share(node.totalB, sumB) - share(node.totalA, sumA);
    const pairs = new Map<string, [FlameNode | undefined, FlameNode | undefined]>();
    for (const c of x?.children ?? []) pairs.set(`${c.name}\u0000${c.file}`, [c, undefined]);
    for (const c of y?.children ?? []) {
      const k = `${c.name}\u0000${c.file}`;
      const p = pairs.get(k);
      if (p) p[1] = c;
      else pairs.set(k, [undefined, c]);
    }
    for (const [cx, cy] of pairs.values()) node.children.push(walk(cx, cy));
    node.children.sort((p, q) => byTotalThenName({ ...p, total: Math.max(p.totalA, p.totalB) }, { ...q, total: Math.max(q.totalA, q.totalB) }));
    return node;
  };
  const root = walk(a, b);
  const pruned = pruneTree(root, Math.max(1, options.maxNodes ?? 20_000), (n) => Math.max(n.totalA, n.totalB));
  return { root: pruned.root, truncated: pruned.truncated };
}
