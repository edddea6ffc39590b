// Hash routes: `#/<page>?<params>`. The whole state of a page lives in its params, so every
// view can be bookmarked, shared and reloaded.

export type PageName = 'search' | 'flame' | 'hotspots' | 'compare' | 'metrics';
export const PAGES: readonly PageName[] = ['search', 'flame', 'hotspots', 'compare', 'metrics'];

export interface Route {
  page: PageName;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  const page = (PAGES as readonly string[]).includes(path) ? (path as PageName) : 'search';
  return { page, params };
}

export function currentRoute(): Route {
  return parseHash(location.hash);
}

/** `#/page?k=v`, leaving out empty values. */
export function href(page: PageName, params: Record<string, string | undefined | null> | URLSearchParams = {}): string {
  const q = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

export function navigate(page: PageName, params: Record<string, string | undefined | null> | URLSearchParams = {}): void {
  const next = href(page, params);
  if (location.hash === next) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = next;
}

/** The selection params the pages share (kept when moving between pages). */
export const SHARED_PARAMS = ['from', 'to', 'type', 'query'] as const;

export function sharedParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of SHARED_PARAMS) {
    const v = params.get(k);
    if (v) out[k] = v;
  }
  return out;
}
