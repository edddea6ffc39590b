// Code hotspots: from a trace id, a span id or an endpoint to the code that ran in it.
import { api, pprofUrl, type HotspotsResult, type Params, type SpanInfo } from '../api.js';
import { errorBox, loading, noMatch } from '../components/empty-state.js';
import { effectiveType } from '../components/filter-bar.js';
import { flameView, type GroupBy } from '../components/flame-view.js';
import { sortableTable, type Column, type SortState } from '../components/table.js';
import { timeRange } from '../components/time-range.js';
import { h, replace } from '../dom.js';
import { aggregationText, formatMs, formatTime, formatValue } from '../format.js';
import { navigate } from '../router.js';
import { isAbort, type PageContext } from './context.js';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** What the id box holds: a 32-hex trace id, a 16-hex span id, or neither. */
export function classifyId(text: string): 'trace' | 'span' | undefined {
  const t = text.trim().toLowerCase();
  return HEX32.test(t) ? 'trace' : HEX16.test(t) ? 'span' : undefined;
}

interface Target {
  trace_id?: string;
  span_id?: string;
  endpoint?: string;
  include_children?: string;
}

function targetOf(params: URLSearchParams): Target | undefined {
  const t: Target = {};
  for (const k of ['trace_id', 'span_id', 'endpoint', 'include_children'] as const) {
    const v = params.get(k);
    if (v) t[k] = v;
  }
  return t.trace_id || t.span_id || t.endpoint ? t : undefined;
}

export async function renderHotspots(ctx: PageContext): Promise<void> {
  const p = ctx.params;
  const type = effectiveType(p.get('type'), ctx.types);
  const target = targetOf(p);
  const spansFrom = p.get('from') || 'now-1h';
  const spansTo = p.get('to') || 'now';
  const profiledOnly = p.get('profiled') !== 'false';
  const base = { type, from: p.get('from'), to: p.get('to'), profiled: p.get('profiled') };
  const go = (t: Target) => navigate('hotspots', { ...base, ...t });

  // The picker: paste an id, or choose an endpoint.
  const idInput = h('input', {
    type: 'text',
    class: 'id-input',
    placeholder: 'trace id (32 hex) or span id (16 hex)',
    'aria-label': 'Trace or span id',
    'data-testid': 'span-input',
    value: target?.span_id ?? target?.trace_id ?? '',
  });
  const children = h('input', { type: 'checkbox', 'data-testid': 'include-children', checked: target?.include_children === 'true' });
  const idHint = h('span', { class: 'muted', 'data-testid': 'id-hint' });
  const typeSel = h(
    'select',
    { 'aria-label': 'Profile type', 'data-testid': 'type' },
    ...ctx.types.map((t) => h('option', { value: t.type, selected: t.type === type }, t.type)),
  );
  typeSel.addEventListener('change', () => navigate('hotspots', { ...base, ...target, type: typeSel.value }));
  const submitId = () => {
    const id = idInput.value.trim().toLowerCase();
    const kind = classifyId(id);
    if (!kind) {
      idHint.textContent = 'A trace id is 32 hex characters, a span id 16.';
      idHint.classList.add('warn');
      return;
    }
    navigate('hotspots', {
      ...base,
      type: typeSel.value,
      ...(kind === 'trace' ? { trace_id: id } : { span_id: id, include_children: children.checked ? 'true' : undefined }),
    });
  };
  idInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') submitId();
  });
  const endpointSel = h('select', { 'aria-label': 'Endpoint', 'data-testid': 'endpoint-select' }, h('option', { value: '' }, 'Choose an endpoint…'));
  endpointSel.addEventListener('change', () => {
    if (endpointSel.value) navigate('hotspots', { ...base, type: typeSel.value, endpoint: endpointSel.value });
  });

  const picker = h(
    'section',
    { class: 'card picker' },
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'field grow' }, h('span', null, 'Trace or span id'), idInput),
      h('label', { class: 'field' }, h('span', null, 'Type'), typeSel),
      h('label', { class: 'check' }, children, ' include child spans'),
      h('button', { type: 'button', 'data-testid': 'show-hotspots', onclick: submitId }, 'Show code'),
    ),
    idHint,
    h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', null, 'or an endpoint'), endpointSel)),
  );

  const result = h('div', { class: 'result' });
  const slow = h('section', { class: 'slow-spans' }, loading('Loading recent spans…'));
  replace(ctx.root, h('h1', null, 'Code hotspots'), picker, result, slow);

  const spansPromise = api.slowSpans({ from: spansFrom, to: spansTo, profiled: profiledOnly, limit: 100 }, ctx.signal);
  const tasks: Promise<void>[] = [renderSlowSpans(ctx, slow, spansPromise, { from: spansFrom, to: spansTo, profiled: profiledOnly }, type, go)];
  tasks.push(
    spansPromise.then(
      (r) => {
        const endpoints = [...new Set(r.spans.map((s) => s.endpoint).filter(Boolean))].sort();
        if (target?.endpoint && !endpoints.includes(target.endpoint)) endpoints.unshift(target.endpoint);
        endpointSel.append(...endpoints.map((e) => h('option', { value: e, selected: e === target?.endpoint }, e)));
      },
      () => undefined,
    ),
  );
  if (target) tasks.push(renderTarget(ctx, result, target, type, go, spansPromise));
  await Promise.all(tasks);
}

