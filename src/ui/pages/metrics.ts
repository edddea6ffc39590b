// Metrics: a profile type over time by version (or any label), the top functions over time,
// and the Prometheus metrics to put on a dashboard.
import { api, type TimeseriesResult } from '../api.js';
import { errorBox, loading, noMatch } from '../components/empty-state.js';
import { filterBar } from '../components/filter-bar.js';
import { lineChart, type ChartSeries } from '../components/line-chart.js';
import { h, replace } from '../dom.js';
import { formatBytes, formatCount } from '../format.js';
import { navigate } from '../router.js';
import { EXAMPLE_QUERIES, PROFILING_METRICS, parseMetricFamilies, type MetricInfo } from '../prometheus.js';
import { isAbort, readSelection, type PageContext } from './context.js';

const TOP_N = 6;
const FUNCTION_BUCKETS = 12;

/**
 * Values per bucket as a rate: CPU/wall time becomes cores (seconds per second; millicores
 * when under one core), bytes and counts per second. `max` is the largest raw bucket value.
 */
function rateScale(unit: string, stepMs: number, max: number): { factor: number; label: (type: string) => string; format: (v: number) => string } {
  const perSecond = 1000 / stepMs;
  if (unit === 'nanoseconds') {
    const cores = (max / 1e9) * perSecond;
    const milli = cores < 1;
    const what = (t: string) => (t === 'cpu' ? 'CPU' : t);
    return {
      factor: (perSecond / 1e9) * (milli ? 1000 : 1),
      label: (t) => `${what(t)} ${milli ? 'millicores' : 'cores'} (average)`,
      format: (v) =>
        (v === 0 ? '0' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)).replace(/\.0+$|(\.\d*?)0+$/, '$1'),
    };
  }
  if (unit === 'bytes') return { factor: perSecond, label: (t) => `${t}: bytes per second`, format: (v) => `${formatBytes(v)}/s` };
  return { factor: perSecond, label: (t) => `${t}: per second`, format: (v) => `${formatCount(v)}/s` };
}

const maxOf = (points: [number, number][][]): number => Math.max(0, ...points.flatMap((ps) => ps.map((p) => p[1])));

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function renderMetrics(ctx: PageContext): Promise<void> {
  const sel = readSelection(ctx.params, ctx.types);
  const groupBy = ctx.params.get('group_by') || 'service.version';
  const groupSel = h('select', { 'aria-label': 'Group by', 'data-testid': 'group-by' }, h('option', { value: groupBy }, groupBy));
  void api.labels({ from: sel.from, to: sel.to, type: sel.type }, ctx.signal).then(
    (r) => {
      const names = r.names.includes(groupBy) ? r.names : [groupBy, ...r.names];
      groupSel.replaceChildren(...names.map((n) => h('option', { value: n, selected: n === groupBy }, n)));
    },
    () => undefined,
  );
  const byLabel = h('section', { class: 'card' }, loading());
  const byFunction = h('section', { class: 'card' }, loading());
  const prom = h('section', { class: 'card prometheus', 'data-testid': 'prometheus' }, loading());
  replace(
    ctx.root,
    h('h1', null, 'Metrics'),
    filterBar({
      types: ctx.types,
      initial: sel,
      onApply: (v) => navigate('metrics', { ...v, group_by: groupSel.value }),
      extra: [h('label', { class: 'field' }, h('span', null, 'Group by'), groupSel)],
    }),
    h('div', { class: 'charts' }, byLabel, byFunction),
    prom,
  );
  groupSel.addEventListener('change', () => navigate('metrics', { ...sel, group_by: groupSel.value }));

  await Promise.all([
    renderByLabel(ctx, byLabel, sel, groupBy).then((ts) => renderTopFunctions(ctx, byFunction, sel, ts)),
    renderPrometheus(ctx, prom),
  ]);
}

async function renderByLabel(
  ctx: PageContext,
  el: HTMLElement,
  sel: ReturnType<typeof readSelection>,
  groupBy: string,
): Promise<TimeseriesResult | undefined> {
  const title = (_unit: string) => h('h2', null, `${sel.type === 'cpu' ? 'CPU' : sel.type} by ${groupBy}`);
  try {
    const r = await api.timeseries({ ...sel, group_by: groupBy, limit: 10 }, ctx.signal);
    const scale = rateScale(r.unit, r.step, maxOf(r.series.map((x) => x.points)));
    if (r.series.every((s) => s.total === 0)) {
      replace(el, title(scale.label(r.type)), noMatch('No data in this range.', 'Widen the time range or remove a tag.'));
      return r;
    }
    const series: ChartSeries[] = r.series.map((s) => ({
      name: s.labels[r.groupBy ?? groupBy] ?? Object.values(s.labels)[0] ?? '',
      points: s.points.map(([t, v]) => [t, v * scale.factor]),
    }));
    replace(
      el,
      title(scale.label(r.type)),
      lineChart({ series, yFormat: scale.format, yLabel: scale.label(r.type), testId: 'chart-by-label', partialFrom: r.partialFrom }),
    );
    return r;
  } catch (e) {
    if (!isAbort(e)) replace(el, h('h2', null, `${sel.type} by ${groupBy}`), errorBox(e));
    return undefined;
  }
}

