// Writes extracted profiles and spans into the database. Synchronous (better-sqlite3):
// the caller groups many items into one transaction, which is what makes SQLite fast.
// Frames, stacks and series are interned through in-memory caches backed by the tables.
import type Database from 'better-sqlite3';
import type { ExtractedProfile } from './ingest/extract.js';
import type { SpanRecord } from './ingest/spans.js';
import { encodeSamples, encodeStack } from './schema.js';
import { ByteBoundedMap, MAP_ENTRY_BYTES, SMALL_OBJECT_BYTES, stringBytes } from './byte-bounded-map.js';

/**
 * A stack's or function's `last_seen_ms` (the latest end of a profile using it) is moved
 * forward only when it grows by more than this, so a hot stack is not rewritten for every
 * profile. Retention keeps stacks and functions seen within this slack of the oldest
 * profile it keeps (see retention.ts).
 */
export const LAST_SEEN_SLACK_MS = 10 * 60_000;

/**
 * Cache bounds, in estimated heap bytes: the oldest entries are evicted beyond them (the
 * tables still answer; only speed is lost). About 150 k stacks of depth 20, 130 k functions.
 */
export const STACK_CACHE_BYTES = 32 * 2 ** 20;
export const FUNCTION_CACHE_BYTES = 16 * 2 ** 20;
export const SERIES_CACHE_BYTES = 4 * 2 ** 20;

export interface StoreWriterOptions {
  /** Bounds of the id caches in estimated bytes (defaults above; tests pass small ones). */
  stackCacheBytes?: number;
  functionCacheBytes?: number;
  seriesCacheBytes?: number;
}

interface CachedId {
  id: number;
  lastSeen: number;
}

/** A cached id entry: key string, map slot and the { id, lastSeen } object. */
const idEntryBytes = (key: string): number => stringBytes(key) + MAP_ENTRY_BYTES + SMALL_OBJECT_BYTES;

export interface WrittenProfile {
  /** Row id in `profiles`. */
  id: number;
  profile: ExtractedProfile;
}

