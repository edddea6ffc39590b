// What every page gets from the router, and the selection helpers they share.
import type { ProfileType } from '../api.js';
import { effectiveType, type SelectionValue } from '../components/filter-bar.js';
import { DEFAULT_FROM, DEFAULT_TO } from '../components/time-range.js';
import type { PageName } from '../router.js';

export interface PageContext {
  page: PageName;
  params: URLSearchParams;
  /** Every profile type stored (empty: nothing stored yet). */
  types: ProfileType[];
  root: HTMLElement;
  signal: AbortSignal;
}

export function readSelection(params: URLSearchParams, types: ProfileType[]): SelectionValue {
  return {
    type: effectiveType(params.get('type'), types),
    query: params.get('query') ?? '',
    from: params.get('from') || DEFAULT_FROM,
    to: params.get('to') || DEFAULT_TO,
  };
}

export function unitOf(type: string, types: ProfileType[]): string {
  return types.find((t) => t.type === type)?.unit ?? 'count';
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
