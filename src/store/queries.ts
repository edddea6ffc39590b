// The store's queries: selections in, JSON-ready answers out. Runs wherever its reader's
// connection lives (in the calling thread or in a query worker); every method takes and
// returns plain data so it can cross a worker boundary unchanged.
import { gzipSync } from 'node:zlib';
import { QueryError } from './query/errors.js';
import { buildFlameTree, DEFAULT_MAX_NODES, type FlameNode } from './query/flame.js';
import { compareRows, diffTrees, type CompareRow, type CompareSort, type DiffNode } from './query/compare.js';
import { compileTagQuery, labelKeysFor, labelValue, type TagQuery } from './query/tag-query.js';
import { bucketCount, bucketSeries, defaultStep, type Series } from './query/timeseries.js';
import { stacksToPprof, type LabelledStack } from './query/to-pprof.js';
import { topFunctions, type GroupBy, type TopRow, type TopSort } from './query/top.js';
import { aggregationOf, IDLE_FRAME, isCpuType, profileWeights, seriesWeights, type Aggregation } from './query/aggregation.js';
import { sampleLabelOf, splitSampleTerms, unknownKeyHints } from './query/sample-labels.js';
import type { FrameInfo, StackValue } from './query/types.js';
import type { StoreReader, ProfileRef, SampleFacet, SpanRow, SpanTarget, TypeInfo } from './reader.js';
import { BucketReader, type BucketAggregate } from './buckets/read.js';
import { MIN_BUCKETED_RANGE_MS } from './buckets/plan.js';
import { PPROF_GZIP_LEVEL } from '../pprof/encode.js';
import { PPROF_LABELS, THREAD_LABELS } from '../pprof/labels.js';
import { bytesOfHex, spanIdToDecimal } from '../otlp/ids.js';

export interface Selection {
  /** Profile type; default `cpu` when stored, else the first stored type. */
  type?: string;
  /** Unix ms, inclusive. */
  from: number;
  to: number;
  query?: TagQuery;
  /** CPU types: keep the `(idle)` pseudo-frame (left out by default). */
  includeIdle?: boolean;
}

/**
 * How the values of an answer were combined over time: `sum` of the profiles, or (for
 * instantaneous types such as in-use heap) `average` of each series' `snapshots`, summed
 * across series. `snapshots` is the number of profiles the answer was computed from.
 */
export interface AggregationInfo {
  aggregation: Aggregation;
  snapshots: number;
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

export interface SearchResult extends AggregationInfo {
  type: string;
  unit: string;
  from: number;
  to: number;
  profileCount: number;
  total: number;
  truncated: boolean;
  profiles: ProfileSummary[];
  flame: FlameNode;
  /** The top table of the same stacks, when asked for (`top` option). */
  top?: TopTable;
  /** Why a query may match nothing: keys no stored label stands for, with near matches. */
  hints: string[];
}

export interface TopTable {
  groupBy: GroupBy;
  sort: TopSort;
  rows: TopRow[];
}

export interface FlameResult extends AggregationInfo {
  type: string;
  unit: string;
  total: number;
  truncated: boolean;
  flame: FlameNode;
  top?: TopTable;
  hints: string[];
}

export interface TopResultJson extends AggregationInfo {
  type: string;
  unit: string;
  groupBy: GroupBy;
  total: number;
  rows: TopRow[];
}

export interface HotspotResult extends AggregationInfo {
  type: string;
  unit: string;
  /** The range as resolved (unix ms), for asking again with the same base. */
  from: number;
  to: number;
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
  a: { total: number; profiles: number } & AggregationInfo;
  b: { total: number; profiles: number } & AggregationInfo;
  rows: CompareRow[];
  diff: DiffNode;
  truncated: boolean;
}

export interface TimeseriesResult {
  type: string;
  unit: string;
  aggregation: Aggregation;
  from: number;
  to: number;
  step: number;
  groupBy: string | null;
  series: Series[];
  /** Start of the last bucket when it reaches past `to` (its data is still coming in); else null. */
  partialFrom: number | null;
}

export interface TopOptions {
  groupBy?: GroupBy;
  sort?: TopSort;
  limit?: number;
}

const DEFAULT_TOP_LIMIT = 100;
/** Sample-level labels offered as facets (names and values) next to the series labels. */
const SAMPLE_FACETS: readonly SampleFacet[] = ['span_name', 'trace endpoint', 'thread.name'];
const isSampleFacet = (name: string | undefined): name is SampleFacet => (SAMPLE_FACETS as readonly (string | undefined)[]).includes(name);

/** A selection narrowed to profiles: what every aggregate query starts from. */
interface Selected {
  type: TypeInfo;
  from: number;
  to: number;
  refs: ProfileRef[];
  /** Matching series ids; undefined when the query has no series terms (every series). */
  seriesIds: number[] | undefined;
  aggregation: Aggregation;
  /** The query's sample-level terms (span_name, trace endpoint, …); undefined when none. */
  sampleTarget: SpanTarget | undefined;
  hints: string[];
  includeIdle: boolean;
  /**
   * Long ranges without sample-level terms: the aggregate read from the time buckets (plus
   * raw edges); `refs` is then empty, as listing every profile is what buckets avoid.
   */
  bucketed?: BucketAggregate;
}

/** Stacks of a selection with the frames they name. */
interface Resolved {
  stacks: (StackValue & { id: number })[];
  frames: Map<number, FrameInfo>;
}

/** The stacks without those whose leaf is the idle pseudo-frame. */
function withoutIdle<T extends StackValue>(stacks: T[], frames: ReadonlyMap<number, FrameInfo>): T[] {
  return stacks.filter((s) => s.frames.length === 0 || frames.get(s.frames[0]!)?.name !== IDLE_FRAME);
}

/** Both targets at once (fields of `b` narrow those of `a`). */
function bothTargets(a: SpanTarget | undefined, b: SpanTarget | undefined): SpanTarget | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = Array.isArray(prev) && Array.isArray(v) ? prev.filter((x) => v.includes(x)) : v;
  }
  return out as SpanTarget;
}

