// Compare: selection A (baseline) vs B — versions, tag sets or time ranges — as a diff flame
// graph and a table of the biggest changes.
import { api, pprofUrl, type CompareRow, type ProfileType } from '../api.js';
import { errorBox, loading, noMatch } from '../components/empty-state.js';
import { effectiveType } from '../components/filter-bar.js';
import { flameView, lineKey, startLines } from '../components/flame-view.js';
import { sortableTable, type Column } from '../components/table.js';
import { tagInput, type TagInput } from '../components/tag-input.js';
import { timeRange, type TimeRangeControl } from '../components/time-range.js';
import { diffColor, diffFrames, GREW, SAME, SHRANK, relativeChange } from '../diff.js';
import { h, replace } from '../dom.js';
import { formatPercent, formatPoints, formatSigned, formatValue, location, aggregationText } from '../format.js';
import { navigate } from '../router.js';
import { ALIASES, quoteIfNeeded } from '../tag-query.js';
import { isAbort, type PageContext } from './context.js';

interface Side {
  query: TagInput;
  range: TimeRangeControl;
}

function side(ctx: PageContext, name: 'a' | 'b', type: () => string, submit: () => void): Side & { el: HTMLElement } {
  const p = ctx.params;
  const range = timeRange(
    { from: p.get(`${name}.from`) || p.get('from') || undefined, to: p.get(`${name}.to`) || p.get('to') || undefined },
    () => undefined,
    `${name}-`,
  );
  const query = tagInput(p.get(`${name}.query`) ?? p.get('query') ?? '', () => ({ ...range.value(), type: type() }), submit, `${name}-query`);
  const title = name === 'a' ? 'A — baseline' : 'B — comparison';
  return {
    query,
    range,
    el: h(
      'div',
      { class: `card side side-${name}` },
      h('h3', null, title),
      h('label', { class: 'field' }, h('span', null, 'Tags'), query.el),
      h('label', { class: 'field' }, h('span', null, 'Time range'), range.el),
    ),
  };
}

export async function renderCompare(ctx: PageContext): Promise<void> {
  const p = ctx.params;
  const type = effectiveType(p.get('type'), ctx.types);
  const typeSel = h(
    'select',
    { 'aria-label': 'Profile type', 'data-testid': 'type' },
    ...ctx.types.map((t) => h('option', { value: t.type, selected: t.type === type }, t.type)),
  );
  const submit = () => {
    const va = a.range.value();
    const vb = b.range.value();
    navigate('compare', {
      type: typeSel.value,
      'a.query': a.query.value(),
      'b.query': b.query.value(),
      'a.from': va.from,
      'a.to': va.to,
      'b.from': vb.from,
      'b.to': vb.to,
    });
  };
  const a = side(ctx, 'a', () => typeSel.value, submit);
  const b = side(ctx, 'b', () => typeSel.value, submit);
  const quick = versionPicker(ctx, type, ctx.types, a, b);
  const form = h(
    'form',
    {
      class: 'compare-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        submit();
      },
    },
    quick,
    h('div', { class: 'sides' }, a.el, b.el),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'field' }, h('span', null, 'Type'), typeSel),
      h('span', { class: 'spacer' }),
      h('button', { type: 'submit', 'data-testid': 'compare' }, 'Compare'),
    ),
  );
  const result = h('div', { class: 'result' });
  replace(ctx.root, h('h1', null, 'Compare'), form, result);

  const chosen = ['a.query', 'b.query', 'a.from', 'b.from', 'a.to', 'b.to'].some((k) => p.has(k));
  if (!chosen) {
    replace(result, h('p', { class: 'muted' }, 'Choose A and B — two versions, two tag sets or two time ranges — and press Compare.'));
    return;
  }
  replace(result, loading());
  const params = {
    type,
    'a.query': p.get('a.query') ?? '',
    'b.query': p.get('b.query') ?? '',
    'a.from': p.get('a.from') ?? '',
    'a.to': p.get('a.to') ?? '',
    'b.from': p.get('b.from') ?? '',
    'b.to': p.get('b.to') ?? '',
    limit: 100,
  };
  try {
    const r = await api.compare(params, ctx.signal);
    if (r.a.profiles === 0 && r.b.profiles === 0) {
      replace(result, noMatch('Neither selection matches any profile.', 'Check the tags and time ranges of A and B.'));
      return;
    }
    const lines = startLines(r.diff);
    const loc = (x: CompareRow) => location(x.file, x.line || lines.get(lineKey(x.name, x.file)) || 0);
    const columns: Column<CompareRow>[] = [
      { key: 'name', label: 'Function', value: (x) => x.name, render: (x) => h('span', { class: 'fn' }, x.name) },
      { key: 'location', label: 'Location', value: loc, render: (x) => h('span', { class: 'loc' }, loc(x)) },
      {
        key: 'selfA',
        label: 'Self A',
        numeric: true,
        value: (x) => x.selfA,
        render: (x) => `${formatValue(x.selfA, r.unit)} (${formatPercent(x.selfA, r.a.total)})`,
      },
      {
        key: 'selfB',
        label: 'Self B',
        numeric: true,
        value: (x) => x.selfB,
        render: (x) => `${formatValue(x.selfB, r.unit)} (${formatPercent(x.selfB, r.b.total)})`,
      },
      { key: 'selfDelta', label: 'Δ self', numeric: true, value: (x) => x.selfDelta, render: (x) => formatSigned(x.selfDelta, r.unit) },
      {
        key: 'change',
        label: 'Δ share',
        numeric: true,
        title: 'Change of the share of the whole (B% − A%), in percentage points',
        value: (x) => Math.abs(x.selfNormalizedDelta),
        render: (x) =>
          h(
            'span',
            { class: 'delta', style: `color:${deltaText(relativeChange(x.selfA, x.selfB, r.a.total, r.b.total))}` },
            formatPoints(x.selfNormalizedDelta),
          ),
      },
      { key: 'totalA', label: 'Total A', numeric: true, value: (x) => x.totalA, render: (x) => formatValue(x.totalA, r.unit) },
      { key: 'totalB', label: 'Total B', numeric: true, value: (x) => x.totalB, render: (x) => formatValue(x.totalB, r.unit) },
    ];
    const legend = h(
      'div',
      { class: 'diff-legend' },
      h('span', null, h('span', { class: 'swatch', style: `background:${GREW}` }), 'larger share in B'),
      h('span', null, h('span', { class: 'swatch', style: `background:${SHRANK}` }), 'smaller share in B'),
      h('span', null, h('span', { class: 'swatch', style: `background:${SAME}` }), 'about the same'),
      h('span', { class: 'muted' }, 'Width: the average of a frame’s shares of A and B.'),
    );
    const graph = flameView({
      flame: { name: 'total', file: '', line: 0, self: 0, total: 0, children: [] },
      frames: () => diffFrames(r.diff, r.unit, r.a.total, r.b.total),
      unit: 'count',
      total: 1e6,
      truncated: r.truncated,
      pprofHref: '',
      downloads: [
        { label: 'pprof A', href: pprofUrl({ type, query: params['a.query'], from: params['a.from'], to: params['a.to'] }) },
        { label: 'pprof B', href: pprofUrl({ type, query: params['b.query'], from: params['b.from'], to: params['b.to'] }) },
      ],
      legend,
    });
    replace(
      result,
      h(
        'div',
        { class: 'summary', 'data-testid': 'summary' },
        h('span', { class: 'stat' }, 'A: ', h('b', { 'data-testid': 'a-total' }, formatValue(r.a.total, r.unit)), `, ${aggregationText(r.a)}`),
        h('span', { class: 'stat' }, 'B: ', h('b', { 'data-testid': 'b-total' }, formatValue(r.b.total, r.unit)), `, ${aggregationText(r.b)}`),
        h('span', { class: 'stat' }, 'B − A: ', h('b', null, formatSigned(r.b.total - r.a.total, r.unit))),
      ),
      h('h2', null, 'Diff flame graph'),
      graph,
      h('h2', null, 'Biggest changes'),
      sortableTable(columns, r.rows, {
        sort: { key: 'change', desc: true },
        testId: 'compare-table',
        empty: 'No functions.',
        rowTitle: () => 'Click to highlight in the diff flame graph',
        onRowClick: (x) => graph.highlight(x.name),
      }),
    );
  } catch (e) {
    if (!isAbort(e)) replace(result, errorBox(e));
  }
}