export class StoreWriter {
  private readonly seriesIds: ByteBoundedMap<string, number>;
  private readonly functionIds: ByteBoundedMap<string, CachedId>;
  private readonly stackIds: ByteBoundedMap<string, CachedId>;
  private readonly knownTypes = new Set<string>();
  private maxDurationMs: number;
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    options: StoreWriterOptions = {},
  ) {
    this.seriesIds = new ByteBoundedMap(options.seriesCacheBytes ?? SERIES_CACHE_BYTES, (key) => stringBytes(key) + MAP_ENTRY_BYTES);
    this.functionIds = new ByteBoundedMap(options.functionCacheBytes ?? FUNCTION_CACHE_BYTES, idEntryBytes);
    this.stackIds = new ByteBoundedMap(options.stackCacheBytes ?? STACK_CACHE_BYTES, idEntryBytes);
    this.stmt = {
      seriesInsert: db.prepare('INSERT OR IGNORE INTO series (key, labels) VALUES (?, ?)'),
      seriesSelect: db.prepare('SELECT id FROM series WHERE key = ?').pluck(),
      typeInsert: db.prepare('INSERT OR IGNORE INTO profile_types (type, unit, period_type, period_unit, period) VALUES (?, ?, ?, ?, ?)'),
      profileInsert: db.prepare(
        `INSERT OR IGNORE INTO profiles (profile_key, type, series_id, start_ms, end_ms, unit, sample_type, sample_unit, period_type, period_unit, period, total, samples, stacks)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      functionInsert: db.prepare('INSERT INTO functions (name, file, line, start_line, last_seen_ms) VALUES (?, ?, ?, ?, ?)'),
      functionSelect: db.prepare('SELECT id, last_seen_ms AS lastSeen FROM functions WHERE name = ? AND file = ? AND line = ? AND start_line = ?'),
      functionTouch: db.prepare('UPDATE functions SET last_seen_ms = ? WHERE id = ? AND last_seen_ms < ?'),
      stackSelect: db.prepare('SELECT id, last_seen_ms AS lastSeen FROM stacks WHERE frames = ?'),
      stackInsert: db.prepare('INSERT INTO stacks (frames, last_seen_ms) VALUES (?, ?)'),
      stackTouch: db.prepare('UPDATE stacks SET last_seen_ms = ? WHERE id = ? AND last_seen_ms < ?'),
      samplesInsert: db.prepare('INSERT INTO samples (profile_id, stack_ids, vals) VALUES (?, ?, ?)'),
      spanSampleInsert: db.prepare(
        'INSERT INTO span_samples (profile_id, span_id, trace_id, local_root_span_id, endpoint, stack_id, value, thread_name, thread_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      metaSet: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      spanUpsert: db.prepare(
        `INSERT INTO spans (span_id, trace_id, parent_span_id, name, service, own_endpoint, endpoint, local_root_span_id, root_known, is_local_root, start_us, end_us)
         VALUES (@spanId, @traceId, @parentSpanId, @name, @service, @ownEndpoint, @endpoint, @localRootSpanId, @rootKnown, @isLocalRoot, @startUs, @endUs)
         ON CONFLICT (span_id) DO UPDATE SET trace_id = excluded.trace_id, parent_span_id = excluded.parent_span_id, name = excluded.name,
           service = excluded.service, own_endpoint = excluded.own_endpoint, endpoint = excluded.endpoint,
           local_root_span_id = excluded.local_root_span_id, root_known = excluded.root_known, is_local_root = excluded.is_local_root,
           start_us = excluded.start_us, end_us = excluded.end_us`,
      ),
      spanSelect: db.prepare('SELECT service, local_root_span_id AS localRootSpanId, endpoint, root_known AS rootKnown FROM spans WHERE span_id = ?'),
      // Hands a resolved local root down to descendants stored before it (same service,
      // stopping at spans that are local roots themselves).
      spanPropagate: db.prepare(
        `WITH RECURSIVE d(id) AS (
           SELECT span_id FROM spans WHERE parent_span_id = @spanId AND service = @service AND is_local_root = 0
           UNION
           SELECT s.span_id FROM spans s JOIN d ON s.parent_span_id = d.id WHERE s.service = @service AND s.is_local_root = 0
         )
         UPDATE spans SET local_root_span_id = @root, endpoint = @endpoint, root_known = 1
         WHERE span_id IN (SELECT id FROM d) AND (root_known = 0 OR local_root_span_id <> @root OR endpoint <> @endpoint)`,
      ),
    };
    const maxDur = db.prepare(`SELECT value FROM meta WHERE key = 'max_profile_duration_ms'`).pluck().get() as string | undefined;
    this.maxDurationMs = maxDur === undefined ? 0 : Number(maxDur);
    for (const t of db.prepare('SELECT type FROM profile_types').pluck().all() as string[]) this.knownTypes.add(t);
  }

  /** Writes the profiles in one transaction. Duplicates (same id, type and series) are skipped. */
  writeProfiles(profiles: readonly ExtractedProfile[]): { written: WrittenProfile[]; duplicates: number } {
    return this.db.transaction(() => {
      const written: WrittenProfile[] = [];
      let duplicates = 0;
      for (const p of profiles) {
        const id = this.writeProfile(p);
        if (id === undefined) duplicates++;
        else written.push({ id, profile: p });
      }
      return { written, duplicates };
    })();
  }

  private writeProfile(p: ExtractedProfile): number | undefined {
    const seriesId = this.series(p.labels);
    if (!this.knownTypes.has(p.type)) {
      this.stmt.typeInsert.run(p.type, p.unit, p.periodType, p.periodUnit, p.period);
      this.knownTypes.add(p.type);
    }
    const r = this.stmt.profileInsert.run(
      p.profileKey,
      p.type,
      seriesId,
      p.startMs,
      p.endMs,
      p.unit,
      p.sampleType,
      p.sampleUnit,
      p.periodType,
      p.periodUnit,
      p.period,
      p.total,
      p.sampleCount,
      p.stacks.length,
    );
    if (r.changes === 0) return undefined;
    const profileId = Number(r.lastInsertRowid);
    const duration = p.endMs - p.startMs;
    if (duration > this.maxDurationMs) {
      this.maxDurationMs = duration;
      this.stmt.metaSet.run('max_profile_duration_ms', String(duration));
    }

    const frameIds = p.frames.map((f) => this.functionId(f.name, f.file, f.line, f.startLine, p.endMs));
    const stackIds: number[] = [];
    const merged = new Map<number, number>();
    for (const s of p.stacks) {
      const ids = s.frames.map((i) => frameIds[i]!);
      const sid = this.stackId(ids, p.endMs);
      stackIds.push(sid);
      merged.set(sid, (merged.get(sid) ?? 0) + s.value);
    }
    const blobs = encodeSamples([...merged.keys()], [...merged.values()]);
    this.stmt.samplesInsert.run(profileId, blobs.ids, blobs.vals);
    for (const ss of p.spanSamples) {
      this.stmt.spanSampleInsert.run(
        profileId,
        ss.spanId,
        ss.traceId,
        ss.localRootSpanId,
        ss.endpoint,
        stackIds[ss.stack]!,
        ss.value,
        ss.threadName,
        ss.threadId,
      );
    }
    return profileId;
  }

  private series(labels: Record<string, string>): number {
    const key = JSON.stringify(
      Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]]),
    );
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      this.stmt.seriesInsert.run(key, JSON.stringify(labels));
      id = this.stmt.seriesSelect.get(key) as number;
      this.seriesIds.set(key, id);
    }
    return id;
  }

  private functionId(name: string, file: string, line: number, startLine: number, seenMs: number): number {
    const key = `${name}\u0000${file}\u0000${line}\u0000${startLine}`;
    let e = this.functionIds.get(key);
    if (e === undefined) {
      const row = this.stmt.functionSelect.get(name, file, line, startLine) as { id: number; lastSeen: number } | undefined;
      e = row ?? { id: Number(this.stmt.functionInsert.run(name, file, line, startLine, seenMs).lastInsertRowid), lastSeen: seenMs };
      this.functionIds.set(key, e);
    }
    if (seenMs > e.lastSeen + LAST_SEEN_SLACK_MS) {
      this.stmt.functionTouch.run(seenMs, e.id, seenMs);
      e.lastSeen = seenMs;
    }
    return e.id;
  }

  private stackId(frameIds: number[], seenMs: number): number {
    const key = frameIds.join(',');
    let e = this.stackIds.get(key);
    if (e === undefined) {
      const blob = encodeStack(frameIds);
      const row = this.stmt.stackSelect.get(blob) as { id: number; lastSeen: number } | undefined;
      if (row) e = row;
      else e = { id: Number(this.stmt.stackInsert.run(blob, seenMs).lastInsertRowid), lastSeen: seenMs };
      this.stackIds.set(key, e);
    }
    if (seenMs > e.lastSeen + LAST_SEEN_SLACK_MS) {
      this.stmt.stackTouch.run(seenMs, e.id, seenMs);
      e.lastSeen = seenMs;
    }
    return e.id;
  }

  /** Writes spans (re-sent spans replace their row), resolving local roots against stored spans. */
  writeSpans(records: readonly SpanRecord[]): number {
    return this.db.transaction(() => {
      const inBatch = new Map<string, SpanRecord>();
      for (const r of records) inBatch.set(r.spanId, r);
      for (const r of records) {
        if (r.rootKnown) continue;
        // The outermost ancestor found in the request has a parent we have not seen there.
        const top = inBatch.get(r.localRootSpanId) ?? r;
        const parent = this.stmt.spanSelect.get(top.parentSpanId) as
          { service: string; localRootSpanId: string; endpoint: string; rootKnown: number } | undefined;
        if (!parent) continue;
        if (parent.service !== r.service) {
          // The parent runs in another service: `top` is where this process's work began.
          r.localRootSpanId = top.spanId;
          r.endpoint = top.ownEndpoint;
          r.rootKnown = true;
        } else {
          r.localRootSpanId = parent.localRootSpanId;
          r.endpoint = parent.endpoint;
          r.rootKnown = parent.rootKnown === 1;
        }
      }
      for (const r of records) {
        this.stmt.spanUpsert.run({ ...r, rootKnown: r.rootKnown ? 1 : 0, isLocalRoot: r.isLocalRoot ? 1 : 0 });
      }
      for (const r of records) {
        if (!r.rootKnown) continue;
        this.stmt.spanPropagate.run({ spanId: r.spanId, service: r.service, root: r.localRootSpanId, endpoint: r.endpoint });
      }
      return records.length;
    })();
  }

  /** Estimated bytes and entries held by the id caches. */
  cacheStats(): { bytes: number; stacks: number; functions: number; series: number; evictions: number } {
    return {
      bytes: this.stackIds.bytes + this.functionIds.bytes + this.seriesIds.bytes,
      stacks: this.stackIds.size,
      functions: this.functionIds.size,
      series: this.seriesIds.size,
      evictions: this.stackIds.evictions + this.functionIds.evictions + this.seriesIds.evictions,
    };
  }

  /** Drops the stack and function caches (after retention deleted some: their ids must not be handed out again). */
  forgetStacks(): void {
    this.stackIds.clear();
    this.functionIds.clear();
  }
}
