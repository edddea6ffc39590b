// Top functions: self and total value per group of frames. Pure.
//
// `self` is the value of samples whose leaf frame is in the group; `total` the value of
// samples with the group anywhere on the stack, counted once per sample even when the
// group appears several times (recursion), as pprof's `cum` does.
import { QueryError } from './errors.js';
import { UNKNOWN_FRAME, type FrameInfo, type FrameTable, type StackValue } from './types.js';

export const GROUP_BY = ['function', 'line', 'module', 'class'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export type TopSort = 'self' | 'total';

export interface TopRow {
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
}

export interface TopResult {
  /** Every group, sorted; cut to `limit` when given. */
  rows: TopRow[];
  /** Sum of every stack's value. */
  total: number;
  /** Groups before the cut. */
  groups: number;
}

export function parseGroupBy(text: string | undefined): GroupBy {
  if (text === undefined || text === '') return 'function';
  if ((GROUP_BY as readonly string[]).includes(text)) return text as GroupBy;
  throw new QueryError('param', `group_by: "${text}" is not one of ${GROUP_BY.join(', ')}`);
}

export function parseTopSort(text: string | undefined): TopSort {
  if (text === undefined || text === '' || text === 'self') return 'self';
  if (text === 'total') return 'total';
  throw new QueryError('param', `sort: "${text}" is not one of self, total`);
}

/**
 * The class of a function name: the text before its last `.` or `::` (whichever comes
 * later), e.g. `com.shop.Cart.add` -> `com.shop.Cart`, `Cart::add` -> `Cart`; the whole
 * name when it has neither.
 */
export function classOf(name: string): string {
  const dot = name.lastIndexOf('.');
  const colons = name.lastIndexOf('::');
  const cut = Math.max(dot, colons);
  return cut > 0 ? name.slice(0, cut) : name;
}

/**
 * The group a frame belongs to and how the group is shown. A frame with no file (native
 * code, `(idle)`, `(garbage collector)`, `(program)`, "Non JS threads activity") has no file,
 * line or class to group by: it is its own group under its function name, so grouping by
 * file never lumps every native frame into one nameless row, and such a function's row is
 * the same in every grouping.
 */
export function groupOf(f: FrameInfo, by: GroupBy): { key: string; row: Omit<TopRow, 'self' | 'total'> } {
  if (by !== 'function' && f.file === '') return { key: `\u0001${f.name}`, row: { name: f.name, file: '', line: 0 } };
  switch (by) {
    case 'function':
      return { key: f.name, row: { name: f.name, file: f.file, line: 0 } };
    case 'line':
      return { key: `${f.file}\u0000${f.line}`, row: { name: f.name, file: f.file, line: f.line } };
    case 'module':
      return { key: f.file, row: { name: f.file, file: f.file, line: 0 } };
    case 'class': {
      const c = classOf(f.name);
      return { key: c, row: { name: c, file: '', line: 0 } };
    }
  }
}

export function topFunctions(
  stacks: Iterable<StackValue>,
  frames: FrameTable,
  options: { groupBy?: GroupBy; sort?: TopSort; limit?: number } = {},
): TopResult {
  const by = options.groupBy ?? 'function';
  const groupIndex = new Map<string, number>();
  const rows: TopRow[] = [];
  // Frame id -> group, dense by id (ids are database row ids), filled for every frame up front.
  let maxId = 0;
  for (const id of frames.keys()) if (id > maxId) maxId = id;
  const dense = maxId < 1 << 24;
  const frameGroup = new Int32Array(dense ? maxId + 1 : 0).fill(-1);
  const sparse = new Map<number, number>();
  const unknown = (): number => {
    const { key, row } = groupOf(UNKNOWN_FRAME, by);
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = rows.length;
      rows.push({ ...row, self: 0, total: 0 });
      groupIndex.set(key, g);
    }
    return g;
  };
  for (const [id, f] of frames) {
    const { key, row } = groupOf(f, by);
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = rows.length;
      rows.push({ ...row, self: 0, total: 0 });
      groupIndex.set(key, g);
    }
    if (dense) frameGroup[id] = g;
    else sparse.set(id, g);
  }
  const groupOfFrame = (id: number): number => {
    const g = id < frameGroup.length ? frameGroup[id]! : (sparse.get(id) ?? -1);
    return g >= 0 ? g : unknown();
  };
  const selfs = new Float64Array(rows.length + 1);
  const totals = new Float64Array(rows.length + 1);
  const seen = new Int32Array(rows.length + 1);
  let stamp = 0;
  let total = 0;

  for (const s of stacks) {
    const v = s.value;
    if (v === 0) continue;
    total += v;
    stamp++;
    const fr = s.frames;
    for (let i = 0; i < fr.length; i++) {
      const g = groupOfFrame(fr[i]!);
      if (i === 0) selfs[g]! += v;
      if (seen[g] !== stamp) {
        seen[g] = stamp;
        totals[g]! += v;
      }
    }
  }
  for (let g = 0; g < rows.length; g++) {
    rows[g]!.self = selfs[g]!;
    rows[g]!.total = totals[g]!;
  }
  // Groups of frames no sample used are not shown.
  const used = rows.filter((r) => r.total > 0);
  const key = options.sort ?? 'self';
  const other = key === 'self' ? 'total' : 'self';
  // Averaged types (in-use heap) add fractions, and buckets add them in another order than raw
  // profiles: values equal to 12 significant digits are ties, so both paths order rows alike.
  const order = new Map(used.map((r) => [r, [sortValue(r[key]), sortValue(r[other])] as const]));
  used.sort((a, b) => {
    const x = order.get(a)!;
    const y = order.get(b)!;
    return y[0] - x[0] || y[1] - x[1] || cmp(a.name, b.name) || cmp(a.file, b.file) || a.line - b.line;
  });
  const groups = used.length;
  if (options.limit !== undefined && used.length > options.limit) used.length = options.limit;
  return { rows: used, total, groups };
}

function sortValue(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(12));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
