// Merged call trees (flame graphs and diff trees) from aggregated stacks. Pure.
//
// Nodes merge by function (name + file), not by line: a flame graph that split a function
// by the line it was at would show one box per line. `line` on a node is the function's
// start line when known, else the first line seen.
//
// A merged tree of many distinct stacks has hundreds of thousands of nodes, of which a
// view shows a bounded number; so the tree is built in flat typed arrays (no object or Map
// per node, one value column per side for diffs) and only the nodes kept — the heaviest
// `maxNodes`, connected to the root — become objects.
import { UNKNOWN_FRAME, type FrameTable, type StackValue } from './types.js';

export interface FlameNode {
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
  children: FlameNode[];
}

export interface FlameTree {
  root: FlameNode;
  /** Some lighter subtrees were left out to respect `maxNodes`. */
  truncated: boolean;
  /** Nodes in `root`, the root included. */
  nodes: number;
}

export const FLAME_ROOT_NAME = 'total';
export const DEFAULT_MAX_NODES = 20_000;

/** Above this frame id, lookups use a Map instead of a dense array indexed by id. */
const DENSE_ID_LIMIT = 1 << 24;

/**
 * Frame ids -> function keys (name + file), so trees and tables merge by function. Dense
 * Int32Array lookup when ids are small enough (they are database row ids).
 */
export class FunctionKeys {
  private readonly byText = new Map<string, number>();
  private readonly dense: Int32Array | undefined;
  private readonly sparse = new Map<number, number>();
  readonly info: { name: string; file: string; line: number }[] = [];

  constructor(private readonly frames: FrameTable) {
    let max = 0;
    for (const id of frames.keys()) if (id > max) max = id;
    if (max < DENSE_ID_LIMIT) this.dense = new Int32Array(max + 1).fill(-1);
    for (const id of frames.keys()) this.of(id);
  }

  of(frameId: number): number {
    const d = this.dense;
    if (d !== undefined && frameId < d.length) {
      const k = d[frameId]!;
      if (k >= 0) return k;
    } else {
      const k = this.sparse.get(frameId);
      if (k !== undefined) return k;
    }
    const f = this.frames.get(frameId) ?? UNKNOWN_FRAME;
    const text = `${f.name}\u0000${f.file}`;
    let k = this.byText.get(text);
    if (k === undefined) {
      k = this.info.length;
      this.info.push({ name: f.name, file: f.file, line: f.startLine || f.line });
      this.byText.set(text, k);
    }
    if (d !== undefined && frameId < d.length) d[frameId] = k;
    else this.sparse.set(frameId, k);
    return k;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** A merged tree in columns. Node 0 is the root; `total[s]` / `self[s]` hold side s's values. */
export interface FlatTree {
  count: number;
  parent: Int32Array;
  fkey: Int32Array;
  total: Float64Array[];
  self: Float64Array[];
  keys: FunctionKeys;
  /** Children of node i: kids[start[i] .. start[i+1]). */
  start: Int32Array;
  kids: Int32Array;
}

/**
 * Merges every side's stacks into one tree with a value column per side. Children are found
 * through one open-addressing table keyed by (parent, function key), sized up front from
 * the number of frames (an upper bound of the node count), so it never rehashes. (Sorting
 * the stacks and sharing prefixes instead measured slower.)
 */
export function flatTree(sides: readonly Iterable<StackValue>[], frames: FrameTable): FlatTree {
  const keys = new FunctionKeys(frames);
  const lists = sides.map((s) => (Array.isArray(s) ? (s as StackValue[]) : [...s]));
  let bound = 1;
  for (const list of lists) for (const s of list) bound += s.frames.length;
  const parent = new Int32Array(bound);
  const fkey = new Int32Array(bound);
  const total = lists.map(() => new Float64Array(bound));
  const self = lists.map(() => new Float64Array(bound));
  let size = 1024;
  while (size < bound * 2) size *= 2;
  // Node ids (0 = empty: the root is never a child), compared through parent and fkey.
  const table = new Int32Array(size);
  const mask = size - 1;
  let count = 1;
  parent[0] = -1;
  fkey[0] = -1;

  lists.forEach((stacks, side) => {
    const tot = total[side]!;
    const slf = self[side]!;
    for (const s of stacks) {
      const v = s.value;
      if (v === 0) continue;
      tot[0]! += v;
      let node = 0;
      const fr = s.frames;
      for (let i = fr.length - 1; i >= 0; i--) {
        const k = keys.of(fr[i]!);
        let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;
        h = (h ^ (h >>> 15)) & mask;
        let c: number;
        for (;;) {
          c = table[h]!;
          if (c === 0 || (parent[c] === node && fkey[c] === k)) break;
          h = (h + 1) & mask;
        }
        if (c === 0) {
          c = count++;
          parent[c] = node;
          fkey[c] = k;
          table[h] = c;
        }
        tot[c]! += v;
        node = c;
      }
      slf[node]! += v;
    }
  });

  // Children lists in one array (counting sort by parent).
  const start = new Int32Array(count + 1);
  for (let i = 1; i < count; i++) start[parent[i]! + 1]!++;
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, count);
  const kids = new Int32Array(Math.max(0, count - 1));
  for (let i = 1; i < count; i++) kids[fill[parent[i]!]!++] = i;
  return { count, parent, fkey, total, self, keys, start, kids };
}

/**
 * Node ids to keep, parents before children: everything when it fits in `maxNodes`, else
 * the heaviest nodes (by `weight`) connected to the root, expanded from the root.
 */
export function keptNodes(t: FlatTree, maxNodes: number, weight: Float64Array): { ids: Int32Array; truncated: boolean } {
  const limit = Math.max(1, maxNodes);
  if (t.count <= limit) {
    const ids = new Int32Array(t.count);
    let n = 0;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop()!;
      ids[n++] = i;
      for (let j = t.start[i]!; j < t.start[i + 1]!; j++) stack.push(t.kids[j]!);
    }
    return { ids, truncated: false };
  }
  const ids = new Int32Array(limit);
  ids[0] = 0;
  let n = 1;
  const heap = new NodeHeap(weight);
  for (let j = t.start[0]!; j < t.start[1]!; j++) heap.push(t.kids[j]!);
  while (n < limit && heap.size > 0) {
    const i = heap.pop();
    ids[n++] = i;
    for (let j = t.start[i]!; j < t.start[i + 1]!; j++) heap.push(t.kids[j]!);
  }
  return { ids: ids.subarray(0, n), truncated: true };
}

