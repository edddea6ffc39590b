// The JSON API client: one typed function per endpoint of docs/api.md. Shapes are copied
// from that contract (the UI is bundled separately from the server, so it does not import the
// server's types); test/ui/contract-types.ts fails the build when the two drift.
// Requests go through `send`, which auth.ts replaces to add the session's credentials.

export interface FlameNode {
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
  children: FlameNode[];
}

export interface TopRow {
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
}

export interface Profile {
  id: number;
  profileId: string;
  type: string;
  unit: string;
  startMs: number;
  endMs: number;
  labels: Record<string, string>;
  total: number;
  samples: number;
}

export interface ProfileType {
  type: string;
  unit: string;
  profiles: number;
  firstMs: number | null;
  lastMs: number | null;
}

/**
 * How values were combined over time: `sum` of the profiles, or (in-use heap and other
 * instantaneous types) `average` of each series' snapshots, summed across series.
 */
export interface AggregationInfo {
  aggregation: 'sum' | 'average';
  snapshots: number;
}

export interface TopTable {
  groupBy: string;
  sort: 'self' | 'total';
  rows: TopRow[];
}

export interface SearchResult extends AggregationInfo {
  type: string;
  unit: string;
  from: number;
  to: number;
  profileCount: number;
  truncated: boolean;
  total: number;
  profiles: Profile[];
  flame: FlameNode;
  top?: TopTable;
  hints: string[];
}

export interface TopResult extends AggregationInfo {
  type: string;
  unit: string;
  groupBy: string;
  total: number;
  rows: TopRow[];
}

export interface HotspotsResult extends AggregationInfo {
  type: string;
  unit: string;
  from: number;
  to: number;
  target: { kind: 'trace' | 'span' | 'endpoint'; id: string; includeChildren?: boolean };
  spanIds?: string[];
  total: number;
  truncated: boolean;
  flame: FlameNode;
  top: TopRow[];
}

export interface SpanInfo {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  endpoint: string;
  startMs: number;
  durationMs: number;
  samples: Record<string, number>;
}

export interface CompareRow {
  name: string;
  file: string;
  line: number;
  selfA: number;
  selfB: number;
  totalA: number;
  totalB: number;
  selfDelta: number;
  totalDelta: number;
  selfNormalizedDelta: number;
  totalNormalizedDelta: number;
}

export interface DiffNode {
  name: string;
  file: string;
  line: number;
  selfA: number;
  selfB: number;
  totalA: number;
  totalB: number;
  delta: number;
  normalizedDelta: number;
  children: DiffNode[];
}

export interface CompareResult {
  type: string;
  unit: string;
  groupBy: string;
  a: { total: number; profiles: number } & AggregationInfo;
  b: { total: number; profiles: number } & AggregationInfo;
  rows: CompareRow[];
  diff: DiffNode;
  truncated: boolean;
}

export interface Series {
  labels: Record<string, string>;
  total: number;
  points: [number, number][];
}

export interface TimeseriesResult {
  type: string;
  unit: string;
  aggregation: 'sum' | 'average';
  /** Start of a last bucket that reaches past `to` (still filling); null when none. */
  partialFrom: number | null;
  from: number;
  to: number;
  step: number;
  groupBy: string | null;
  series: Series[];
}

/** A 4xx/5xx answer: the API's `{ error: { code, reason, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Params = Record<string, string | number | boolean | undefined | null>;

/** `path?k=v&...`, leaving out empty values so the API's defaults apply. */
export function url(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

type Send = (url: string, init?: RequestInit) => Promise<Response>;
let send: Send = (u, init) => fetch(u, init);

/** Replaces how requests are sent (auth.ts: credentials, and sign-in on a 401). */
export function useSend(f: Send): void {
  send = f;
}

async function getJson<T>(path: string, params: Params, signal?: AbortSignal): Promise<T> {
  const res = await send(url(path, params), { signal, headers: { accept: 'application/json' } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; reason?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.reason ?? '', e?.message ?? (text.slice(0, 200) || res.statusText));
  }
  return body as T;
}

/** The selection parameters shared by most endpoints. */
export interface Selection {
  from?: string;
  to?: string;
  type?: string;
  query?: string;
}

export const api = {
  profileTypes: (p: { from?: string; to?: string } = {}, signal?: AbortSignal) =>
    getJson<{ types: ProfileType[] }>('/api/v1/profile-types', p, signal),
  labels: (p: Selection, signal?: AbortSignal) => getJson<{ names: string[] }>('/api/v1/labels', { ...p }, signal),
  labelValues: (name: string, p: Selection & { prefix?: string; limit?: number }, signal?: AbortSignal) =>
    getJson<{ name: string; values: { value: string; profiles: number }[] }>(`/api/v1/labels/${encodeURIComponent(name)}/values`, { ...p }, signal),
  search: (
    p: Selection & { limit?: number; max_nodes?: number; with_top?: boolean; group_by?: string; sort?: string; top_limit?: number },
    signal?: AbortSignal,
  ) => getJson<SearchResult>('/api/v1/search', { ...p }, signal),
  top: (p: Selection & { group_by?: string; sort?: string; limit?: number }, signal?: AbortSignal) =>
    getJson<TopResult>('/api/v1/top', { ...p }, signal),
  hotspots: (p: Params, signal?: AbortSignal) => getJson<HotspotsResult>('/api/v1/hotspots', p, signal),
  slowSpans: (p: Params, signal?: AbortSignal) => getJson<{ spans: SpanInfo[] }>('/api/v1/spans/slow', p, signal),
  trace: (traceId: string, signal?: AbortSignal) =>
    getJson<{ traceId: string; spans: SpanInfo[] }>(`/api/v1/traces/${encodeURIComponent(traceId)}`, {}, signal),
  compare: (p: Params, signal?: AbortSignal) => getJson<CompareResult>('/api/v1/compare', p, signal),
  timeseries: (p: Selection & { step?: string; group_by?: string; limit?: number }, signal?: AbortSignal) =>
    getJson<TimeseriesResult>('/api/v1/timeseries', { ...p }, signal),
  async metricsText(signal?: AbortSignal): Promise<string> {
    const res = await send('/metrics', { signal });
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, '', res.statusText);
    return res.text();
  },
};

/** Link to the pprof download of a selection or hotspot target. */
export function pprofUrl(params: Params): string {
  return url('/api/v1/pprof', params);
}
