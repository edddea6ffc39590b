// Data access for queries, on a read-only connection (in the API's thread or a query
// worker). Each call is one short read transaction, so a query never holds the WAL back
// for long and never blocks ingestion. Frames, stacks and series are cached by id: ids are
// never reused (AUTOINCREMENT), so cached entries cannot go stale.
import type Database from 'better-sqlite3';
import { decodeSamples, decodeStack } from './schema.js';
import { ByteBoundedMap, MAP_ENTRY_BYTES, SMALL_OBJECT_BYTES, stringBytes } from './byte-bounded-map.js';
import type { FrameInfo, StackValue } from './query/types.js';

export interface TypeInfo {
  type: string;
  unit: string;
  periodType: string;
  periodUnit: string;
  period: number;
}

/** The columns of a profile that selection and aggregation need. */
export interface ProfileRef {
  id: number;
  seriesId: number;
  startMs: number;
  endMs: number;
  total: number;
}

export interface ProfileRow extends ProfileRef {
  profileKey: string;
  type: string;
  unit: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
  period: number;
  samples: number;
}

export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  endpoint: string;
  localRootSpanId: string;
  startUs: number;
  endUs: number;
}

/** Which labelled samples (span_samples rows) to take; every given field must hold (lists: any of). */
export interface SpanTarget {
  spanIds?: readonly string[];
  traceId?: string;
  endpoint?: string;
  traceIds?: readonly string[];
  endpoints?: readonly string[];
  /** Names of the spans (looked up in the stored spans). */
  spanNames?: readonly string[];
  /** Thread names (the samples' thread name label). */
  threadNames?: readonly string[];
  /** Samples attributed to some span / to some endpoint. */
  hasSpan?: boolean;
  hasEndpoint?: boolean;
  hasSpanName?: boolean;
  /** Samples that carry a thread name. */
  hasThread?: boolean;
}

/** The sample labels of labelled samples, as stored ('' where a sample has none). */
export interface SampleLabels {
  spanId: string;
  traceId: string;
  localRootSpanId: string;
  endpoint: string;
  threadName: string;
  threadId: string;
}

/** Sample-level labels whose values are listed as facets, and where each value is read. */
export type SampleFacet = 'span_name' | 'trace endpoint' | 'thread.name';

/**
 * Cache bounds in estimated heap bytes (oldest entries evicted first): a stack is a
 * Uint32Array (object, buffer and 4 bytes a frame), a frame its strings and object.
 */
export const READER_STACK_CACHE_BYTES = 64 * 2 ** 20;
export const READER_FRAME_CACHE_BYTES = 16 * 2 ** 20;
const TYPED_ARRAY_BYTES = 120;
const CHUNK = 5000;

