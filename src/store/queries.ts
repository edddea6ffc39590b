// The store's queries: selections in, JSON-ready answers out. Runs wherever its reader's
// connection lives (in the calling thread or in a query worker); every method takes and
// returns plain data so it can cross a worker boundary unchanged.
import { gzipSync } from 'node:zlib';
import { QueryError } from './query/errors.js';
import { buildFlameTree, DEFAULT_MAX_NODES, type FlameNode } from './query/flame.js';
import { compareRows, diffTrees, type CompareRow, type CompareSort, type DiffNode } from './query/compare.js';
import { compileTagQuery, labelKeysFor, labelValue, type TagQuery } from './query/tag-query.js';
import { bucketSeries, defaultStep, type Series } from './query/timeseries.js';
import { stacksToPprof } from './query/to-pprof.js';
import { topFunctions, type GroupBy, type TopRow, type TopSort } from './query/top.js';
import type { StoreReader, ProfileRef, SpanRow, TypeInfo } from './reader.js';
import { PPROF_GZIP_LEVEL } from '../pprof/encode.js';

export interface Selection {
  /** Profile type; default `cpu` when stored, else the first stored type. */
  type?: string;
  /** Unix ms, inclusive. */
  from: number;
  to: number;
  query?: TagQuery;
}

export interface HotspotTarget {
  kind: 'trace' | 'span' | 'endpoint';
  /** Trace id (32 hex), span id (16 hex) or endpoint text. */
  id: string;
  /** Span targets only: add the samples of every stored descendant span. */
  includeChildren?: boolean;
}

export interface ProfileSummary {
  id: number;
  profileId: string;
  type: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
  period: number;
  unit: string;
  startMs: number;
  endMs: number;
  labels: Record<string, string>;
  total: number;
  samples: number;
}

export interface ProfileTypeSummary {
  type: string;
  unit: string;
  profiles: number;
  firstMs: number | null;
  lastMs: number | null;
}

export interface SearchResult {
  type: string;
  unit: string;
  from: number;
  to: number;
  profileCount: number;
  total: number;
  truncated: boolean;
  profiles: ProfileSummary[];
  flame: FlameNode;
}

export interface FlameResult {
  type: string;
  unit: string;
  total: number;
  truncated: boolean;
  flame: FlameNode;
}

export interface TopResultJson {
  type: string;
  unit: string;
  groupBy: GroupBy;
  total: number;
  rows: TopRow[];
}

export interface HotspotResult {
  type: string;
  unit: string;
  target: { kind: HotspotTarget['kind']; id: string; includeChildren: boolean };
  spanIds: string[];
  total: number;
  truncated: boolean;
  flame: FlameNode;
  top: TopRow[];
}

export interface SpanSummary {
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

export interface CompareResult {
  type: string;
  unit: string;
  groupBy: GroupBy;
  a: { total: number; profiles: number };
  b: { total: number; profiles: number };
  rows: CompareRow[];
  diff: DiffNode;
  truncated: boolean;
}

export interface TimeseriesResult {
  type: string;
  unit: string;
  from: number;
  to: number;
  step: number;
  groupBy: string | null;
  series: Series[];
}

export interface TopOptions {
  groupBy?: GroupBy;
  sort?: TopSort;
  limit?: number;
}

const DEFAULT_TOP_LIMIT = 100;

/** A selection narrowed to profiles: what every aggregate query starts from. */
interface Selected {
  type: TypeInfo;
  refs: ProfileRef[];
  /** Matching series ids; undefined when the query has no terms (every series). */
  seriesIds: number[] | undefined;
}

export class StoreQueries {
  constructor(private readonly reader: StoreReader) {}