async function renderTopFunctions(
  ctx: PageContext,
  el: HTMLElement,
  sel: ReturnType<typeof readSelection>,
  ts: TimeseriesResult | undefined,
): Promise<void> {
  const heading = h('h2', null, 'Top functions over time', h('span', { class: 'muted small' }, ' — self time'));
  if (!ts) {
    replace(el, heading, noMatch('No data in this range.', ''));
    return;
  }
  try {
    const overall = await api.top({ ...sel, group_by: 'function', sort: 'self', limit: TOP_N }, ctx.signal);
    const names = overall.rows.filter((r) => r.self > 0).map((r) => r.name);
    if (names.length === 0) {
      replace(el, heading, noMatch('No functions in this range.', ''));
      return;
    }
    // One top query per bucket: the API has no per-function series, and a dozen small
    // queries are cheap next to a flame graph.
    const width = Math.max(1000, Math.ceil((ts.to - ts.from) / FUNCTION_BUCKETS));
    const starts: number[] = [];
    for (let t = ts.from; t < ts.to && starts.length < FUNCTION_BUCKETS + 1; t += width) starts.push(t);
    const tops = await mapLimit(starts, 4, (t) =>
      api.top(
        {
          type: sel.type,
          query: sel.query,
          from: String(t),
          to: String(Math.min(ts.to, t + width - 1)),
          group_by: 'function',
          sort: 'self',
          limit: 500,
        },
        ctx.signal,
      ),
    );
    const raw = names.map((name) => starts.map((t, i) => [t, tops[i]!.rows.find((r) => r.name === name)?.self ?? 0] as [number, number]));
    const scale = rateScale(overall.unit, width, maxOf(raw));
    const series: ChartSeries[] = names.map((name, i) => ({ name, points: raw[i]!.map(([t, v]) => [t, v * scale.factor] as [number, number]) }));
    replace(el, heading, lineChart({ series, yFormat: scale.format, yLabel: scale.label(overall.type), testId: 'chart-top-functions' }));
  } catch (e) {
    if (!isAbort(e)) replace(el, heading, errorBox(e));
  }
}

async function renderPrometheus(ctx: PageContext, el: HTMLElement): Promise<void> {
  let families: MetricInfo[] = [];
  let note = '';
  try {
    families = parseMetricFamilies(await api.metricsText(ctx.signal));
  } catch (e) {
    if (isAbort(e)) return;
    note = 'Could not read /metrics; showing the documented names.';
  }
  const known = new Map(families.map((f) => [f.name, f]));
  const profiling = PROFILING_METRICS.map((m) => known.get(m.name) ?? m);
  const others = families.filter((f) => f.name.startsWith('otel_profile_bridge_') && !PROFILING_METRICS.some((m) => m.name === f.name));
  const row = (m: MetricInfo) =>
    h('tr', null, h('td', null, h('code', { class: 'metric-name' }, m.name)), h('td', null, m.type), h('td', { class: 'muted' }, m.help));
  const table = (ms: MetricInfo[]) =>
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, h('th', null, 'Metric'), h('th', null, 'Type'), h('th', null, 'Help'))),
        h('tbody', null, ...ms.map(row)),
      ),
    );
  replace(
    el,
    h('h2', null, 'Prometheus metrics for dashboards'),
    h(
      'p',
      null,
      'Scrape ',
      h('a', { href: '/metrics', target: '_blank' }, h('code', null, `${location.origin}/metrics`)),
      '. Profiling metrics are counted as profiles are stored:',
    ),
    note ? h('p', { class: 'muted' }, note) : null,
    table(profiling),
    h('h3', null, 'Example queries'),
    h('ul', { class: 'promql' }, ...EXAMPLE_QUERIES.map((q) => h('li', null, h('span', null, q.title), h('pre', null, h('code', null, q.promql))))),
    others.length > 0 ? h('details', null, h('summary', null, `All ${others.length} other bridge metrics`), table(others)) : null,
  );
}
