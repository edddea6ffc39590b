// A flame graph (icicle: the root on top) drawn by d3-flame-graph. Frames are clickable to
// zoom, and a search term highlights every frame whose function name contains it.
import { select } from 'd3-selection';
import flamegraph, { type FlameHierarchyNode } from 'd3-flame-graph/src/flamegraph.js';
import type { FlameNode } from '../api.js';
import { onDispose } from '../lifecycle.js';
import { formatPercent, formatValue, location } from '../format.js';

/** One frame as d3-flame-graph wants it (`name`, `value`, `children`) plus what we show. */
export interface FrameDatum {
  name: string;
  /** Width: the frame's total. */
  value: number;
  file: string;
  line: number;
  children: FrameDatum[];
  /** Text shown on hover. */
  tooltip: string;
  /** Fill, when not the default name-hashed palette (diff graphs). */
  color?: string;
}

export function frameData(node: FlameNode, unit: string, grandTotal: number): FrameDatum {
  const loc = location(node.file, node.line);
  return {
    name: node.name,
    value: node.total,
    file: node.file,
    line: node.line,
    tooltip:
      `${node.name}${loc ? `\n${loc}` : ''}\n` +
      `total ${formatValue(node.total, unit)} (${formatPercent(node.total, grandTotal)})` +
      ` · self ${formatValue(node.self, unit)} (${formatPercent(node.self, grandTotal)})`,
    children: node.children.map((c) => frameData(c, unit, grandTotal)),
  };
}

export interface FlameGraphHandle {
  /** Highlights frames whose name contains `term` (case-insensitive); '' clears. */
  search(term: string): void;
  resetZoom(): void;
}

export interface SearchResult {
  term: string;
  matches: number;
  /** Value under the matching frames (nested matches counted once). */
  value: number;
  total: number;
}

export interface FlameGraphOptions {
  /** Called with the zoomed frame (the root when zoomed out). */
  onZoom?: (d: FrameDatum, isRoot: boolean) => void;
  onHover?: (text: string | null) => void;
  /** Called whenever a highlight is applied (also after a redraw). */
  onSearch?: (r: SearchResult) => void;
}

const HIGHLIGHT = '#d946ef';
const CELL = 20;

function depthOf(root: FrameDatum): number {
  let max = 0;
  const stack: [FrameDatum, number][] = [[root, 0]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    for (const c of n.children) stack.push([c, d + 1]);
  }
  return max;
}

/**
 * Draws `root` into `el` (replacing what was there) once `el` is laid out, and again when its
 * width changes (which resets the zoom; the highlight is kept).
 */
export function drawFlameGraph(el: HTMLElement, makeRoot: () => FrameDatum, opts: FlameGraphOptions = {}): FlameGraphHandle {
  let chart: ReturnType<typeof flamegraph<FrameDatum>> | undefined;
  let term = '';
  let width = 0;

  const applySearch = () => {
    if (!chart) return;
    if (!term) {
      chart.clear();
      opts.onSearch?.({ term, matches: 0, value: 0, total: 0 });
      return;
    }
    // d3-flame-graph reports through the search handler, synchronously.
    chart.search(term);
  };

  const draw = () => {
    width = Math.floor(el.clientWidth);
    el.replaceChildren();
    const data = makeRoot();
    chart = flamegraph<FrameDatum>()
      .width(width)
      // Exactly as tall as the tree (the library adds room for a title we do not draw).
      .height((depthOf(data) + 1) * CELL + 2)
      .cellHeight(CELL)
      .minFrameSize(1)
      .transitionDuration(250)
      .inverted(true)
      .sort(false)
      .selfValue(false)
      .setLabelHandler((d) => d.data.tooltip)
      .setSearchMatch((d, t) => t !== '' && d.data.name.toLowerCase().includes(t.toLowerCase()))
      .setSearchHandler((results, sum, total) => opts.onSearch?.({ term, matches: results.length, value: sum, total }))
      .setColorMapper((d, original) => (d.highlight ? HIGHLIGHT : (d.data.color ?? original ?? '#ccc')))
      .setDetailsHandler((label) => opts.onHover?.(label))
      .onClick((d: FlameHierarchyNode<FrameDatum>) => opts.onZoom?.(d.data, d.parent === null));
    select(el).datum(data).call(chart);
    opts.onZoom?.(data, true);
    if (term) applySearch();
  };

  // Views are built before they are attached: draw when there is a width to draw into.
  const ro = new ResizeObserver(() => {
    const w = Math.floor(el.clientWidth);
    if (w > 0 && Math.abs(w - width) > 4) draw();
  });
  ro.observe(el);
  onDispose(() => ro.disconnect());
  if (el.isConnected && el.clientWidth > 0) draw();

  return {
    search(t: string) {
      term = t.trim();
      applySearch();
    },
    resetZoom() {
      chart?.resetZoom();
    },
  };
}