async function renderTarget(
  ctx: PageContext,
  el: HTMLElement,
  target: Target,
  type: string,
  go: (t: Target) => void,
  recent: Promise<{ spans: SpanInfo[] }>,
): Promise<void> {
  replace(el, loading());
  const params: Params = { ...target, type };
  if (target.endpoint) {
    params.from = ctx.params.get('from') || 'now-1h';
    params.to = ctx.params.get('to') || 'now';
  }
  try {
    const [first, trace, spans] = await Promise.all([
      api.hotspots({ ...params, limit: 200 }, ctx.signal),
      target.trace_id ? api.trace(target.trace_id, ctx.signal).catch(() => undefined) : Promise.resolve(undefined),
      recent.then(
        (x) => x.spans,
        () => [] as SpanInfo[],
      ),
    ]);
    const span = target.span_id
      ? (spans.find((s) => s.spanId === target.span_id) ?? trace?.spans.find((s) => s.spanId === target.span_id))
      : undefined;
    const parts: Node[] = [
      h(
        'h2',
        { 'data-testid': 'target-heading' },
        headingOf(target),
        span
          ? h(
              'span',
              { class: 'muted small' },
              ` — ${span.name} · ${formatMs(span.durationMs)} · ${span.service} · trace `,
              h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), go({ trace_id: span.traceId })) }, span.traceId),
            )
          : null,
      ),
    ];
    if (trace && trace.spans.length > 0) parts.push(traceSpans(trace.spans, first.unit, type, go));
    if (first.total === 0) {
      parts.push(
        noMatch(
          `No ${type} samples were attributed to this ${first.target.kind}.`,
          'The span may have ended before a profile covered it, the profile may not have arrived yet, or it belongs to another profile type.',
        ),
      );
      replace(el, ...parts);
      return;
    }
    // Header, graph and table come from one answer; a new grouping redraws all three.
    const view = h('div', { class: 'hotspot-view' });
    // Later answers use the range as the first one resolved it ("now-1h" moves on).
    if (target.endpoint) {
      params.from = String(first.from);
      params.to = String(first.to);
    }
    const draw = (r: HotspotsResult, groupBy: GroupBy, sort: SortState): void =>
      replace(
        view,
        h(
          'div',
          { class: 'summary', 'data-testid': 'summary' },
          h('span', { class: 'stat' }, 'total ', h('b', { 'data-testid': 'total' }, formatValue(r.total, r.unit)), ` ${r.type}`),
          r.aggregation === 'average' ? h('span', { class: 'stat muted', 'data-testid': 'aggregation' }, aggregationText(r)) : null,
          r.spanIds && r.spanIds.length > 1 ? h('span', { class: 'stat' }, `${r.spanIds.length} spans`) : null,
        ),
        timeNote(r, span),
        flameView({
          flame: r.flame,
          unit: r.unit,
          total: r.total,
          truncated: r.truncated,
          pprofHref: pprofUrl(params),
          top: {
            rows: r.top,
            groupBy,
            sort,
            regroup: async (g, s) =>
              draw(await api.hotspots({ ...params, group_by: g, sort: s.key.startsWith('total') ? 'total' : 'self', limit: 200 }, ctx.signal), g, s),
          },
        }),
      );
    draw(first, 'function', { key: 'self', desc: true });
    parts.push(view);
    replace(el, ...parts);
  } catch (e) {
    if (!isAbort(e)) replace(el, errorBox(e));
  }
}

/**
 * Why a span's wall (or CPU) time is less than its duration: samples are charged to a span
 * only while its context is current on the sampled thread.
 */
