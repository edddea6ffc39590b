// A sortable table: click a header to sort by it, click again to reverse. Sorting is done
// on the rows at hand; `onSort` lets the owner fetch rows ordered by that key first (the
// API returns only the top `limit` rows of one order).
import { h } from '../dom.js';

export interface Column<T> {
  key: string;
  label: string;
  /** The sort key of a row. */
  value: (row: T) => number | string;
  /** The cell; defaults to the sort value. */
  render?: (row: T) => Node | string;
  numeric?: boolean;
  title?: string;
}

export interface SortState {
  key: string;
  desc: boolean;
}

export interface TableOptions<T> {
  sort: SortState;
  onSort?: (s: SortState) => void;
  onRowClick?: (row: T) => void;
  rowTitle?: (row: T) => string;
  empty?: string;
  className?: string;
  testId?: string;
}

export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: SortState): T[] {
  const col = columns.find((c) => c.key === sort.key) ?? columns[0];
  if (!col) return [...rows];
  const dir = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c * dir;
  });
}

export function sortableTable<T>(columns: Column<T>[], rows: readonly T[], opts: TableOptions<T>): HTMLElement {
  let sort = opts.sort;
  const tbody = h('tbody');
  const headRow = h('tr');
  const fill = () => {
    headRow.replaceChildren(
      ...columns.map((c) =>
        h(
          'th',
          {
            class: `${c.numeric ? 'num ' : ''}sortable${sort.key === c.key ? ' sorted' : ''}`,
            title: c.title ?? `Sort by ${c.label.toLowerCase()}`,
            'data-key': c.key,
            'aria-sort': sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none',
            onclick: () => {
              sort = sort.key === c.key ? { key: c.key, desc: !sort.desc } : { key: c.key, desc: Boolean(c.numeric) };
              if (opts.onSort) opts.onSort(sort);
              else fill();
            },
          },
          c.label,
          sort.key === c.key ? h('span', { class: 'arrow' }, sort.desc ? ' ▼' : ' ▲') : null,
        ),
      ),
    );
    const sorted = sortRows(rows, columns, sort);
    tbody.replaceChildren(
      ...(sorted.length === 0
        ? [h('tr', null, h('td', { class: 'empty-row', colspan: columns.length }, opts.empty ?? 'Nothing here.'))]
        : sorted.map((r) =>
            h(
              'tr',
              {
                class: opts.onRowClick ? 'clickable' : null,
                title: opts.rowTitle?.(r) ?? null,
                onclick: opts.onRowClick ? () => opts.onRowClick?.(r) : null,
              },
              ...columns.map((c) => h('td', { class: c.numeric ? 'num' : null }, c.render ? c.render(r) : String(c.value(r)))),
            ),
          )),
    );
  };
  fill();
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: `data ${opts.className ?? ''}`, 'data-testid': opts.testId ?? null }, h('thead', null, headRow), tbody),
  );
}
