// Long-range aggregates from the buckets: whole buckets where the range covers them, raw
// profiles for the edges and for profiles compaction has not merged yet. The answer is the
// one reading every raw profile of the range gives (same profiles, same per-series
// snapshot counts for averaged types), at a cost of O(buckets × distinct stacks) instead
// of O(stored samples). Runs on a read connection, inside the query's read transaction.
import type Database from 'better-sqlite3';
import type { Aggregation } from '../query/aggregation.js';
import { decodeSamples } from '../schema.js';
import { StackAccumulator } from './accumulate.js';
import { coverPlan, type CoverPlan } from './plan.js';
import { bucketsFrom } from './schema.js';

export interface BucketAggregate {
  /** Value per stack id, as StoreReader.aggregate gives for the same profiles. */
  agg: Map<number, number>;
  /** Profiles the answer covers (bucketed and raw). */
  snapshots: number;
  /** Earliest start and latest end of those profiles; undefined when none. */
  window: { from: number; to: number } | undefined;
  /** What was read: bucket rows, and raw profiles (edges + not yet compacted). */
  bucketRows: number;
  rawProfiles: number;
  plan: CoverPlan;
}

/** A profile of the range, newest first (for listings). */
export interface NewestRef {
  id: number;
  seriesId: number;
  startMs: number;
  endMs: number;
  total: number;
}

const CHUNK = 2000;

export class BucketReader {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      buckets: db
        .prepare(
          'SELECT series_id, snapshots, first_ms, last_ms, stack_ids, vals FROM buckets WHERE type = ? AND resolution_ms = ? AND start_ms >= ? AND start_ms < ?',
        )
        .raw(),
      rawBefore: db
        .prepare('SELECT id, series_id, start_ms, end_ms FROM profiles WHERE type = ? AND start_ms >= ? AND start_ms < ? AND end_ms >= ?')
        .raw(),
      rawAfter: db.prepare('SELECT id, series_id, start_ms, end_ms FROM profiles WHERE type = ? AND start_ms >= ? AND start_ms <= ?').raw(),
      pending: db
        .prepare(
          `SELECT p.id, p.series_id, p.start_ms, p.end_ms FROM bucket_pending bp CROSS JOIN profiles p ON p.id = bp.profile_id
           WHERE bp.start_ms >= ? AND bp.start_ms < ? AND bp.type = ?`,
        )
        .raw(),
      samples: db.prepare('SELECT profile_id, stack_ids, vals FROM samples WHERE profile_id IN (SELECT value FROM json_each(?))').raw(),
      newest: db
        .prepare(
          'SELECT id, series_id, start_ms, end_ms, total FROM profiles WHERE type = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms DESC, id DESC',
        )
        .raw(),
    };
  }

  /**
   * The aggregate of `type` over [from, to] (series in `series`, or all), or undefined when
   * the range holds no whole bucket (read it raw then). `lookBackMs`: the longest stored
   * profile window, as raw selection looks back that far for profiles overlapping `from`.
   */
  aggregate(
    type: string,
    from: number,
    to: number,
    series: ReadonlySet<number> | undefined,
    aggregation: Aggregation,
    lookBackMs: number,
  ): BucketAggregate | undefined {
    const plan = coverPlan(from, to, bucketsFrom(this.db));
    if (!plan) return undefined;
    const keep = (s: number) => !series || series.has(s);
    const perSeries = new Map<number, number>();
    const count = (s: number, n: number) => perSeries.set(s, (perSeries.get(s) ?? 0) + n);
    let window: { from: number; to: number } | undefined;
    const widen = (a: number, b: number) => (window = window ? { from: Math.min(window.from, a), to: Math.max(window.to, b) } : { from: a, to: b });

    const rows: { seriesId: number; ids: Uint32Array; vals: Float64Array }[] = [];
    for (const p of plan.pieces) {
      for (const [seriesId, snapshots, firstMs, lastMs, idBlob, valBlob] of this.stmt.buckets.iterate(
        type,
        p.resolutionMs,
        p.fromMs,
        p.toMs,
      ) as Iterable<[number, number, number, number, Buffer, Buffer]>) {
        if (!keep(seriesId)) continue;
        count(seriesId, snapshots);
        widen(firstMs, lastMs);
        rows.push({ seriesId, ...decodeSamples(idBlob, valBlob) });
      }
    }
    const raw = new Map<number, number>(); // profile id -> series id
    const takeRaw = (list: [number, number, number, number][]) => {
      for (const [id, seriesId, startMs, endMs] of list) {
        if (!keep(seriesId) || raw.has(id)) continue;
        raw.set(id, seriesId);
        count(seriesId, 1);
        widen(startMs, endMs);
      }
    };
    takeRaw(this.stmt.rawBefore.all(type, from - lookBackMs, plan.firstMs, from) as [number, number, number, number][]);
    takeRaw(this.stmt.pending.all(plan.firstMs, plan.endMs, type) as [number, number, number, number][]);
    takeRaw(this.stmt.rawAfter.all(type, plan.endMs, to) as [number, number, number, number][]);

    // Averaged types: each series contributes its mean over its snapshots in the range.
    const weight = (s: number) => (aggregation === 'average' ? 1 / perSeries.get(s)! : 1);
    const acc = new StackAccumulator();
    for (const r of rows) acc.add(r.ids, r.vals, weight(r.seriesId));
    const ids = [...raw.keys()];
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const [pid, idBlob, valBlob] of this.stmt.samples.iterate(JSON.stringify(ids.slice(i, i + CHUNK))) as Iterable<[number, Buffer, Buffer]>) {
        const s = decodeSamples(idBlob, valBlob);
        acc.add(s.ids, s.vals, weight(raw.get(pid)!));
      }
    }
    let snapshots = 0;
    for (const n of perSeries.values()) snapshots += n;
    return { agg: acc.toMap(aggregation === 'average'), snapshots, window, bucketRows: rows.length, rawProfiles: raw.size, plan };
  }

  /** The newest `limit` profiles of the range (series in `series`, or all), newest first. */
  newest(type: string, from: number, to: number, series: ReadonlySet<number> | undefined, limit: number, lookBackMs: number): NewestRef[] {
    const out: NewestRef[] = [];
    if (limit <= 0) return out;
    for (const [id, seriesId, startMs, endMs, total] of this.stmt.newest.iterate(type, from - lookBackMs, to, from) as Iterable<
      [number, number, number, number, number]
    >) {
      if (series && !series.has(seriesId)) continue;
      out.push({ id, seriesId, startMs, endMs, total });
      if (out.length >= limit) break;
    }
    return out;
  }
}