function deltaText(change: number): string {
  return Math.abs(change) < 0.05 ? 'inherit' : diffColor(change > 0 ? 1 : -1);
}

/** "Compare versions": pick a label and two of its values; fills A's and B's tags. */
function versionPicker(ctx: PageContext, type: string, types: ProfileType[], a: Side, b: Side): HTMLElement {
  const labelSel = h('select', { 'aria-label': 'Label', 'data-testid': 'quick-label' });
  const aSel = h('select', { 'aria-label': 'A value', 'data-testid': 'quick-a' });
  const bSel = h('select', { 'aria-label': 'B value', 'data-testid': 'quick-b' });
  const range = () => ({
    from: ctx.params.get('b.from') || ctx.params.get('from') || 'now-24h',
    to: ctx.params.get('b.to') || ctx.params.get('to') || 'now',
    type: types.length ? type : undefined,
  });
  const fill = () => {
    const key = labelSel.value;
    const short = Object.entries(ALIASES).find(([, full]) => full === key)?.[0] ?? key;
    if (aSel.value) a.query.input.value = `${quoteIfNeeded(short)}:${quoteIfNeeded(aSel.value)}`;
    if (bSel.value) b.query.input.value = `${quoteIfNeeded(short)}:${quoteIfNeeded(bSel.value)}`;
  };
  const loadValues = async () => {
    const r = await api
      .labelValues(labelSel.value, { ...range(), limit: 200 }, ctx.signal)
      .catch(() => ({ values: [] as { value: string; profiles: number }[] }));
    const values = r.values.map((v) => v.value).sort((x, y) => x.localeCompare(y, undefined, { numeric: true }));
    const opts = (sel: HTMLSelectElement) => sel.replaceChildren(h('option', { value: '' }, '—'), ...values.map((v) => h('option', { value: v }, v)));
    opts(aSel);
    opts(bSel);
    // Default to the two newest values (versions sort numerically).
    if (values.length >= 2) {
      aSel.value = values[values.length - 2]!;
      bSel.value = values[values.length - 1]!;
    }
  };
  labelSel.addEventListener('change', () => void loadValues());
  aSel.addEventListener('change', fill);
  bSel.addEventListener('change', fill);
  void api.labels(range(), ctx.signal).then(
    async (r) => {
      labelSel.replaceChildren(...r.names.map((n) => h('option', { value: n }, n)));
      labelSel.value = r.names.includes('service.version') ? 'service.version' : (r.names[0] ?? '');
      if (labelSel.value) await loadValues();
    },
    () => undefined,
  );
  return h(
    'div',
    { class: 'card quick' },
    h('strong', null, 'Compare two values of '),
    labelSel,
    h('span', null, 'A'),
    aSel,
    h('span', null, 'B'),
    bSel,
    h('button', { type: 'button', class: 'secondary', 'data-testid': 'quick-use', onclick: fill }, 'Use'),
  );
}
