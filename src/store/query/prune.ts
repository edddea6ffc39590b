// Bounding a tree's size: keep the `maxNodes` heaviest nodes that stay connected to the
// root (a child never outweighs its parent, so the heaviest nodes form a connected top).
// Expanding from the root with a max-heap gives exactly that in O(n log n).

export interface TreeNode<T> {
  children: T[];
}

/**
 * A copy of the tree holding at most `maxNodes` nodes (the root included), heaviest first;
 * `weight` is how heavy a node is (e.g. its total). Returns the input when it is small enough.
 */
export function pruneTree<T extends TreeNode<T>>(root: T, maxNodes: number, weight: (n: T) => number): { root: T; truncated: boolean; nodes: number } {
  const count = countNodes(root, maxNodes + 1);
  if (count <= maxNodes) return { root, truncated: false, nodes: count };
  const copyOf = new Map<T, T>();
  const rootCopy = { ...root, children: [] as T[] };
  copyOf.set(root, rootCopy);
  const heap = new MaxHeap<{ node: T; parent: T }>((e) => weight(e.node));
  for (const c of root.children) heap.push({ node: c, parent: root });
  let kept = 1;
  while (kept < maxNodes && heap.size > 0) {
    const { node, parent } = heap.pop()!;
    const copy = { ...node, children: [] as T[] };
    copyOf.set(node, copy);
    copyOf.get(parent)!.children.push(copy);
    kept++;
    for (const c of node.children) heap.push({ node: c, parent: node });
  }
  // Children were pushed in pop order (heaviest first), which is also the display order.
  return { root: rootCopy, truncated: true, nodes: kept };
}

/** Nodes in the tree, counting no further than `stopAt`. */
export function countNodes<T extends TreeNode<T>>(root: T, stopAt = Infinity): number {
  let n = 0;
  const stack: T[] = [root];
  while (stack.length > 0 && n < stopAt) {
    const x = stack.pop()!;
    n++;
    for (const c of x.children) stack.push(c);
  }
  return n;
}

class MaxHeap<T> {
  private readonly items: T[] = [];
  private readonly keys: number[] = [];
  constructor(private readonly key: (x: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(x: T): void {
    const { items, keys } = this;
    let i = items.length;
    items.push(x);
    keys.push(this.key(x));
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! >= keys[i]!) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): T | undefined {
    const { items, keys } = this;
    if (items.length === 0) return undefined;
    const top = items[0];
    const lastItem = items.pop()!;
    const lastKey = keys.pop()!;
    if (items.length > 0) {
      items[0] = lastItem;
      keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && keys[l]! > keys[m]!) m = l;
        if (r < items.length && keys[r]! > keys[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
  private swap(a: number, b: number): void {
    const { items, keys } = this;
    [items[a], items[b]] = [items[b]!, items[a]!];
    [keys[a], keys[b]] = [keys[b]!, keys[a]!];
  }
}
