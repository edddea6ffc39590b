// Flame graph + top functions of a selection. One answer (/api/v1/search with its top table)
// drives the header, the graph, the table and its percentages; changing the grouping fetches
// a new answer for the same absolute time range and draws all of them anew.
import { api, pprofUrl, type SearchResult } from '../api.js';
import { errorBox, loading } from '../components/empty-state.js';
import { filterBar } from '../components/filter-bar.js';
import { flameView, type GroupBy } from '../components/flame-view.js';
import type { SortState } from '../components/table.js';
import { noProfiles, selectionStats } from '../components/selection-summary.js';
import { h, replace } from '../dom.js';
import { navigate } from '../router.js';
import { isAbort, readSelection, type PageContext } from './context.js';

const TOP_LIMIT = 200;

export async function renderFlame(ctx: PageContext): Promise<void> {
  const sel = readSelection(ctx.params, ctx.types);
  const result = h('div', { class: 'result' }, loading());
  replace(
    ctx.root,
    h('h1', null, 'Flame graph'),
    filterBar({ types: ctx.types, initial: sel, onApply: (v) => navigate('flame', { ...v, highlight: ctx.params.get('highlight') }) }),
    result,
  );
  // The range as the first answer resolved it ("now-1h" moves; later answers must not).
  let range = { from: sel.from, to: sel.to };
  const fetchView = (groupBy: GroupBy, sort: SortState) =>
    api.search(
      {
        ...sel,
        ...range,
        limit: 1,
        with_top: true,
        group_by: groupBy,
        sort: sort.key === 'total' || sort.key === 'totalPct' ? 'total' : 'self',
        top_limit: TOP_LIMIT,
      },
      ctx.signal,
    );
  const draw = (r: SearchResult, groupBy: GroupBy, sort: SortState) => {
    if (r.profileCount === 0) {
      replace(result, noProfiles(r));
      return;
    }
    replace(
      result,
      h(
        'div',
        { class: 'summary', 'data-testid': 'summary' },
        ...selectionStats(r),
        h('span', { class: 'muted' }, 'Click a frame to zoom, a table row to highlight the function.'),
      ),
      flameView({
        flame: r.flame,
        unit: r.unit,
        total: r.total,
        truncated: r.truncated,
        pprofHref: pprofUrl({ ...sel, ...range }),
        search: ctx.params.get('highlight') ?? '',
        top: {
          rows: r.top?.rows ?? [],
          groupBy,
          sort,
          regroup: async (g, s) => draw(await fetchView(g, s), g, s),
        },
      }),
    );
  };
  try {
    const sort: SortState = { key: 'self', desc: true };
    const r = await fetchView('function', sort);
    range = { from: String(r.from), to: String(r.to) };
    draw(r, 'function', sort);
  } catch (e) {
    if (!isAbort(e)) replace(result, errorBox(e));
  }
}
