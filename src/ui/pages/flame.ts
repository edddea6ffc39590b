// Flame graph + top functions of a selection.
import { api, pprofUrl } from '../api.js';
import { errorBox, loading, noMatch } from '../components/empty-state.js';
import { filterBar } from '../components/filter-bar.js';
import { flameView, type GroupBy } from '../components/flame-view.js';
import { h, replace } from '../dom.js';
import { formatValue } from '../format.js';
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
  try {
    const [flame, top] = await Promise.all([api.search({ ...sel, limit: 1 }, ctx.signal), api.top({ ...sel, group_by: 'function', sort: 'self', limit: TOP_LIMIT }, ctx.signal)]);
    if (flame.profileCount === 0) {
      replace(result, noMatch('No profiles match this selection.', 'Widen the time range, pick another profile type, or remove a tag from the query.'));
      return;
    }
    replace(
      result,
      h(
        'div',
        { class: 'summary', 'data-testid': 'summary' },
        h('span', { class: 'stat' }, h('b', { 'data-testid': 'profile-count' }, String(flame.profileCount)), ` profile${flame.profileCount === 1 ? '' : 's'}`),
        h('span', { class: 'stat' }, 'total ', h('b', { 'data-testid': 'total' }, formatValue(flame.total, flame.unit)), ` ${flame.type}`),
        h('span', { class: 'muted' }, 'Click a frame to zoom, a table row to highlight the function.'),
      ),
      flameView({
        flame: flame.flame,
        unit: flame.unit,
        total: flame.total,
        truncated: flame.truncated,
        pprofHref: pprofUrl({ ...sel }),
        search: ctx.params.get('highlight') ?? '',
        top: {
          rows: top.rows,
          groupBy: 'function',
          sort: { key: 'self', desc: true },
          load: async (groupBy: GroupBy, sort) => (await api.top({ ...sel, group_by: groupBy, sort, limit: TOP_LIMIT }, ctx.signal)).rows,
        },
      }),
    );
  } catch (e) {
    if (!isAbort(e)) replace(result, errorBox(e));
  }
}
