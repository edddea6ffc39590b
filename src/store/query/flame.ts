// Merged call trees (flame graphs) from aggregated stacks. Pure.
//
// Nodes merge by function (name + file), not by line: a flame graph that split a function
// by the line it was at would show one box per line. `line` on a node is the function's
// start line when known, else the first line seen.
import { pruneTree } from './prune.js';
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

interface Building {
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
  kids: Map<number, Building> | undefined;
}

/** Interns frames into function keys (name + file), so trees merge by function. */
export class FunctionKeys {
  private readonly byText = new Map<string, number>();
  private readonly byFrame = new Map<number, number>();
  readonly info: { name: string; file: string; line: number }[] = [];

  constructor(private readonly frames: FrameTable) {}

  of(frameId: number): number {
    let k = this.byFrame.get(frameId);
    if (k !== undefined) return k;
    const f = this.frames.get(frameId) ?? UNKNOWN_FRAME;
    const text = `${f.name}\u0000${f.file}`;
    k = this.byText.get(text);
    if (k === undefined) {
      k = this.info.length;
      this.info.push({ name: f.name, file: f.file, line: f.startLine || f.line });
      this.byText.set(text, k);
    }
    this.byFrame.set(frameId, k);
    return k;
  }
}

function newNode(name: string, file: string, line: number): Building {
  return { name, file, line, self: 0, total: 0, kids: undefined };
}

/** The merged tree of `stacks`, the root named `total`; children sorted by total, descending. */
export function buildFlameTree(stacks: Iterable<StackValue>, frames: FrameTable, options: { maxNodes?: number } = {}): FlameTree {
  const keys = new FunctionKeys(frames);
  const root = newNode(FLAME_ROOT_NAME, '', 0);
  for (const s of stacks) {
    if (s.value === 0) continue;
    let node = root;
    node.total += s.value;
    const fr = s.frames;
    for (let i = fr.length - 1; i >= 0; i--) {
      const k = keys.of(fr[i]!);
      node.kids ??= new Map();
      let child = node.kids.get(k);
      if (child === undefined) {
        const info = keys.info[k]!;
        child = newNode(info.name, info.file, info.line);
        node.kids.set(k, child);
      }
      child.total += s.value;
      node = child;
    }
    node.self += s.value;
  }
  const full = finish(root);
  return pruneTree(full, Math.max(1, options.maxNodes ?? DEFAULT_MAX_NODES), (n) => n.total);
}

/** Building nodes -> plain FlameNodes, children by total descending (then name, for stable output). */
function finish(b: Building): FlameNode {
  const children: FlameNode[] = b.kids ? [...b.kids.values()].map(finish) : [];
  children.sort(byTotalThenName);
  return { name: b.name, file: b.file, line: b.line, self: b.self, total: b.total, children };
}

export function byTotalThenName(a: { total: number; name: string; file: string }, b: { total: number; name: string; file: string }): number {
  return b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

/** Sum of every stack's value. */
export function totalOf(stacks: Iterable<StackValue>): number {
  let t = 0;
  for (const s of stacks) t += s.value;
  return t;
}
