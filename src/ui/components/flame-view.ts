// A flame graph with its toolbar (highlight a function, reset zoom, download pprof) and,
// optionally, the top functions table under it.
import type { FlameNode, TopRow } from '../api.js';
import { h, replace } from '../dom.js';
import { formatPercent, formatValue, location } from '../format.js';
import { drawFlameGraph, frameData, type FrameDatum } from './flame-graph.js';
import { sortableTable, type Column, type SortState } from './table.js';

export type GroupBy = 'function' | 'line' | 'module' | 'class';

export interface TopSource {
  rows: TopRow[];
  groupBy: GroupBy;
  sort: SortState;
  /**
   * Another grouping, or another API order (self/total): the page fetches the header, flame
   * graph and table again from one answer and draws them anew, so the table's percentages
   * never mix the base of one query with the rows of another.
   */
  regroup: (groupBy: GroupBy, sort: SortState) => Promise<void>;
}

export interface FlameViewOptions {
  flame: FlameNode;
  unit: string;
  total: number;
  truncated?: boolean;
  pprofHref: string;
  /** Several downloads instead of the one pprof link (e.g. A and B of a comparison). */
  downloads?: { label: string; href: string }[];
  /** Frames of a diff graph come prepared (colours, tooltips). */
  frames?: () => FrameDatum;
  top?: TopSource;
  search?: string;
  legend?: Node;
}

const GROUPS: { value: GroupBy; label: string }[] = [
  { value: 'function', label: 'function' },
  { value: 'line', label: 'file:line' },
  { value: 'module', label: 'file' },
  { value: 'class', label: 'class' },
];

interface TreeNode {
  name: string;
  file: string;
  line: number;
  children: readonly TreeNode[];
}

/** Start lines of functions, from a flame or diff tree (top tables grouped by function have none). */
export function startLines(root: TreeNode): Map<string, number> {
  const out = new Map<string, number>();
  const stack: TreeNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    const k = lineKey(n.name, n.file);
    if (n.line > 0 && !out.has(k)) out.set(k, n.line);
    for (const c of n.children) stack.push(c);
  }
  return out;
}

export function lineKey(name: string, file: string): string {
  return `${name}\u0000${file}`;
}

export type FlameViewElement = HTMLElement & {
  /** Puts `name` into the highlight box (as a click on a table row does). */
  highlight(name: string): void;
};

export function flameView(opts: FlameViewOptions): FlameViewElement {
  const graphEl = h('div', { class: 'flame-graph', 'data-testid': 'flame-graph' });
  const hover = h('span', { class: 'flame-hover', 'data-testid': 'flame-hover' });
  const matchInfo = h('span', { class: 'muted', 'data-testid': 'search-info' });
  const zoomInfo = h('span', { class: 'zoom-info', 'data-testid': 'zoom-info' });
  const searchInput = h('input', {
    type: 'search',
    class: 'flame-search',
    placeholder: 'Highlight function…',
    'aria-label': 'Highlight a function by name',
    'data-testid': 'flame-search',
    value: opts.search ?? '',
  });
  const resetBtn = h('button', { type: 'button', class: 'secondary', 'data-testid': 'reset-zoom', disabled: true }, 'Reset zoom');
  // The base every percentage of this view is relative to, and the grouping of its table.
  const container = h('section', {
    class: 'flame-view',
    'data-total': String(opts.total),
    'data-group-by': opts.top?.groupBy ?? '',
  }) as FlameViewElement;

  const header = h(
    'div',
    { class: 'flame-toolbar' },
    searchInput,
    matchInfo,
    hover,
    zoomInfo,
    resetBtn,
    ...(opts.downloads ?? [{ label: 'Download pprof', href: opts.pprofHref }]).map((d, i) =>
      h(
        'a',
        {
          class: 'button secondary',
          href: d.href,
          download: '',
          'data-testid': i === 0 ? 'pprof-link' : `pprof-link-${i}`,
          title: 'Download as gzip’d pprof (go tool pprof reads it)',
        },
        d.label,
      ),
    ),
  );
  container.append(header);
  if (opts.legend) container.append(opts.legend);
  if (opts.truncated) container.append(h('div', { class: 'note' }, 'The tree was cut to its heaviest frames; the lightest subtrees are left out.'));
  container.append(graphEl);

  const handle = drawFlameGraph(graphEl, opts.frames ?? (() => frameData(opts.flame, opts.unit, opts.total)), {
    onSearch: (r) => {
      matchInfo.textContent = r.term
        ? r.matches === 0
          ? 'no match'
          : `${r.matches} frame${r.matches === 1 ? '' : 's'}, ${opts.frames ? `${formatPercent(r.value, r.total)} of the width` : `${formatValue(r.value, opts.unit)} (${formatPercent(r.value, r.total)})`}`
        : '';
    },
    onHover: (text) => {
      hover.textContent = text ? text.replace(/\n/g, ' — ') : '';
      hover.title = hover.textContent;
    },
    onZoom: (d, isRoot) => {
      resetBtn.disabled = isRoot;
      zoomInfo.textContent = isRoot ? '' : `Zoomed: ${d.name}`;
    },
  });
  resetBtn.addEventListener('click', () => {
    handle.resetZoom();
  });

  const applySearch = () => handle.search(searchInput.value);
  searchInput.addEventListener('input', applySearch);
  if (opts.search) applySearch();

  container.highlight = (name: string) => {
    searchInput.value = name;
    applySearch();
    graphEl.scrollIntoView({ block: 'nearest' });
  };
  if (opts.top) container.append(topSection(opts, opts.top, container.highlight));
  return container;
}