  /** The type to use: the requested one (must exist), else `cpu`, else the first stored type. */
  resolveType(type: string | undefined): TypeInfo {
    const types = this.reader.types();
    if (type !== undefined && type !== '') {
      const t = types.get(type);
      if (!t) {
        const known = [...types.keys()].join(', ') || '(none stored yet)';
        throw new QueryError('profile_type', `type: unknown profile type "${type}"; stored types: ${known}`);
      }
      return t;
    }
    return types.get('cpu') ?? types.values().next().value ?? { type: 'cpu', unit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds', period: 0 };
  }

  private matchingSeries(query: TagQuery | undefined): Set<number> | undefined {
    if (!query || query.terms.length === 0) return undefined;
    const match = compileTagQuery(query, this.reader.labelNames());
    const out = new Set<number>();
    for (const [id, labels] of this.reader.series()) if (match(labels)) out.add(id);
    return out;
  }

  private select(sel: Selection): Selected {
    const type = this.resolveType(sel.type);
    const series = this.matchingSeries(sel.query);
    let refs = this.reader.profileRefs(type.type, sel.from, sel.to);
    if (series) refs = refs.filter((r) => series.has(r.seriesId));
    return { type, refs, seriesIds: series ? [...series] : undefined };
  }

  profileTypes(range: { from?: number; to?: number } = {}): ProfileTypeSummary[] {
    const types = this.reader.types();
    const stats = new Map<string, ProfileTypeSummary>();
    for (const t of types.values()) stats.set(t.type, { type: t.type, unit: t.unit, profiles: 0, firstMs: null, lastMs: null });
    for (const r of this.reader.profileRefs(undefined, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER)) {
      const s = stats.get(r.type!);
      if (!s) continue;
      s.profiles++;
      s.firstMs = s.firstMs === null ? r.startMs : Math.min(s.firstMs, r.startMs);
      s.lastMs = s.lastMs === null ? r.endMs : Math.max(s.lastMs, r.endMs);
    }
    return [...stats.values()];
  }

  /** Series ids of profiles in the range (of `type` when given) matching the query. */
  private seriesInRange(sel: { from: number; to: number; type?: string; query?: TagQuery }): Map<number, number> {
    const type = sel.type === undefined || sel.type === '' ? undefined : this.resolveType(sel.type).type;
    const series = this.matchingSeries(sel.query);
    const counts = new Map<number, number>();
    for (const r of this.reader.profileRefs(type, sel.from, sel.to)) {
      if (series && !series.has(r.seriesId)) continue;
      counts.set(r.seriesId, (counts.get(r.seriesId) ?? 0) + 1);
    }
    return counts;
  }

  /** The label names of the selected profiles, sorted, at most `limit` (`truncated` when more). */
  labelNames(sel: { from: number; to: number; type?: string; query?: TagQuery }, options: { limit?: number } = {}): { names: string[]; truncated: boolean } {
    const all = this.reader.series();
    const names = new Set<string>();
    for (const id of this.seriesInRange(sel).keys()) for (const k of Object.keys(all.get(id) ?? {})) names.add(k);
    const sorted = [...names].sort();
    const truncated = options.limit !== undefined && sorted.length > options.limit;
    if (truncated) sorted.length = options.limit!;
    return { names: sorted, truncated };
  }

  labelValues(
    name: string,
    sel: { from: number; to: number; type?: string; query?: TagQuery },
    options: { prefix?: string; limit?: number } = {},
  ): { name: string; values: { value: string; profiles: number }[]; truncated: boolean } {
    const keys = labelKeysFor(name, this.reader.labelNames());
    const all = this.reader.series();
    const counts = new Map<string, number>();
    for (const [id, n] of this.seriesInRange(sel)) {
      const labels = all.get(id);
      const v = labels === undefined ? undefined : labelValue(labels, keys);
      if (v === undefined) continue;
      if (options.prefix && !v.startsWith(options.prefix)) continue;
      counts.set(v, (counts.get(v) ?? 0) + n);
    }
    const values = [...counts].map(([value, profiles]) => ({ value, profiles })).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const truncated = options.limit !== undefined && values.length > options.limit;
    if (truncated) values.length = options.limit!;
    return { name: keys[0] ?? name, values, truncated };
  }

  private summaries(refs: readonly ProfileRef[], limit: number): ProfileSummary[] {
    const newest = [...refs].sort((a, b) => b.startMs - a.startMs || b.id - a.id).slice(0, limit);
    const series = this.reader.series();
    const rows = new Map(this.reader.profileRows(newest.map((r) => r.id)).map((r) => [r.id, r]));
    const out: ProfileSummary[] = [];
    for (const ref of newest) {
      const r = rows.get(ref.id);
      if (!r) continue;
      out.push({
        id: r.id,
        profileId: r.profileKey,
        type: r.type,
        sampleType: r.sampleType,
        sampleUnit: r.sampleUnit,
        periodType: r.periodType,
        periodUnit: r.periodUnit,
        period: r.period,
        unit: r.unit,
        startMs: r.startMs,
        endMs: r.endMs,
        labels: { ...(series.get(r.seriesId) ?? {}) },
        total: r.total,
        samples: r.samples,
      });
    }
    return out;
  }

  search(sel: Selection, options: { limit?: number; maxNodes?: number } = {}): SearchResult {
    const s = this.select(sel);
    const { stacks, frames } = this.reader.resolve(this.reader.aggregate(s.refs.map((r) => r.id)));
    const tree = buildFlameTree(stacks, frames, { maxNodes: options.maxNodes });
    return {
      type: s.type.type,
      unit: s.type.unit,
      from: sel.from,
      to: sel.to,
      profileCount: s.refs.length,
      total: tree.root.total,
      truncated: tree.truncated,
      profiles: this.summaries(s.refs, options.limit ?? 100),
      flame: tree.root,
    };
  }

  flame(sel: Selection, options: { maxNodes?: number } = {}): FlameResult {
    const s = this.select(sel);
    const { stacks, frames } = this.reader.resolve(this.reader.aggregate(s.refs.map((r) => r.id)));
    const tree = buildFlameTree(stacks, frames, { maxNodes: options.maxNodes });
    return { type: s.type.type, unit: s.type.unit, total: tree.root.total, truncated: tree.truncated, flame: tree.root };
  }

  top(sel: Selection, options: TopOptions = {}): TopResultJson {
    const s = this.select(sel);
    const { stacks, frames } = this.reader.resolve(this.reader.aggregate(s.refs.map((r) => r.id)));
    const groupBy = options.groupBy ?? 'function';
    const t = topFunctions(stacks, frames, { groupBy, sort: options.sort, limit: options.limit ?? DEFAULT_TOP_LIMIT });
    return { type: s.type.type, unit: s.type.unit, groupBy, total: t.total, rows: t.rows };
  }

  /** Stack values of a hotspot target within the selection. */
  private hotspotStacks(target: HotspotTarget, sel: Selection) {
    const type = this.resolveType(sel.type);
    const series = this.matchingSeries(sel.query);
    let spanIds: string[] = [];
    const seriesIds = series ? [...series] : undefined;
    let r: ReturnType<StoreReader['aggregateSpans']>;
    if (target.kind === 'span') {
      spanIds = target.includeChildren ? this.reader.descendants(target.id) : [target.id];
      r = this.reader.aggregateSpans({ spanIds }, type.type, sel.from, sel.to, seriesIds);
    } else if (target.kind === 'trace') {
      r = this.reader.aggregateSpans({ traceId: target.id }, type.type, sel.from, sel.to, seriesIds);
    } else {
      r = this.reader.aggregateSpans({ endpoint: target.id }, type.type, sel.from, sel.to, seriesIds);
    }
    return { type, spanIds, window: r.window, ...this.reader.resolve(r.agg) };
  }

  hotspots(target: HotspotTarget, sel: Selection, options: TopOptions & { maxNodes?: number } = {}): HotspotResult {
    const h = this.hotspotStacks(target, sel);
    const tree = buildFlameTree(h.stacks, h.frames, { maxNodes: options.maxNodes });
    const top = topFunctions(h.stacks, h.frames, { groupBy: options.groupBy, sort: options.sort, limit: options.limit ?? DEFAULT_TOP_LIMIT });
    return {
      type: h.type.type,
      unit: h.type.unit,
      target: { kind: target.kind, id: target.id, includeChildren: target.kind === 'span' && !!target.includeChildren },
      spanIds: h.spanIds,
      total: tree.root.total,
      truncated: tree.truncated,
      flame: tree.root,
      top: top.rows,
    };
  }

  private spanSummaries(rows: SpanRow[]): SpanSummary[] {
    const totals = this.reader.spanSampleTotals(rows.map((r) => r.spanId));
    return rows.map((r) => ({
      traceId: r.traceId,
      spanId: r.spanId,
      parentSpanId: r.parentSpanId,
      name: r.name,
      service: r.service,
      endpoint: r.endpoint,
      startMs: r.startUs / 1000,
      durationMs: (r.endUs - r.startUs) / 1000,
      samples: totals.get(r.spanId) ?? {},
    }));
  }

  slowSpans(options: { from: number; to: number; service?: string; endpoint?: string; profiled?: boolean; limit?: number }): SpanSummary[] {
    const rows = this.reader.slowSpans({
      fromUs: options.from * 1000,
      toUs: options.to * 1000 + 999,
      service: options.service,
      endpoint: options.endpoint,
      profiled: options.profiled,
      limit: options.limit ?? 50,
    });
    return this.spanSummaries(rows);
  }

  trace(traceId: string): { traceId: string; spans: SpanSummary[] } {
    return { traceId, spans: this.spanSummaries(this.reader.traceSpans(traceId)) };
  }

  compare(a: Selection, b: Selection, options: TopOptions & { compareSort?: CompareSort; maxNodes?: number } = {}): CompareResult {
    const type = this.resolveType(a.type ?? b.type);
    const sa = this.select({ ...a, type: type.type });
    const sb = this.select({ ...b, type: type.type });
    const ra = this.reader.resolve(this.reader.aggregate(sa.refs.map((r) => r.id)));
    const rb = this.reader.resolve(this.reader.aggregate(sb.refs.map((r) => r.id)));
    const groupBy = options.groupBy ?? 'function';
    const ta = topFunctions(ra.stacks, ra.frames, { groupBy });
    const tb = topFunctions(rb.stacks, rb.frames, { groupBy });
    const rows = compareRows(ta.rows, tb.rows, ta.total, tb.total, { sort: options.compareSort, limit: options.limit ?? DEFAULT_TOP_LIMIT });
    const frames = new Map([...ra.frames, ...rb.frames]);
    const diff = diffTrees(ra.stacks, rb.stacks, frames, { maxNodes: options.maxNodes ?? DEFAULT_MAX_NODES });
    return {
      type: type.type,
      unit: type.unit,
      groupBy,
      a: { total: ta.total, profiles: sa.refs.length },
      b: { total: tb.total, profiles: sb.refs.length },
      rows,
      diff: diff.root,
      truncated: diff.truncated,
    };
  }

  timeseries(sel: Selection, options: { step?: number; groupBy?: string; limit?: number } = {}): TimeseriesResult {
    const s = this.select(sel);
    const step = options.step ?? defaultStep(sel.from, sel.to);
    const series = this.reader.series();
    const keys = options.groupBy ? labelKeysFor(options.groupBy, this.reader.labelNames()) : undefined;
    const label = keys ? (keys.find((k) => this.reader.labelNames().has(k)) ?? keys[0]!) : null;
    const out = bucketSeries(
      s.refs.map((r) => ({ startMs: r.startMs, total: r.total, labels: series.get(r.seriesId) ?? {} })),
      { from: sel.from, to: sel.to, step, groupBy: keys && label ? { label, keys } : undefined, limit: options.limit },
    );
    return { type: s.type.type, unit: s.type.unit, from: sel.from, to: sel.to, step, groupBy: label, series: out };
  }

  /** The selection (or a hotspot target within it) as gzip'd pprof bytes. */
  pprof(sel: Selection, target?: HotspotTarget): Uint8Array {
    let type: TypeInfo;
    let resolved: ReturnType<StoreReader['resolve']>;
    // The profile's window: that of the data in it, within the selection.
    let window: { from: number; to: number } | undefined;
    if (target) {
      const h = this.hotspotStacks(target, sel);
      type = h.type;
      resolved = h;
      window = h.window;
    } else {
      const s = this.select(sel);
      type = s.type;
      resolved = this.reader.resolve(this.reader.aggregate(s.refs.map((r) => r.id)));
      for (const r of s.refs) window = window ? { from: Math.min(window.from, r.startMs), to: Math.max(window.to, r.endMs) } : { from: r.startMs, to: r.endMs };
    }
    const from = Math.max(sel.from, window?.from ?? sel.from);
    const to = Math.max(from, Math.min(sel.to, window?.to ?? sel.to));
    const timed = type.unit === 'nanoseconds' && type.periodType !== '';
    const profile = stacksToPprof(resolved.stacks, resolved.frames, {
      type: type.type,
      unit: type.unit,
      fromMs: from,
      toMs: to,
      // Values are already scaled to the unit, so the period is one unit of it.
      periodType: timed ? { type: type.periodType, unit: 'nanoseconds' } : undefined,
      period: timed ? 1 : undefined,
    });
    return gzipSync(profile.encode(), { level: PPROF_GZIP_LEVEL });
  }

  health(): { profiles: number } {
    return { profiles: this.reader.profileCount() };
  }
}