/**
 * Objects for the kept nodes, linked to their parents (kept parents come first), children
 * sorted by `order`. `make(i)` builds node i without children.
 */
export function materialize<T extends { children: T[] }>(t: FlatTree, ids: Int32Array, make: (i: number) => T, order: (a: T, b: T) => number): T {
  const objects: T[] = [];
  for (let n = 0; n < ids.length; n++) {
    const i = ids[n]!;
    const o = make(i);
    objects[i] = o;
    if (i !== 0) objects[t.parent[i]!]!.children.push(o);
  }
  for (let n = 0; n < ids.length; n++) {
    const o = objects[ids[n]!]!;
    if (o.children.length > 1) o.children.sort(order);
  }
  return objects[0]!;
}

/** The merged tree of `stacks`, the root named `total`; children sorted by total, descending. */
export function buildFlameTree(stacks: Iterable<StackValue>, frames: FrameTable, options: { maxNodes?: number } = {}): FlameTree {
  const t = flatTree([stacks], frames);
  const total = t.total[0]!;
  const self = t.self[0]!;
  const kept = keptNodes(t, options.maxNodes ?? DEFAULT_MAX_NODES, total);
  const root = materialize<FlameNode>(
    t,
    kept.ids,
    (i) => {
      if (i === 0) return { name: FLAME_ROOT_NAME, file: '', line: 0, self: self[0]!, total: total[0]!, children: [] };
      const info = t.keys.info[t.fkey[i]!]!;
      return { name: info.name, file: info.file, line: info.line, self: self[i]!, total: total[i]!, children: [] };
    },
    byTotalThenName,
  );
  return { root, truncated: kept.truncated, nodes: kept.ids.length };
}

/** A max-heap of node ids by a weight column. */
class NodeHeap {
  private ids = new Int32Array(1024);
  size = 0;
  constructor(private readonly weight: Float64Array) {}
  push(id: number): void {
    if (this.size === this.ids.length) this.ids = grow(this.ids, this.size + 1);
    const { ids, weight } = this;
    let i = this.size++;
    ids[i] = id;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (weight[ids[p]!]! >= weight[ids[i]!]!) break;
      [ids[p], ids[i]] = [ids[i]!, ids[p]!];
      i = p;
    }
  }
  pop(): number {
    const { ids, weight } = this;
    const top = ids[0]!;
    ids[0] = ids[--this.size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && weight[ids[l]!]! > weight[ids[m]!]!) m = l;
      if (r < this.size && weight[ids[r]!]! > weight[ids[m]!]!) m = r;
      if (m === i) break;
      [ids[m], ids[i]] = [ids[i]!, ids[m]!];
      i = m;
    }
    return top;
  }
}

export function byTotalThenName(a: { total: number; name: string; file: string }, b: { total: number; name: string; file: string }): number {
  return b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}