export interface StoreQueriesOptions {
  /** Answer long ranges from the time buckets (default true; false reads every raw profile). */
  buckets?: boolean;
}

export class StoreQueries {
  private readonly buckets: BucketReader | undefined;

  constructor(
    private readonly reader: StoreReader,
    options: StoreQueriesOptions = {},
  ) {
    this.buckets = options.buckets === false ? undefined : new BucketReader(reader.db);
  }

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
    return (
      types.get('cpu') ?? types.values().next().value ?? { type: 'cpu', unit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds', period: 0 }
    );
  }

  private matchingSeries(query: TagQuery | undefined): Set<number> | undefined {
    if (!query || query.terms.length === 0) return undefined;
    const match = compileTagQuery(query, this.reader.labelNames());
    const out = new Set<number>();
    for (const [id, labels] of this.reader.series()) if (match(labels)) out.add(id);
    return out;
  }

  /**
   * The selection's profiles. With `bucketed`, a range of at least MIN_BUCKETED_RANGE_MS
   * whose query has no sample-level terms is aggregated from the time buckets instead (the
   * caller only needs the merged stacks and counts); queries that attribute samples to spans
   * and short ranges read raw profiles.
   */
  private select(sel: Selection, bucketed = false): Selected {
    const type = this.resolveType(sel.type);
    const known = this.reader.labelNames();
    const split = splitSampleTerms(sel.query, known);
    const series = this.matchingSeries(split.series);
    const aggregation = aggregationOf(type.type);
    if (bucketed && this.buckets && !split.target && sel.to - sel.from >= MIN_BUCKETED_RANGE_MS) {
      const b = this.buckets.aggregate(type.type, sel.from, sel.to, series, aggregation, this.reader.maxDurationMs());
      if (b) {
        return {
          type,
          from: sel.from,
          to: sel.to,
          refs: [],
          seriesIds: series ? [...series] : undefined,
          aggregation,
          sampleTarget: undefined,
          hints: unknownKeyHints(sel.query, known),
          includeIdle: !!sel.includeIdle,
          bucketed: b,
        };
      }
    }
    let refs = this.reader.profileRefs(type.type, sel.from, sel.to);
    if (series) refs = refs.filter((r) => series.has(r.seriesId));
    return {
      type,
      from: sel.from,
      to: sel.to,
      refs,
      seriesIds: series ? [...series] : undefined,
      aggregation,
      sampleTarget: split.target,
      hints: unknownKeyHints(sel.query, known),
      includeIdle: !!sel.includeIdle,
    };
  }

