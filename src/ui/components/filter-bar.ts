// The selection bar most pages share: profile type, tag query (with autocomplete) and time
// range. Applying writes them into the page's URL; the page re-renders from there.
import type { ProfileType } from '../api.js';
import { h } from '../dom.js';
import { tagInput } from './tag-input.js';
import { timeRange } from './time-range.js';

export interface SelectionValue {
  type: string;
  query: string;
  from: string;
  to: string;
}

export interface FilterBarOptions {
  types: ProfileType[];
  initial: Partial<SelectionValue>;
  onApply: (v: SelectionValue) => void;
  /** Hide the tag query (pages that select otherwise). */
  noQuery?: boolean;
  extra?: Node[];
}

/** The profile type a page shows: the requested one, else cpu, else the first stored. */
export function effectiveType(requested: string | null | undefined, types: ProfileType[]): string {
  if (requested && types.some((t) => t.type === requested)) return requested;
  return types.find((t) => t.type === 'cpu')?.type ?? types[0]?.type ?? '';
}

export function filterBar(opts: FilterBarOptions): HTMLElement {
  const type = h(
    'select',
    { 'aria-label': 'Profile type', 'data-testid': 'type', onchange: () => apply() },
    ...opts.types.map((t) => h('option', { value: t.type, selected: t.type === opts.initial.type }, `${t.type} (${t.unit})`)),
  );
  const range = timeRange({ from: opts.initial.from, to: opts.initial.to }, () => apply());
  const ctx = () => ({ ...range.value(), type: type.value });
  const tags = opts.noQuery ? undefined : tagInput(opts.initial.query ?? '', ctx, () => apply());
  const apply = () => opts.onApply({ type: type.value, query: tags?.value() ?? '', ...range.value() });
  return h(
    'form',
    {
      class: 'filter-bar',
      'data-testid': 'filter-bar',
      onsubmit: (e: Event) => {
        e.preventDefault();
        apply();
      },
    },
    h('label', { class: 'field' }, h('span', null, 'Type'), type),
    tags ? h('label', { class: 'field grow' }, h('span', null, 'Tags'), tags.el) : null,
    h('label', { class: 'field' }, h('span', null, 'Time range'), range.el),
    ...(opts.extra ?? []),
    h('button', { type: 'submit', 'data-testid': 'apply' }, 'Apply'),
  );
}
