// The ES module source of d3-flame-graph (bundled from source so it shares our d3 modules
// instead of carrying its own copy). Only what the UI uses is declared.
declare module 'd3-flame-graph/src/flamegraph.js' {
  /** A d3-hierarchy node over our frame data, as d3-flame-graph hands it to callbacks. */
  export interface FlameHierarchyNode<T> {
    data: T;
    value: number;
    depth: number;
    x0: number;
    x1: number;
    highlight?: boolean;
    parent: FlameHierarchyNode<T> | null;
    children?: FlameHierarchyNode<T>[];
    originalValue?: number;
  }

  export interface FlameGraphChart<T> {
    (selection: unknown): void;
    width(w: number): FlameGraphChart<T>;
    height(h: number): FlameGraphChart<T>;
    cellHeight(h: number): FlameGraphChart<T>;
    minHeight(h: number): FlameGraphChart<T>;
    minFrameSize(px: number): FlameGraphChart<T>;
    transitionDuration(ms: number): FlameGraphChart<T>;
    inverted(v: boolean): FlameGraphChart<T>;
    sort(v: boolean): FlameGraphChart<T>;
    selfValue(v: boolean): FlameGraphChart<T>;
    title(t: string): FlameGraphChart<T>;
    setLabelHandler(f: (d: FlameHierarchyNode<T>) => string): FlameGraphChart<T>;
    setColorMapper(f: (d: FlameHierarchyNode<T>, original?: string) => string): FlameGraphChart<T>;
    setSearchMatch(f: (d: FlameHierarchyNode<T>, term: string) => boolean): FlameGraphChart<T>;
    setSearchHandler(f: (results: FlameHierarchyNode<T>[], sum: number, total: number) => void): FlameGraphChart<T>;
    setDetailsElement(el: HTMLElement | null): FlameGraphChart<T>;
    setDetailsHandler(f: (label: string | null) => void): FlameGraphChart<T>;
    onClick(f: (d: FlameHierarchyNode<T>) => void): FlameGraphChart<T>;
    search(term: string): void;
    clear(): void;
    resetZoom(): void;
    destroy(): void;
  }

  export default function flamegraph<T = unknown>(): FlameGraphChart<T>;
}
