// Search: filter profiles by tags, time and type; list the matches and their merged flame graph.
import { api, pprofUrl, type Profile } from '../api.js';
import { errorBox, loading } from '../components/empty-state.js';
import { filterBar } from '../components/filter-bar.js';
import { flameView } from '../components/flame-view.js';
import { sortableTable, type Column } from '../components/table.js';
import { h, replace } from '../dom.js';
import { formatTime, formatValue } from '../format.js';
import { noProfiles, selectionStats } from '../components/selection-summary.js';
import { href, navigate } from '../router.js';
import { withTerm } from '../tag-query.js';
import { isAbort, readSelection, type PageContext } from './context.js';

export async function renderSearch(ctx: PageContext): Promise<void> {
  const sel = readSelection(ctx.params, ctx.types);
  const result = h('div', { class: 'result' }, loading());
  replace(
    ctx.root,
    h('h1', null, 'Search profiles'),
    filterBar({ types: ctx.types, initial: sel, onApply: (v) => navigate('search', { ...v }) }),
    result,
  );
  try {
    const r = await api.search({ ...sel, limit: 50 }, ctx.signal);
    if (r.profileCount === 0) {
      replace(result, noProfiles(r));
      return;
    }
    const addTag = (k: string, v: string) => navigate('search', { ...sel, query: withTerm(sel.query, k, v) });
    const columns: Column<Profile>[] = [
      { key: 'start', label: 'Start', value: (p) => p.startMs, render: (p) => h('span', { class: 'nowrap' }, formatTime(p.startMs)) },
      {
        key: 'duration',
        label: 'Duration',
        numeric: true,
        value: (p) => p.endMs - p.startMs,
        render: (p) => formatValue((p.endMs - p.startMs) * 1e6, 'nanoseconds'),
      },
      {
        key: 'labels',
        label: 'Tags',
        value: (p) =>
          Object.entries(p.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        render: (p) =>
          h(
            'span',
            { class: 'chips' },
            ...Object.entries(p.labels)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) =>
                h(
                  'button',
                  { type: 'button', class: 'chip', title: `Filter by ${k}:${v}`, onclick: (e: Event) => (e.stopPropagation(), addTag(k, v)) },
                  h('span', { class: 'chip-key' }, k),
                  v,
                ),
              ),
          ),
      },
      { key: 'samples', label: 'Samples', numeric: true, value: (p) => p.samples, render: (p) => String(p.samples) },
      { key: 'total', label: 'Total', numeric: true, value: (p) => p.total, render: (p) => formatValue(p.total, p.unit) },
    ];
    replace(
      result,
      h(
        'div',
        { class: 'summary', 'data-testid': 'summary' },
        ...selectionStats(r),
        h('span', { class: 'stat muted' }, `${formatTime(r.from)} → ${formatTime(r.to)}`),
        h('span', { class: 'spacer' }),
        h('a', { href: href('flame', { ...sel }), 'data-testid': 'open-flame' }, 'Flame graph & top functions →'),
      ),
      h(
        'details',
        { class: 'profiles', open: true },
        h('summary', null, `Profiles (${r.profiles.length < r.profileCount ? `newest ${r.profiles.length} of ${r.profileCount}` : r.profileCount})`),
        sortableTable(columns, r.profiles, { sort: { key: 'start', desc: true }, testId: 'profiles-table', empty: 'No profiles.' }),
      ),
      h('h2', null, 'Merged flame graph'),
      flameView({ flame: r.flame, unit: r.unit, total: r.total, truncated: r.truncated, pprofHref: pprofUrl({ ...sel }) }),
    );
  } catch (e) {
    if (!isAbort(e)) replace(result, errorBox(e));
  }
}
