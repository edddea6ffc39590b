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
  search(term: string): { matches: number; value: number; total: number };
  resetZoom(): void;
}

export interface FlameGraphOptions {
  /** Called with the zoomed frame (the root when zoomed out). */
  onZoom?: (d: FrameDatum, isRoot: boolean) => void;
  onHover?: (text: string | null) => void;
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

/** Draws `root` into `el` (replacing what was there) and redraws when `el` is resized. */
export function drawFlameGraph(el: HTMLElement, makeRoot: () => FrameDatum, opts: FlameGraphOptions = {}): FlameGraphHandle {
  let chart: ReturnType<typeof flamegraph<FrameDatum>> | undefined;
  let term = '';
  let lastSearch = { matches: 0, value: 0, total: 0 };
  let width = 0;

  const draw = () => {
    width = Math.max(320, Math.floor(el.clientWidth));
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
      .setSearchHandler((results, sum, total) => {
        lastSearch = { matches: results.length, value: sum, total };
      })
      .setColorMapper((d, original) => (d.highlight ? HIGHLIGHT : (d.data.color ?? original ?? '#ccc')))
      .setDetailsHandler((label) => opts.onHover?.(label))
      .onClick((d: FlameHierarchyNode<FrameDatum>) => opts.onZoom?.(d.data, d.parent === null));
    select(el).datum(data).call(chart);
    if (term) chart.search(term);
  };
  draw();

  // Redraw on width changes only (height follows the tree); a redraw resets the zoom.
  const ro = new ResizeObserver(() => {
    if (Math.abs(Math.floor(el.clientWidth) - width) > 4) draw();
  });
  ro.observe(el);
  onDispose(() => ro.disconnect());

  return {
    search(t: string) {
      term = t.trim();
      lastSearch = { matches: 0, value: 0, total: 0 };
      if (!chart) return lastSearch;
      if (term) chart.search(term);
      else chart.clear();
      return lastSearch;
    },
    resetZoom() {
      chart?.resetZoom();
    },
  };
}