function chunks<T>(list: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

export class StoreReader {
  private readonly seriesLabels = new Map<number, Readonly<Record<string, string>>>();
  private maxSeriesId = 0;
  private readonly names = new Set<string>();
  private readonly frames = new ByteBoundedMap<number, FrameInfo>(
    READER_FRAME_CACHE_BYTES,
    (_id, f) => MAP_ENTRY_BYTES + SMALL_OBJECT_BYTES + stringBytes(f.name) + stringBytes(f.file),
  );
  private readonly stacks = new ByteBoundedMap<number, Uint32Array>(
    READER_STACK_CACHE_BYTES,
    (_id, s) => MAP_ENTRY_BYTES + TYPED_ARRAY_BYTES + s.byteLength,
  );
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    this.stmt = {
      types: db.prepare('SELECT type, unit, period_type AS periodType, period_unit AS periodUnit, period FROM profile_types ORDER BY type'),
      seriesSince: db.prepare('SELECT id, labels FROM series WHERE id > ? ORDER BY id').raw(),
      maxDuration: db.prepare(`SELECT value FROM meta WHERE key = 'max_profile_duration_ms'`).pluck(),
      refsByType: db
        .prepare(
          `SELECT id, series_id, start_ms, end_ms, total FROM profiles
           WHERE type = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ?`,
        )
        .raw(),
      refsAllTypes: db
        .prepare(
          `SELECT id, series_id, start_ms, end_ms, total, type FROM profiles
           WHERE start_ms BETWEEN ? AND ? AND end_ms >= ?`,
        )
        .raw(),
      rowsByIds: db.prepare(
        `SELECT id, series_id AS seriesId, start_ms AS startMs, end_ms AS endMs, total, profile_key AS profileKey, type, unit,
           sample_type AS sampleType, sample_unit AS sampleUnit, period_type AS periodType, period_unit AS periodUnit, period, samples
         FROM profiles WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      samplesByIds: db.prepare('SELECT profile_id, stack_ids, vals FROM samples WHERE profile_id IN (SELECT value FROM json_each(?))').raw(),
      stacksByIds: db.prepare('SELECT id, frames FROM stacks WHERE id IN (SELECT value FROM json_each(?))').raw(),
      framesByIds: db.prepare('SELECT id, name, file, line, start_line FROM functions WHERE id IN (SELECT value FROM json_each(?))').raw(),
      profileCount: db.prepare('SELECT count(*) FROM profiles').pluck(),
      spanById: db.prepare(SPAN_SELECT + ' WHERE span_id = ?'),
      spansByTrace: db.prepare(SPAN_SELECT + ' WHERE trace_id = ? ORDER BY start_us, span_id'),
      descendants: db
        .prepare(
          `WITH RECURSIVE d(id, depth) AS (
             SELECT ?, 0
             UNION
             SELECT s.span_id, d.depth + 1 FROM spans s JOIN d ON s.parent_span_id = d.id WHERE d.depth < 1000
           )
           SELECT id FROM d LIMIT ?`,
        )
        .pluck(),
    };
  }

  types(): Map<string, TypeInfo> {
    const out = new Map<string, TypeInfo>();
    for (const t of this.stmt.types.all() as TypeInfo[]) out.set(t.type, t);
    return out;
  }

  /** Longest profile window stored; selection looks back this far before `from`. */
  maxDurationMs(): number {
    const v = this.stmt.maxDuration.get() as string | undefined;
    return v === undefined ? 0 : Number(v);
  }

  profileCount(): number {
    return this.stmt.profileCount.get() as number;
  }

  /** Series labels by series id (every series ever stored). */
  series(): ReadonlyMap<number, Readonly<Record<string, string>>> {
    for (const [id, labels] of this.stmt.seriesSince.all(this.maxSeriesId) as [number, string][]) {
      const parsed = JSON.parse(labels) as Record<string, string>;
      this.seriesLabels.set(id, parsed);
      for (const k of Object.keys(parsed)) this.names.add(k);
      if (id > this.maxSeriesId) this.maxSeriesId = id;
    }
    return this.seriesLabels;
  }

  /** Every label name of every series. */
  labelNames(): ReadonlySet<string> {
    this.series();
    return this.names;
  }

  /** Profiles of `type` (or of every type) whose window overlaps [from, to]. */
  profileRefs(type: string | undefined, from: number, to: number): (ProfileRef & { type?: string })[] {
    const lookBack = from - this.maxDurationMs();
    if (type !== undefined) {
      const rows = this.stmt.refsByType.all(type, lookBack, to, from) as [number, number, number, number, number][];
      return rows.map(([id, seriesId, startMs, endMs, total]) => ({ id, seriesId, startMs, endMs, total }));
    }
    const rows = this.stmt.refsAllTypes.all(lookBack, to, from) as [number, number, number, number, number, string][];
    return rows.map(([id, seriesId, startMs, endMs, total, t]) => ({ id, seriesId, startMs, endMs, total, type: t }));
  }

  profileRows(ids: readonly number[]): ProfileRow[] {
    const out: ProfileRow[] = [];
    for (const c of chunks(ids)) out.push(...(this.stmt.rowsByIds.all(JSON.stringify(c)) as ProfileRow[]));
    return out;
  }

  /** Value per stack id, summed over the profiles (each scaled by its weight, when given). */
  aggregate(profileIds: readonly number[], weights?: ReadonlyMap<number, number>): Map<number, number> {
    const acc = new Map<number, number>();
    const read = this.db.transaction(() => {
      for (const c of chunks(profileIds, 2000)) {
        for (const [pid, idBlob, valBlob] of this.stmt.samplesByIds.iterate(JSON.stringify(c)) as Iterable<[number, Buffer, Buffer]>) {
          const { ids, vals } = decodeSamples(idBlob, valBlob);
          const w = weights?.get(pid) ?? 1;
          for (let i = 0; i < ids.length; i++) {
            const id = ids[i]!;
            acc.set(id, (acc.get(id) ?? 0) + vals[i]! * w);
          }
        }
      }
    });
    read();
    // Averages: drop the float noise of adding many thirds and sixths (1e-3 of a unit).
    if (weights) for (const [id, v] of acc) acc.set(id, Math.round(v * 1000) / 1000);
    return acc;
  }

  /**
   * Per profile, the value of its samples whose leaf frame is named `leafName` (e.g. the
   * idle pseudo-frame, to take it out of per-profile totals). Profiles without any are absent.
   */
  leafTotals(profileIds: readonly number[], leafName: string): Map<number, number> {
    const out = new Map<number, number>();
    if (profileIds.length === 0) return out;
    const read = this.db.transaction(() => {
      // Which stacks end in that frame: the stacks of these profiles, resolved (cached).
      const all = new Map<number, number>();
      const each = (fn: (pid: number, ids: Uint32Array, vals: Float64Array) => void) => {
        for (const c of chunks(profileIds, 2000)) {
          for (const [pid, idBlob, valBlob] of this.stmt.samplesByIds.iterate(JSON.stringify(c)) as Iterable<[number, Buffer, Buffer]>) {
            const { ids, vals } = decodeSamples(idBlob, valBlob);
            fn(pid, ids, vals);
          }
        }
      };
      each((_pid, ids) => {
        for (let i = 0; i < ids.length; i++) all.set(ids[i]!, 0);
      });
      const { stacks, frames } = this.resolve(all);
      const hit = new Set<number>();
      for (const st of stacks) if (st.frames.length > 0 && frames.get(st.frames[0]!)?.name === leafName) hit.add(st.id);
      if (hit.size === 0) return;
      each((pid, ids, vals) => {
        let v = 0;
        for (let i = 0; i < ids.length; i++) if (hit.has(ids[i]!)) v += vals[i]!;
        if (v !== 0) out.set(pid, v);
      });
    });
    read();
    return out;
  }

  /**
   * Value per stack id of the samples attributed to the target, within the given profiles'
   * filter (type, window, series). `seriesWeights` scales each series' values (averaging).
   */
  aggregateSpans(
    target: SpanTarget,
    type: string,
    from: number,
    to: number,
    seriesIds: readonly number[] | undefined,
    seriesWeights?: ReadonlyMap<number, number>,
  ): { agg: Map<number, number>; window: { from: number; to: number } | undefined } {
    const acc = new Map<number, number>();
    let window: { from: number; to: number } | undefined;
    for (const r of this.spanRows(target, type, from, to, seriesIds, seriesWeights, false)) {
      acc.set(r.stackId, (acc.get(r.stackId) ?? 0) + r.value);
      window = window ? { from: Math.min(window.from, r.start), to: Math.max(window.to, r.end) } : { from: r.start, to: r.end };
    }
    if (seriesWeights) for (const [id, v] of acc) acc.set(id, Math.round(v * 1000) / 1000);
    return { agg: acc, window };
  }

  /** Like aggregateSpans, per stack and distinct sample labels (for pprof downloads with labels). */
  labelledSpans(
    target: SpanTarget,
    type: string,
    from: number,
    to: number,
    seriesIds: readonly number[] | undefined,
    seriesWeights?: ReadonlyMap<number, number>,
  ): { stackId: number; labels: SampleLabels; value: number }[] {
    const out = new Map<string, { stackId: number; labels: SampleLabels; value: number }>();
    for (const r of this.spanRows(target, type, from, to, seriesIds, seriesWeights, true)) {
      const l = r.labels!;
      const k = `${r.stackId}|${l.spanId}|${l.traceId}|${l.localRootSpanId}|${l.endpoint}|${l.threadName}|${l.threadId}`;
      const hit = out.get(k);
      if (hit) hit.value += r.value;
      else out.set(k, { stackId: r.stackId, labels: r.labels!, value: r.value });
    }
    return [...out.values()];
  }

  private spanRows(
    target: SpanTarget,
    type: string,
    from: number,
    to: number,
    seriesIds: readonly number[] | undefined,
    seriesWeights: ReadonlyMap<number, number> | undefined,
    withLabels: boolean,
  ): { stackId: number; value: number; start: number; end: number; labels?: SampleLabels }[] {
    const where: string[] = ['p.type = @type', 'p.start_ms BETWEEN @lookBack AND @to', 'p.end_ms >= @from'];
    const params: Record<string, unknown> = { type, lookBack: from - this.maxDurationMs(), to, from };
    if (target.spanIds) {
      where.push('ss.span_id IN (SELECT value FROM json_each(@spans))');
      params.spans = JSON.stringify(target.spanIds);
    }
    if (target.traceId !== undefined) {
      where.push('ss.trace_id = @trace');
      params.trace = target.traceId;
    }
    if (target.endpoint !== undefined) {
      where.push('ss.endpoint = @endpoint');
      params.endpoint = target.endpoint;
    }
    if (target.traceIds) {
      where.push('ss.trace_id IN (SELECT value FROM json_each(@traces))');
      params.traces = JSON.stringify(target.traceIds);
    }
    if (target.endpoints) {
      where.push('ss.endpoint IN (SELECT value FROM json_each(@endpoints))');
      params.endpoints = JSON.stringify(target.endpoints);
    }
    if (target.spanNames) {
      where.push('ss.span_id IN (SELECT span_id FROM spans WHERE name IN (SELECT value FROM json_each(@names)))');
      params.names = JSON.stringify(target.spanNames);
    }
    if (target.threadNames) {
      where.push('ss.thread_name IN (SELECT value FROM json_each(@threads))');
      params.threads = JSON.stringify(target.threadNames);
    }
    if (target.hasSpan) where.push(`ss.span_id <> ''`);
    if (target.hasEndpoint) where.push(`ss.endpoint <> ''`);
    if (target.hasSpanName) where.push('ss.span_id IN (SELECT span_id FROM spans)');
    if (target.hasThread) where.push(`ss.thread_name <> ''`);
    if (seriesIds) {
      where.push('p.series_id IN (SELECT value FROM json_each(@series))');
      params.series = JSON.stringify(seriesIds);
    }
    const labelCols = withLabels ? ', ss.span_id, ss.trace_id, ss.local_root_span_id, ss.endpoint, ss.thread_name, ss.thread_id' : '';
    // CROSS JOIN fixes the loop order: the span_samples index on the target first, then each
    // row's profile by primary key. Left to itself the planner may scan every profile in the
    // range and all their attributed samples, which for a single span is most of the table.
    const sql = `SELECT ss.stack_id, SUM(ss.value), MIN(p.start_ms), MAX(p.end_ms), p.series_id${labelCols}
                 FROM span_samples ss CROSS JOIN profiles p ON p.id = ss.profile_id
                 WHERE ${where.join(' AND ')} GROUP BY ss.stack_id, p.series_id${labelCols}`;
    const rows = this.db.prepare(sql).raw().all(params) as [
      number,
      number,
      number,
      number,
      number,
      string?,
      string?,
      string?,
      string?,
      string?,
      string?,
    ][];
    return rows.map(([stackId, v, start, end, series, spanId, traceId, root, endpoint, threadName, threadId]) => ({
      stackId,
      value: v * (seriesWeights?.get(series) ?? 1),
      start,
      end,
      labels: withLabels
        ? { spanId: spanId!, traceId: traceId!, localRootSpanId: root!, endpoint: endpoint!, threadName: threadName!, threadId: threadId! }
        : undefined,
    }));
  }

  /** Span names by span id, for the given ids (those stored). */
  spanNames(spanIds: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const c of chunks(spanIds)) {
      for (const [id, name] of this.db
        .prepare('SELECT span_id, name FROM spans WHERE span_id IN (SELECT value FROM json_each(?))')
        .raw()
        .all(JSON.stringify(c)) as [string, string][]) {
        out.set(id, name);
      }
    }
    return out;
  }

  /**
   * Values of a sample-level label among the labelled samples of profiles in the range
   * (of `type` when given), with how many profiles carry each.
   */
  sampleLabelCounts(
    label: SampleFacet,
    type: string | undefined,
    from: number,
    to: number,
    seriesIds: readonly number[] | undefined,
    existsOnly = false,
  ): Map<string, number> {
    const where = ['p.start_ms BETWEEN @lookBack AND @to', 'p.end_ms >= @from'];
    const params: Record<string, unknown> = { lookBack: from - this.maxDurationMs(), to, from };
    if (type !== undefined) {
      where.push('p.type = @type');
      params.type = type;
    }
    if (seriesIds) {
      where.push('p.series_id IN (SELECT value FROM json_each(@series))');
      params.series = JSON.stringify(seriesIds);
    }
    const col = label === 'span_name' ? 'sp.name' : label === 'thread.name' ? 'ss.thread_name' : 'ss.endpoint';
    const from_ =
      label === 'span_name'
        ? `FROM profiles p CROSS JOIN span_samples ss ON ss.profile_id = p.id JOIN spans sp ON sp.span_id = ss.span_id WHERE ${where.join(' AND ')}`
        : `FROM profiles p CROSS JOIN span_samples ss ON ss.profile_id = p.id WHERE ${where.join(' AND ')} AND ${col} <> ''`;
    if (existsOnly) {
      // Label lists only need to know whether any sample carries it: stop at the first.
      const row = this.db.prepare(`SELECT ${col} ${from_} LIMIT 1`).pluck().get(params) as string | undefined;
      return new Map(row === undefined ? [] : [[row, 1]]);
    }
    return new Map(this.db.prepare(`SELECT ${col}, COUNT(DISTINCT p.id) ${from_} GROUP BY ${col}`).raw().all(params) as [string, number][]);
  }

  /** Stacks with their values, and the frames they reference. */
  resolve(agg: ReadonlyMap<number, number>): { stacks: (StackValue & { id: number })[]; frames: Map<number, FrameInfo> } {
    // This answer's stacks, held here: the cache may evict some while the rest are read.
    const found = new Map<number, Uint32Array>();
    const missing: number[] = [];
    for (const id of agg.keys()) {
      const frames = this.stacks.get(id);
      if (frames) found.set(id, frames);
      else missing.push(id);
    }
    for (const c of chunks(missing)) {
      for (const [id, blob] of this.stmt.stacksByIds.all(JSON.stringify(c)) as [number, Buffer][]) {
        const frames = decodeStack(blob);
        found.set(id, frames);
        this.stacks.set(id, frames);
      }
    }
    const stacks: (StackValue & { id: number })[] = [];
    const frameIds = new Set<number>();
    for (const [id, value] of agg) {
      const frames = found.get(id);
      if (!frames) continue; // deleted by retention between the two reads
      stacks.push({ id, frames, value });
      for (let i = 0; i < frames.length; i++) frameIds.add(frames[i]!);
    }
    return { stacks, frames: this.frameTable(frameIds) };
  }

  private frameTable(ids: Iterable<number>): Map<number, FrameInfo> {
    const missing: number[] = [];
    const out = new Map<number, FrameInfo>();
    for (const id of ids) {
      const f = this.frames.get(id);
      if (f) out.set(id, f);
      else missing.push(id);
    }
    for (const c of chunks(missing)) {
      for (const [id, name, file, line, startLine] of this.stmt.framesByIds.all(JSON.stringify(c)) as [number, string, string, number, number][]) {
        const f: FrameInfo = { name, file, line, startLine };
        this.frames.set(id, f);
        out.set(id, f);
      }
    }
    return out;
  }

  span(spanId: string): SpanRow | undefined {
    return this.stmt.spanById.get(spanId) as SpanRow | undefined;
  }

  traceSpans(traceId: string): SpanRow[] {
    return this.stmt.spansByTrace.all(traceId) as SpanRow[];
  }

  /** The span and every stored descendant (any service), the span first; at most `limit`. */
  descendants(spanId: string, limit = 100_000): string[] {
    return this.stmt.descendants.all(spanId, limit) as string[];
  }

  /** Spans that started in [fromUs, toUs], longest first. */
  slowSpans(options: { fromUs: number; toUs: number; service?: string; endpoint?: string; profiled?: boolean; limit: number }): SpanRow[] {
    const where = ['start_us BETWEEN @fromUs AND @toUs'];
    if (options.service !== undefined) where.push('service = @service');
    if (options.endpoint !== undefined) where.push('endpoint = @endpoint');
    if (options.profiled) where.push('EXISTS (SELECT 1 FROM span_samples ss WHERE ss.span_id = spans.span_id)');
    const sql = `${SPAN_SELECT} WHERE ${where.join(' AND ')} ORDER BY end_us - start_us DESC, span_id LIMIT @limit`;
    const params: Record<string, unknown> = { fromUs: options.fromUs, toUs: options.toUs, limit: options.limit };
    if (options.service !== undefined) params.service = options.service;
    if (options.endpoint !== undefined) params.endpoint = options.endpoint;
    return this.db.prepare(sql).all(params) as SpanRow[];
  }

  /** Per profile type, the value attributed to each of the spans (the span itself only). */
  spanSampleTotals(spanIds: readonly string[]): Map<string, Record<string, number>> {
    const out = new Map<string, Record<string, number>>();
    if (spanIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT ss.span_id, p.type, SUM(ss.value) FROM span_samples ss CROSS JOIN profiles p ON p.id = ss.profile_id
         WHERE ss.span_id IN (SELECT value FROM json_each(?)) GROUP BY ss.span_id, p.type`,
      )
      .raw()
      .all(JSON.stringify(spanIds)) as [string, string, number][];
    for (const [span, type, v] of rows) {
      let rec = out.get(span);
      if (!rec) out.set(span, (rec = {}));
      rec[type] = v;
    }
    return out;
  }
}

const SPAN_SELECT = `SELECT trace_id AS traceId, span_id AS spanId, parent_span_id AS parentSpanId, name, service, endpoint,
  local_root_span_id AS localRootSpanId, start_us AS startUs, end_us AS endUs FROM spans`;