function topSection(opts: FlameViewOptions, src: TopSource, highlight: (name: string) => void): HTMLElement {
  const lines = startLines(opts.flame);
  const groupBy = src.groupBy;
  let sort = src.sort;
  const rows = src.rows;
  const holder = h('div');
  const status = h('span', { class: 'muted' });

  const columns: Column<TopRow>[] = [
    {
      key: 'name',
      label: groupBy === 'module' ? 'File' : groupBy === 'class' ? 'Class' : 'Function',
      value: (r) => r.name,
      render: (r) => h('span', { class: 'fn' }, r.name),
    },
    {
      key: 'location',
      label: 'Location',
      value: (r) => location(r.file, r.line || lines.get(lineKey(r.name, r.file)) || 0),
      // Frames without a file (native code, GC, idle) are rows of their own in every grouping.
      render: (r) =>
        r.file === '' && groupBy !== 'class'
          ? h('span', { class: 'loc muted' }, '(no file)')
          : h('span', { class: 'loc' }, location(r.file, r.line || (groupBy === 'function' ? (lines.get(lineKey(r.name, r.file)) ?? 0) : 0))),
    },
    { key: 'self', label: 'Self', numeric: true, value: (r) => r.self, render: (r) => formatValue(r.self, opts.unit) },
    { key: 'selfPct', label: 'Self %', numeric: true, value: (r) => r.self, render: (r) => bar(r.self, opts.total) },
    { key: 'total', label: 'Total', numeric: true, value: (r) => r.total, render: (r) => formatValue(r.total, opts.unit) },
    { key: 'totalPct', label: 'Total %', numeric: true, value: (r) => r.total, render: (r) => bar(r.total, opts.total) },
  ];

  const draw = () => {
    columns[0]!.label = groupBy === 'module' ? 'File' : groupBy === 'class' ? 'Class' : 'Function';
    replace(
      holder,
      sortableTable(columns, rows, {
        sort,
        testId: 'top-table',
        empty: 'No functions in this selection.',
        rowTitle: () => 'Click to highlight in the flame graph',
        onRowClick: (r) => highlight(r.name),
        onSort: async (s) => {
          const apiSort = s.key === 'total' || s.key === 'totalPct' ? 'total' : s.key === 'self' || s.key === 'selfPct' ? 'self' : undefined;
          const prev = sort.key === 'total' || sort.key === 'totalPct' ? 'total' : 'self';
          sort = s;
          if (apiSort && apiSort !== prev) await regroup(groupBy);
          else draw();
        },
      }),
    );
  };
  const regroup = async (g: GroupBy) => {
    status.textContent = 'loading…';
    try {
      await src.regroup(g, sort);
      status.textContent = '';
    } catch (e) {
      status.textContent = `could not load: ${(e as Error).message}`;
    }
  };
  const select = h(
    'select',
    {
      'aria-label': 'Group by',
      'data-testid': 'group-by',
      onchange: async (ev: Event) => {
        await regroup((ev.target as HTMLSelectElement).value as GroupBy);
      },
    },
    ...GROUPS.map((g) => h('option', { value: g.value, selected: g.value === groupBy }, g.label)),
  );
  draw();
  return h(
    'section',
    { class: 'top-functions' },
    h('div', { class: 'section-head' }, h('h3', null, 'Top functions'), h('label', { class: 'inline' }, 'Group by ', select), status),
    holder,
  );
}

function bar(v: number, total: number): HTMLElement {
  const pct = total === 0 ? 0 : Math.max(0, Math.min(100, (100 * v) / total));
  return h(
    'span',
    { class: 'pct' },
    h('span', { class: 'pct-track' }, h('span', { class: 'pct-bar', style: `width:${pct.toFixed(1)}%` })),
    h('span', { class: 'pct-text' }, formatPercent(v, total)),
  );
}