  /**
   * The selection's stacks: every profile's samples (each weighted by the type's
   * aggregation), or only the attributed samples matching the sample-level terms and
   * `target`; CPU types without their idle pseudo-frame unless asked for.
   */
  private stacksOf(s: Selected, target?: SpanTarget): Resolved & { window?: { from: number; to: number } } {
    const t = bothTargets(s.sampleTarget, target);
    let r: Resolved & { window?: { from: number; to: number } };
    if (!t && s.bucketed) {
      r = this.reader.resolve(s.bucketed.agg);
    } else if (t) {
      const a = this.reader.aggregateSpans(t, s.type.type, s.from, s.to, s.seriesIds, seriesWeights(s.refs, s.aggregation));
      r = { ...this.reader.resolve(a.agg), window: a.window };
    } else {
      r = this.reader.resolve(
        this.reader.aggregate(
          s.refs.map((x) => x.id),
          profileWeights(s.refs, s.aggregation),
        ),
      );
    }
    if (!s.includeIdle && isCpuType(s.type.type)) r.stacks = withoutIdle(r.stacks, r.frames);
    return r;
  }

  private info(s: Selected): AggregationInfo {
    return { aggregation: s.aggregation, snapshots: s.bucketed ? s.bucketed.snapshots : s.refs.length };
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
    const series = this.matchingSeries(splitSampleTerms(sel.query, this.reader.labelNames()).series);
    const counts = new Map<number, number>();
    for (const r of this.reader.profileRefs(type, sel.from, sel.to)) {
      if (series && !series.has(r.seriesId)) continue;
      counts.set(r.seriesId, (counts.get(r.seriesId) ?? 0) + 1);
    }
    return counts;
  }

  /** The label names of the selected profiles, sorted, at most `limit` (`truncated` when more). */
  labelNames(
    sel: { from: number; to: number; type?: string; query?: TagQuery },
    options: { limit?: number } = {},
  ): { names: string[]; truncated: boolean } {
    const all = this.reader.series();
    const names = new Set<string>();
    for (const id of this.seriesInRange(sel).keys()) for (const k of Object.keys(all.get(id) ?? {})) names.add(k);
    // Sample-level facets, when some sample in the range carries them.
    for (const label of SAMPLE_FACETS) if (!names.has(label) && this.sampleFacet(label, sel, true).size > 0) names.add(label);
    const sorted = [...names].sort();
    const truncated = options.limit !== undefined && sorted.length > options.limit;
    if (truncated) sorted.length = options.limit!;
    return { names: sorted, truncated };
  }

  private sampleFacet(
    label: SampleFacet,
    sel: { from: number; to: number; type?: string; query?: TagQuery },
    existsOnly = false,
  ): Map<string, number> {
    const type = sel.type === undefined || sel.type === '' ? undefined : this.resolveType(sel.type).type;
    const split = splitSampleTerms(sel.query, this.reader.labelNames());
    const series = this.matchingSeries(split.series);
    return this.reader.sampleLabelCounts(label, type, sel.from, sel.to, series ? [...series] : undefined, existsOnly);
  }

