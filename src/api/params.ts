// Query-string parameters -> typed query arguments. Pure: every mistake becomes a
// QueryError naming the parameter (the API answers 400 with it).
import { QueryError } from '../store/query/errors.js';
import { parseCompareSort, type CompareSort } from '../store/query/compare.js';
import { parseTagQuery } from '../store/query/tag-query.js';
import { parseDurationMs, parseTimeRange } from '../store/query/time.js';
import { parseGroupBy, parseTopSort, type GroupBy, type TopSort } from '../store/query/top.js';
import type { HotspotTarget, Selection } from '../store/queries.js';

export type Params = URLSearchParams;

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const TYPE_NAME = /^[a-z0-9_]{1,64}$/;

/** The parameter's value; undefined when absent or empty. */
export function param(p: Params, name: string): string | undefined {
  const v = p.get(name);
  return v === null || v === '' ? undefined : v;
}

export function intParam(p: Params, name: string, def: number, min: number, max: number): number {
  const v = param(p, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new QueryError('param', `${name}: "${v}" is not a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw new QueryError('param', `${name}: ${n} is out of range (${min}..${max})`);
  return n;
}

export function boolParam(p: Params, name: string, def = false): boolean {
  const v = param(p, name);
  if (v === undefined) return def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new QueryError('param', `${name}: "${v}" is not true or false`);
}

export function typeParam(p: Params, name = 'type'): string | undefined {
  const v = param(p, name);
  if (v !== undefined && !TYPE_NAME.test(v))
    throw new QueryError('profile_type', `${name}: "${v}" is not a profile type name (lowercase letters, digits, _)`);
  return v;
}

/** The selection from `from`, `to`, `type`, `query` (with an optional prefix such as `a.`). */
export function selectionParams(
  p: Params,
  now: number,
  options: { prefix?: string; fallback?: boolean; defaults?: { from: string; to: string } } = {},
): Selection {
  const pre = options.prefix ?? '';
  // With a prefix, an unset prefixed param falls back to the shared one.
  const get = (name: string) => param(p, `${pre}${name}`) ?? (pre && options.fallback !== false ? param(p, name) : undefined);
  let fromText = get('from');
  const seconds = param(p, 'seconds');
  if (fromText === undefined && seconds !== undefined) {
    if (!/^\d+$/.test(seconds)) throw new QueryError('time_range', `seconds: "${seconds}" is not a whole number of seconds`);
    fromText = `now-${seconds}s`;
  }
  const range = parseTimeRange(fromText, get('to'), now, options.defaults, pre);
  return { ...range, type: typeParam(p), query: parseTagQuery(get('query')) };
}

/** The hotspot target (`trace_id`, `span_id` or `endpoint`); undefined when none is given. */
export function hotspotTarget(p: Params): HotspotTarget | undefined {
  const trace = param(p, 'trace_id');
  const span = param(p, 'span_id');
  const endpoint = param(p, 'endpoint');
  const given = [trace, span, endpoint].filter((x) => x !== undefined).length;
  if (given === 0) return undefined;
  if (given > 1) throw new QueryError('param', 'give exactly one of trace_id, span_id, endpoint');
  const children = boolParam(p, 'include_children');
  if (trace !== undefined) {
    const t = trace.toLowerCase();
    if (!HEX32.test(t)) throw new QueryError('id', `trace_id: "${trace}" is not a trace id (32 hex characters)`);
    if (children) throw new QueryError('param', 'include_children applies to span_id only');
    return { kind: 'trace', id: t };
  }
  if (span !== undefined) {
    const s = span.toLowerCase();
    if (!HEX16.test(s)) throw new QueryError('id', `span_id: "${span}" is not a span id (16 hex characters)`);
    return { kind: 'span', id: s, includeChildren: children };
  }
  if (children) throw new QueryError('param', 'include_children applies to span_id only');
  return { kind: 'endpoint', id: endpoint! };
}

export interface TopParams {
  groupBy: GroupBy;
  sort: TopSort;
  limit: number;
}

export function topParams(p: Params): TopParams {
  return { groupBy: parseGroupBy(param(p, 'group_by')), sort: parseTopSort(param(p, 'sort')), limit: intParam(p, 'limit', 100, 1, 10_000) };
}

export function maxNodesParam(p: Params): number {
  return intParam(p, 'max_nodes', 20_000, 1, 1_000_000);
}

export function compareSortParam(p: Params): CompareSort {
  return parseCompareSort(param(p, 'sort'));
}

export function stepParam(p: Params): number | undefined {
  const v = param(p, 'step');
  if (v === undefined) return undefined;
  const ms = parseDurationMs(v);
  if (ms === undefined || ms <= 0) {
    const shown = v.length > 64 ? `${v.slice(0, 61)}...` : v;
    throw new QueryError('time_range', `step: "${shown}" is not a positive finite duration (e.g. 10s, 1m, 1h)`);
  }
  return ms;
}

export function traceIdParam(text: string): string {
  const t = text.toLowerCase();
  if (!HEX32.test(t)) throw new QueryError('id', `"${text}" is not a trace id (32 hex characters)`);
  return t;
}