function timeNote(r: HotspotsResult, span: SpanInfo | undefined): HTMLElement | null {
  if (r.unit !== 'nanoseconds') return null;
  const shown = span ? ` Here: ${formatValue(r.total, r.unit)} of ${r.type} in a span of ${formatMs(span.durationMs)}.` : '';
  const text =
    r.type === 'wall'
      ? 'Wall time counts the samples taken while this span’s context was on the thread — running code or blocked in it. While the span awaits I/O, a timer or another service, its thread runs other work or idles and nothing is charged to the span, so wall time is often far less than the span’s duration.'
      : `${r.type} time counts the samples taken while this span’s context was on the thread; time spent awaiting I/O or other services uses no CPU and is not charged to the span.`;
  return h('p', { class: 'note', 'data-testid': 'time-note' }, text + shown);
}

function headingOf(t: Target): string {
  if (t.endpoint) return `Endpoint ${t.endpoint}`;
  if (t.trace_id) return `Trace ${t.trace_id}`;
  return `Span ${t.span_id}${t.include_children === 'true' ? ' and its child spans' : ''}`;
}

function traceSpans(spans: SpanInfo[], unit: string, type: string, go: (t: Target) => void): HTMLElement {
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const t1 = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const span = Math.max(1, t1 - t0);
  return h(
    'div',
    { class: 'trace-spans', 'data-testid': 'trace-spans' },
    h('div', { class: 'muted' }, 'Spans of this trace — click one for its own code:'),
    ...spans.map((s) =>
      h(
        'div',
        { class: 'trace-span clickable', onclick: () => go({ span_id: s.spanId }), title: `${s.spanId} · ${formatMs(s.durationMs)}` },
        h('span', { class: 'trace-span-name' }, s.name),
        h(
          'span',
          { class: 'waterfall' },
          h('span', {
            class: 'waterfall-bar',
            style: `left:${((100 * (s.startMs - t0)) / span).toFixed(2)}%;width:${Math.max(0.5, (100 * s.durationMs) / span).toFixed(2)}%`,
          }),
        ),
        h('span', { class: 'num' }, formatMs(s.durationMs)),
        h('span', { class: 'num muted' }, s.samples[type] ? formatValue(s.samples[type]!, unit) : ''),
      ),
    ),
  );
}

async function renderSlowSpans(
  ctx: PageContext,
  el: HTMLElement,
  spansPromise: Promise<{ spans: SpanInfo[] }>,
  range: { from: string; to: string; profiled: boolean },
  type: string,
  go: (t: Target) => void,
): Promise<void> {
  const unit = ctx.types.find((t) => t.type === type)?.unit ?? 'count';
  const tr = timeRange({ from: range.from, to: range.to }, () => apply(), 'spans-');
  const profiled = h('input', { type: 'checkbox', checked: range.profiled, onchange: () => apply() });
  const apply = () => {
    const p = new URLSearchParams(ctx.params);
    const v = tr.value();
    p.set('from', v.from);
    p.set('to', v.to);
    p.set('profiled', String(profiled.checked));
    navigate('hotspots', p);
  };
  const head = h(
    'div',
    { class: 'section-head' },
    h('h2', null, 'Recent slow spans'),
    tr.el,
    h('label', { class: 'check' }, profiled, ' only spans with samples'),
  );
  try {
    const r = await spansPromise;
    const columns: Column<SpanInfo>[] = [
      { key: 'name', label: 'Span', value: (s) => s.name, render: (s) => h('span', { class: 'fn' }, s.name) },
      { key: 'service', label: 'Service', value: (s) => s.service },
      { key: 'endpoint', label: 'Endpoint', value: (s) => s.endpoint },
      { key: 'start', label: 'Start', value: (s) => s.startMs, render: (s) => formatTime(s.startMs) },
      { key: 'duration', label: 'Duration', numeric: true, value: (s) => s.durationMs, render: (s) => formatMs(s.durationMs) },
      {
        key: 'samples',
        label: type,
        numeric: true,
        value: (s) => s.samples[type] ?? 0,
        render: (s) => (s.samples[type] ? formatValue(s.samples[type]!, unit) : '–'),
      },
      {
        key: 'ids',
        label: 'Span / trace id',
        value: (s) => s.spanId,
        render: (s) => h('span', { class: 'mono small' }, s.spanId, h('br'), s.traceId),
      },
    ];
    replace(
      el,
      head,
      sortableTable(columns, r.spans, {
        sort: { key: 'duration', desc: true },
        testId: 'slow-spans',
        empty: range.profiled
          ? 'No spans with profile samples in this range. Untick “only spans with samples” or widen the range.'
          : 'No spans in this range. Send traces to /v1/traces (OTLP) to see them here.',
        rowTitle: () => 'Show the code that ran in this span',
        onRowClick: (s) => go({ span_id: s.spanId }),
      }),
    );
  } catch (e) {
    if (!isAbort(e)) replace(el, head, errorBox(e));
  }
}