  labelValues(
    name: string,
    sel: { from: number; to: number; type?: string; query?: TagQuery },
    options: { prefix?: string; limit?: number } = {},
  ): { name: string; values: { value: string; profiles: number }[]; truncated: boolean } {
    const known = this.reader.labelNames();
    const sample = sampleLabelOf(name, known);
    let counts: Map<string, number>;
    let shown: string;
    if (isSampleFacet(sample)) {
      counts = this.sampleFacet(sample, sel);
      shown = sample;
    } else {
      const keys = labelKeysFor(name, known);
      shown = keys[0] ?? name;
      const all = this.reader.series();
      counts = new Map<string, number>();
      const split = splitSampleTerms(sel.query, known);
      for (const [id, n] of this.seriesInRange({ ...sel, query: split.series })) {
        const labels = all.get(id);
        const v = labels === undefined ? undefined : labelValue(labels, keys);
        if (v === undefined) continue;
        counts.set(v, (counts.get(v) ?? 0) + n);
      }
    }
    let values = [...counts].map(([value, profiles]) => ({ value, profiles }));
    if (options.prefix) values = values.filter((v) => v.value.startsWith(options.prefix!));
    values.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const truncated = options.limit !== undefined && values.length > options.limit;
    if (truncated) values.length = options.limit!;
    return { name: shown, values, truncated };
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

  search(sel: Selection, options: { limit?: number; maxNodes?: number; top?: TopOptions } = {}): SearchResult {
    const s = this.select(sel, true);
    const { stacks, frames } = this.stacksOf(s);
    const tree = buildFlameTree(stacks, frames, { maxNodes: options.maxNodes });
    const limit = options.limit ?? 100;
    // Bucketed: only the newest profiles listed are read, not every profile of the range.
    const listed =
      s.bucketed && this.buckets
        ? this.buckets.newest(s.type.type, sel.from, sel.to, s.seriesIds ? new Set(s.seriesIds) : undefined, limit, this.reader.maxDurationMs())
        : s.refs;
    return {
      type: s.type.type,
      unit: s.type.unit,
      ...this.info(s),
      from: sel.from,
      to: sel.to,
      profileCount: this.info(s).snapshots,
      total: tree.root.total,
      truncated: tree.truncated,
      profiles: this.summaries(listed, limit),
      flame: tree.root,
      ...(options.top ? { top: topTable(stacks, frames, options.top) } : {}),
      hints: s.hints,
    };
  }

  /**
   * The flame graph of a selection and, with `top`, its top table computed from the very
   * same stacks: one answer for a page's header, percentages, table and graph.
   */
  flame(sel: Selection, options: { maxNodes?: number; top?: TopOptions } = {}): FlameResult {
    const s = this.select(sel, true);
    const { stacks, frames } = this.stacksOf(s);
    const tree = buildFlameTree(stacks, frames, { maxNodes: options.maxNodes });
    return {
      type: s.type.type,
      unit: s.type.unit,
      ...this.info(s),
      total: tree.root.total,
      truncated: tree.truncated,
      flame: tree.root,
      ...(options.top ? { top: topTable(stacks, frames, options.top) } : {}),
      hints: s.hints,
    };
  }

  top(sel: Selection, options: TopOptions = {}): TopResultJson {
    const s = this.select(sel, true);
    const { stacks, frames } = this.stacksOf(s);
    const groupBy = options.groupBy ?? 'function';
    const t = topFunctions(stacks, frames, { groupBy, sort: options.sort, limit: options.limit ?? DEFAULT_TOP_LIMIT });
    return { type: s.type.type, unit: s.type.unit, ...this.info(s), groupBy, total: t.total, rows: t.rows };
  }

  /** Stack values of a hotspot target within the selection. */
  private hotspotStacks(target: HotspotTarget, sel: Selection) {
    const s = this.select(sel);
    const { spanTarget, spanIds } = this.spanTargetOf(target);
    return { type: s.type, selected: s, spanIds, spanTarget, ...this.stacksOf(s, spanTarget) };
  }

  private spanTargetOf(target: HotspotTarget): { spanTarget: SpanTarget; spanIds: string[] } {
    if (target.kind === 'span') {
      const spanIds = target.includeChildren ? this.reader.descendants(target.id) : [target.id];
      return { spanTarget: { spanIds }, spanIds };
    }
    return { spanTarget: target.kind === 'trace' ? { traceId: target.id } : { endpoint: target.id }, spanIds: [] };
  }

  hotspots(target: HotspotTarget, sel: Selection, options: TopOptions & { maxNodes?: number } = {}): HotspotResult {
    const h = this.hotspotStacks(target, sel);
    const tree = buildFlameTree(h.stacks, h.frames, { maxNodes: options.maxNodes });
    const top = topFunctions(h.stacks, h.frames, { groupBy: options.groupBy, sort: options.sort, limit: options.limit ?? DEFAULT_TOP_LIMIT });
    return {
      type: h.type.type,
      unit: h.type.unit,
      ...this.info(h.selected),
      from: sel.from,
      to: sel.to,
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
    const sa = this.select({ ...a, type: type.type }, true);
    const sb = this.select({ ...b, type: type.type }, true);
    const ra = this.stacksOf(sa);
    const rb = this.stacksOf(sb);
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
      a: { total: ta.total, profiles: this.info(sa).snapshots, ...this.info(sa) },
      b: { total: tb.total, profiles: this.info(sb).snapshots, ...this.info(sb) },
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
    // CPU: the stored totals include idle samples; take them out as the other views do.
    const idle =
      !s.includeIdle && isCpuType(s.type.type)
        ? this.reader.leafTotals(
            s.refs.map((r) => r.id),
            IDLE_FRAME,
          )
        : undefined;
    const out = bucketSeries(
      s.refs.map((r) => ({
        startMs: r.startMs,
        total: r.total - (idle?.get(r.id) ?? 0),
        labels: series.get(r.seriesId) ?? {},
        seriesId: r.seriesId,
      })),
      { from: sel.from, to: sel.to, step, groupBy: keys && label ? { label, keys } : undefined, limit: options.limit, aggregation: s.aggregation },
    );
    const last = sel.from + (bucketCount(sel.from, sel.to, step) - 1) * step;
    return {
      type: s.type.type,
      unit: s.type.unit,
      aggregation: s.aggregation,
      from: sel.from,
      to: sel.to,
      step,
      groupBy: label,
      series: out,
      partialFrom: last + step - 1 > sel.to ? last : null,
    };
  }

  /**
   * The selection (or a hotspot target within it) as gzip'd pprof bytes. With `labels`,
   * samples keep the sample labels stored with them (span_id, span_name, trace_id,
   * local root span id, trace endpoint, thread.name, thread.id); samples without any stay
   * unlabelled.
   */
  pprof(sel: Selection, target?: HotspotTarget, options: { labels?: boolean } = {}): Uint8Array {
    const s = this.select(sel);
    const spanTarget = target ? this.spanTargetOf(target).spanTarget : undefined;
    const resolved = this.stacksOf(s, spanTarget);
    // The profile's window: that of the data in it, within the selection.
    let window = resolved.window;
    if (!bothTargets(s.sampleTarget, spanTarget)) {
      for (const r of s.refs)
        window = window ? { from: Math.min(window.from, r.startMs), to: Math.max(window.to, r.endMs) } : { from: r.startMs, to: r.endMs };
    }
    const stacks = options.labels ? this.labelledStacks(s, spanTarget, resolved) : resolved.stacks;
    const from = Math.max(sel.from, window?.from ?? sel.from);
    const to = Math.max(from, Math.min(sel.to, window?.to ?? sel.to));
    const type = s.type;
    const timed = type.unit === 'nanoseconds' && type.periodType !== '';
    const profile = stacksToPprof(stacks, resolved.frames, {
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

  /** The resolved stacks split by the sample labels of their labelled samples. */
  private labelledStacks(s: Selected, spanTarget: SpanTarget | undefined, resolved: Resolved): LabelledStack[] {
    const t = bothTargets(s.sampleTarget, spanTarget);
    const rows = this.reader.labelledSpans(t ?? {}, s.type.type, s.from, s.to, s.seriesIds, seriesWeights(s.refs, s.aggregation));
    const byId = new Map(resolved.stacks.map((st) => [st.id, st]));
    const remaining = new Map(resolved.stacks.map((st) => [st.id, st.value]));
    const names = this.reader.spanNames([...new Set(rows.map((r) => r.labels.spanId).filter((x) => x !== ''))]);
    const out: LabelledStack[] = [];
    for (const r of rows) {
      const st = byId.get(r.stackId);
      if (!st) continue; // left out (idle) or deleted meanwhile
      remaining.set(r.stackId, remaining.get(r.stackId)! - r.value);
      const l = r.labels;
      out.push({
        frames: st.frames,
        value: r.value,
        labels: [
          [PPROF_LABELS.SPAN_ID, l.spanId],
          [PPROF_LABELS.SPAN_NAME, names.get(l.spanId) ?? ''],
          [PPROF_LABELS.TRACE_ID, l.traceId],
          [PPROF_LABELS.LOCAL_ROOT_SPAN_ID, decimalOf(l.localRootSpanId)],
          [PPROF_LABELS.TRACE_ENDPOINT, l.endpoint],
          [THREAD_LABELS.NAME, l.threadName],
          // A string, as dd-trace writes its `thread id`: pprof readers drop a numeric label
          // of 0 without a unit, and 0 is the id of Node's main thread.
          [THREAD_LABELS.ID, l.threadId],
        ],
      });
    }
    if (t) return out;
    // Whole-selection downloads: what carries no sample-level label stays, unlabelled.
    for (const [id, v] of remaining) if (v > 0.5) out.push({ frames: byId.get(id)!.frames, value: v });
    return out;
  }

  health(): { profiles: number } {
    return { profiles: this.reader.profileCount() };
  }
}

function topTable(stacks: StackValue[], frames: ReadonlyMap<number, FrameInfo>, options: TopOptions): TopTable {
  const groupBy = options.groupBy ?? 'function';
  const sort = options.sort ?? 'self';
  return { groupBy, sort, rows: topFunctions(stacks, frames, { groupBy, sort, limit: options.limit ?? DEFAULT_TOP_LIMIT }).rows };
}

/** A hex span id as pprof's decimal `local root span id`; '' stays ''. */
function decimalOf(hex: string): string {
  if (hex === '') return '';
  try {
    return spanIdToDecimal(bytesOfHex(hex));
  } catch {
    return '';
  }
}
