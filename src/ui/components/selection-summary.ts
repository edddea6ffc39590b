// The parts of a selection's summary line that the search and flame pages share: how many
// profiles matched, their total and how it was combined, and what to show when none did.
import type { SearchResult } from '../api.js';
import { h } from '../dom.js';
import { aggregationText, formatValue } from '../format.js';
import { noMatch } from './empty-state.js';

/** The API's hints for a query that matches nothing (unknown keys, with near matches). */
export function hintText(hints: string[] | undefined): string | undefined {
  return hints && hints.length > 0 ? hints.join(' ') : undefined;
}

export function aggregationTitle(a: 'sum' | 'average'): string {
  return a === 'average'
    ? 'An instantaneous type (in-use memory): each process’s snapshots in the range are averaged, then the processes are added up.'
    : 'A cumulative type: the values of every profile in the range are added up.';
}

/** "No profiles match", with the API's hint (near matches of an unknown key) when it gave one. */
export function noProfiles(r: Pick<SearchResult, 'hints'>): HTMLElement {
  return noMatch(
    'No profiles match this selection.',
    hintText(r.hints) ?? 'Widen the time range, pick another profile type, or remove a tag from the query.',
  );
}

/** Profile count, total with its unit and type, and the aggregation ("average of 97 snapshots"). */
export function selectionStats(r: Pick<SearchResult, 'profileCount' | 'total' | 'unit' | 'type' | 'aggregation' | 'snapshots'>): HTMLElement[] {
  return [
    h('span', { class: 'stat' }, h('b', { 'data-testid': 'profile-count' }, String(r.profileCount)), ` profile${r.profileCount === 1 ? '' : 's'}`),
    h('span', { class: 'stat' }, 'total ', h('b', { 'data-testid': 'total' }, formatValue(r.total, r.unit)), ` ${r.type}`),
    h('span', { class: 'stat muted', 'data-testid': 'aggregation', title: aggregationTitle(r.aggregation) }, aggregationText(r)),
  ];
}
