// Writes extracted profiles and spans into the database. Synchronous (better-sqlite3):
// the caller groups many items into one transaction, which is what makes SQLite fast.
// Frames, stacks and series are interned through in-memory caches backed by the tables.
import type Database from 'better-sqlite3';
import type { ExtractedProfile, SpanSample } from './ingest/extract.js';
import type { SpanRecord } from './ingest/spans.js';
import { typedBlob } from './schema.js';
import { ByteBoundedMap, MAP_ENTRY_BYTES, SMALL_OBJECT_BYTES, stringBytes } from './byte-bounded-map.js';
import { IngestCache } from './ingest/cache.js';

/**
 * A stack's or function's `last_seen_ms` (the latest end of a profile using it) is moved
 * forward only when it grows by more than this, so a hot stack is not rewritten for every
 * profile. Retention keeps stacks and functions seen within this slack of the oldest
 * profile it keeps (see retention.ts). An hour: with 10 minutes, a service that keeps
 * cycling through its stacks had a quarter of each 1000-stack profile's stack rows rewritten
 * (about a tenth of the store thread's time); the price is that an unused stack outlives the
 * last profile using it by up to an hour, against retention periods of days.
 */
export const LAST_SEEN_SLACK_MS = 60 * 60_000;

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
  /** The stack cache's hash of frame ids (tests pass a constant one: every stack collides). */
  stackHash?: (ids: Uint32Array, n: number) => number;
  /** Bound of the ingestion cache (IngestCache) in estimated bytes. */
  ingestCacheBytes?: number;
}

/**
 * Row ids (0: not known yet) and last_seen_ms by the ids of one IngestCache generation: a
 * profile extracted with the writer's cache finds its functions and stacks by index.
 */
class RowsByCacheId {
  generation = 0;
  rows = new Int32Array(1024);
  seen = new Float64Array(1024);

  /** Holds rows of `generation` (the cache's current one) from now on; those of another are dropped. */
  adopt(generation: number): void {
    if (generation === this.generation) return;
    this.generation = generation;
    this.clear();
  }

  set(id: number, row: number, seen: number): void {
    if (id >= this.rows.length) {
      let n = this.rows.length;
      while (n <= id) n *= 2;
      const rows = new Int32Array(n);
      rows.set(this.rows);
      const s = new Float64Array(n);
      s.set(this.seen);
      this.rows = rows;
      this.seen = s;
    }
    this.rows[id] = row;
    this.seen[id] = seen;
  }

  clear(): void {
    this.rows = new Int32Array(1024);
    this.seen = new Float64Array(1024);
  }
}

/**
 * Row id -> its slot in the profile being written, for the few thousand stacks of one profile:
 * an open-addressing table in typed arrays, reused from one profile to the next (a Map of
 * numbers hashed and boxed each of them, a few percent of ingestion).
 */
class RowSlots {
  /** Row ids as the samples blob holds them (below 2^32); 0: empty. */
  private keys = new Uint32Array(4096);
  private slots = new Int32Array(4096);
  private mask = 4095;

  /** Starts afresh for at most n rows. */
  begin(n: number): void {
    let cap = 4096;
    while (cap < n * 2) cap *= 2;
    if (cap > this.keys.length) {
      this.keys = new Uint32Array(cap);
      this.slots = new Int32Array(cap);
    } else this.keys.fill(0, 0, cap);
    this.mask = cap - 1;
  }

  /** The slot of row id `row` (> 0), or `next` when it has none yet (then it is given `next`). */
  slot(row: number, next: number): number {
    const keys = this.keys;
    let at = Math.imul(row, 0x9e3779b1) & this.mask;
    for (;;) {
      const k = keys[at]!;
      if (k === row) return this.slots[at]!;
      if (k === 0) break;
      at = (at + 1) & this.mask;
    }
    keys[at] = row;
    this.slots[at] = next;
    return next;
  }
}

interface CachedId {
  id: number;
  lastSeen: number;
}

/** A cached stack: its id and its frame ids (to tell it from another stack of the same hash). */
interface CachedStack extends CachedId {
  frames: Uint32Array;
}

/** A cached function: its id and what it is, as ids of its strings (to tell it from another of the same hash). */
interface CachedFunction extends CachedId {
  name: number;
  file: number;
  line: number;
  startLine: number;
}

const functionEntryBytes = (): number => MAP_ENTRY_BYTES + 2 * SMALL_OBJECT_BYTES;
const stringIdEntryBytes = (key: string): number => stringBytes(key) + MAP_ENTRY_BYTES;

/** A typed array's own header and its backing store's, before the elements: an estimate. */
const TYPED_ARRAY_BYTES = 96;
/** A cached stack entry: map slot, the entry object, its frame ids. */
const stackEntryBytes = (_hash: number, e: CachedStack): number => MAP_ENTRY_BYTES + SMALL_OBJECT_BYTES + TYPED_ARRAY_BYTES + e.frames.byteLength;

/** A 32-bit hash of the first n ids (FNV-1a over whole ids), as a small integer map key. */
function hashIds(ids: Uint32Array, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ ids[i]!, 0x01000193);
  return h | 0;
}

function sameIds(a: Uint32Array, b: Uint32Array, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** span_samples rows per INSERT statement (fewer calls into SQLite for a profile's hundreds of rows). */
const SPAN_ROWS = 32;

/** An INSERT of `rows` span_samples rows (9 parameters a row). */
function spanSampleInsert(db: Database.Database, rows: number): Database.Statement {
  return db.prepare(
    `INSERT INTO span_samples (profile_id, span_id, trace_id, local_root_span_id, endpoint, stack_id, value, thread_name, thread_id) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
  );
}

/** One span_samples row's parameters at params[o, o + 9). */
function spanRow(params: unknown[], o: number, profileId: number, ss: SpanSample, stackIds: Uint32Array): void {
  params[o] = profileId;
  params[o + 1] = ss.spanId;
  params[o + 2] = ss.traceId;
  params[o + 3] = ss.localRootSpanId;
  params[o + 4] = ss.endpoint;
  params[o + 5] = stackIds[ss.stack]!;
  params[o + 6] = ss.value;
  params[o + 7] = ss.threadName;
  params[o + 8] = ss.threadId;
}

export interface WrittenProfile {
  /** Row id in `profiles`. */
  id: number;
  profile: ExtractedProfile;
}

export class StoreWriter {
  private readonly seriesIds: ByteBoundedMap<string, number>;
  /**
   * Functions by a hash of (name, file, line, start line), names and files as string ids:
   * no key text is built per frame. String ids are never reused (a string evicted and seen
   * again gets a new one), so an entry naming an evicted string is simply never hit again.
   */
  private readonly functionIds: ByteBoundedMap<number, CachedFunction>;
  private readonly stringIds: ByteBoundedMap<string, number>;
  private nextStringId = 1;
  /**
   * Stacks by the hash of their frame ids (no key text is built per stack); an entry holds
   * the frame ids, so a stack whose hash another one took is looked up in the table.
   */
  private readonly stackIds: ByteBoundedMap<number, CachedStack>;
  /** Reused buffers: a profile's frame ids, and one stack's frame ids. */
  private frameIdBuf = new Uint32Array(1024);
  private stackBuf = new Uint32Array(256);
  private readonly stackHash: (ids: Uint32Array, n: number) => number;
  private readonly knownTypes = new Set<string>();
  private maxDurationMs: number;
  private readonly stmt;
  /** Per number of rows, 1 to SPAN_ROWS: its span_samples INSERT (prepared when first needed) and reused parameters. */
  private readonly spanInserts: ({ stmt: Database.Statement; params: unknown[] } | undefined)[] = [];
  /** Rows whose last_seen_ms the profile being written moves forward: one statement per table and profile. */
  private readonly touchedStacks: number[] = [];
  private readonly touchedFunctions: number[] = [];
  /** Hand it to extractRequest: profiles extracted with it are written by array index. */
  readonly ingestCache: IngestCache;
  private readonly functionRows = new RowsByCacheId();
  private readonly rowSlots = new RowSlots();
  private readonly stackRows = new RowsByCacheId();

  constructor(
    private readonly db: Database.Database,
    options: StoreWriterOptions = {},
  ) {
    this.seriesIds = new ByteBoundedMap(options.seriesCacheBytes ?? SERIES_CACHE_BYTES, (key) => stringBytes(key) + MAP_ENTRY_BYTES);
    // A quarter of the function budget holds the strings that name them.
    const functionBytes = options.functionCacheBytes ?? FUNCTION_CACHE_BYTES;
    this.functionIds = new ByteBoundedMap(functionBytes - Math.floor(functionBytes / 4), functionEntryBytes);
    this.stringIds = new ByteBoundedMap(Math.floor(functionBytes / 4), stringIdEntryBytes);
    this.stackIds = new ByteBoundedMap(options.stackCacheBytes ?? STACK_CACHE_BYTES, stackEntryBytes);
    this.stackHash = options.stackHash ?? hashIds;
    this.ingestCache = new IngestCache(options.ingestCacheBytes);
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
      functionTouchMany: db.prepare('UPDATE functions SET last_seen_ms = ? WHERE id IN (SELECT value FROM json_each(?)) AND last_seen_ms < ?'),
      stackSelect: db.prepare('SELECT id, last_seen_ms AS lastSeen FROM stacks WHERE frames = ?'),
      stackInsert: db.prepare('INSERT INTO stacks (frames, last_seen_ms) VALUES (?, ?)'),
      stackTouch: db.prepare('UPDATE stacks SET last_seen_ms = ? WHERE id = ? AND last_seen_ms < ?'),
      stackTouchMany: db.prepare('UPDATE stacks SET last_seen_ms = ? WHERE id IN (SELECT value FROM json_each(?)) AND last_seen_ms < ?'),
      samplesInsert: db.prepare('INSERT INTO samples (profile_id, stack_ids, vals) VALUES (?, ?, ?)'),
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
    // Left over only by a profile whose write threw (its transaction rolled back).
    this.touchedStacks.length = 0;
    this.touchedFunctions.length = 0;
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
      p.stacks.count,
    );
    if (r.changes === 0) return undefined;
    const profileId = Number(r.lastInsertRowid);
    const duration = p.endMs - p.startMs;
    if (duration > this.maxDurationMs) {
      this.maxDurationMs = duration;
      this.stmt.metaSet.run('max_profile_duration_ms', String(duration));
    }

    const frames = p.frames;
    const seenMs = p.endMs;
    if (this.frameIdBuf.length < frames.length) this.frameIdBuf = new Uint32Array(frames.length * 2);
    const frameIds = this.frameIdBuf;
    const resolved = p.resolved;
    const fr = this.functionRows;
    const sr = this.stackRows;
    // Ids of the writer's own cache (and of its current generation): rows by index.
    const byIndex = resolved !== undefined && resolved.generation === this.ingestCache.generation;
    if (byIndex) {
      fr.adopt(resolved.generation);
      sr.adopt(resolved.generation);
    }
    for (let i = 0; i < frames.length; i++) {
      if (byIndex) {
        const g = resolved.frames[i]!;
        const row = g < fr.rows.length ? fr.rows[g]! : 0;
        if (row !== 0) {
          if (seenMs > fr.seen[g]! + LAST_SEEN_SLACK_MS) {
            this.touchedFunctions.push(row);
            fr.seen[g] = seenMs;
          }
          frameIds[i] = row;
          continue;
        }
      }
      const f = frames[i]!;
      const e = this.functionEntry(f.name, f.file, f.line, f.startLine, seenMs);
      frameIds[i] = e.id;
      if (byIndex) fr.set(resolved.frames[i]!, e.id, e.lastSeen);
    }
    // Stack ids and values straight into the typed arrays the blobs are views of. Stacks of
    // one profile are distinct by their frames, but a caller may repeat one: merged then.
    const stacks = p.stacks;
    const n = stacks.count;
    const stackFrames = stacks.frames;
    const offsets = stacks.offsets;
    const stackValues = stacks.values;
    const stackIds = new Uint32Array(n);
    const sids = new Uint32Array(n);
    const vals = new Float64Array(n);
    const slot = this.rowSlots;
    slot.begin(n);
    let m = 0;
    for (let k = 0; k < n; k++) {
      let sid = 0;
      if (byIndex) {
        const g = resolved.stacks[k]!;
        sid = g < sr.rows.length ? sr.rows[g]! : 0;
        if (sid !== 0 && seenMs > sr.seen[g]! + LAST_SEEN_SLACK_MS) {
          this.touchedStacks.push(sid);
          sr.seen[g] = seenMs;
        }
      }
      if (sid === 0) {
        const from = offsets[k]!;
        const len = offsets[k + 1]! - from;
        if (this.stackBuf.length < len) this.stackBuf = new Uint32Array(len * 2);
        const buf = this.stackBuf;
        for (let j = 0; j < len; j++) buf[j] = frameIds[stackFrames[from + j]!]!;
        const e = this.stackEntry(buf, len, seenMs);
        sid = e.id;
        if (byIndex) sr.set(resolved.stacks[k]!, sid, e.lastSeen);
      }
      stackIds[k] = sid;
      const at = slot.slot(sid, m);
      if (at === m) {
        sids[m] = sid;
        vals[m++] = stackValues[k]!;
      } else vals[at]! += stackValues[k]!;
    }
    this.stmt.samplesInsert.run(profileId, typedBlob(sids, m), typedBlob(vals, m));
    this.touch(this.touchedFunctions, this.stmt.functionTouch, this.stmt.functionTouchMany, seenMs);
    this.touch(this.touchedStacks, this.stmt.stackTouch, this.stmt.stackTouchMany, seenMs);
    // SPAN_ROWS rows a statement (one call, one parameter array), the rest in one more.
    const spans = p.spanSamples;
    for (let k = 0; k < spans.length; k += SPAN_ROWS) {
      const rows = Math.min(SPAN_ROWS, spans.length - k);
      const insert = (this.spanInserts[rows] ??= { stmt: spanSampleInsert(this.db, rows), params: new Array<unknown>(9 * rows) });
      for (let j = 0, o = 0; j < rows; j++, o += 9) spanRow(insert.params, o, profileId, spans[k + j]!, stackIds);
      insert.stmt.run(insert.params);
    }
    return profileId;
  }

  /** Moves last_seen_ms of the listed rows forward to seenMs (never back), and empties the list. */
  private touch(ids: number[], one: Database.Statement, many: Database.Statement, seenMs: number): void {
    if (ids.length === 1) one.run(seenMs, ids[0], seenMs);
    else if (ids.length > 1) many.run(seenMs, `[${ids.join(',')}]`, seenMs);
    ids.length = 0;
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

  private stringId(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) this.stringIds.set(s, (id = this.nextStringId++));
    return id;
  }

  private functionEntry(name: string, file: string, line: number, startLine: number, seenMs: number): CachedId {
    const nameId = this.stringId(name);
    const fileId = this.stringId(file);
    let h = Math.imul(0x811c9dc5 ^ nameId, 0x01000193);
    h = Math.imul(h ^ fileId, 0x01000193);
    h = Math.imul(h ^ line, 0x01000193);
    h = Math.imul(h ^ startLine, 0x01000193) | 0;
    let e = this.functionIds.get(h);
    if (e === undefined || e.name !== nameId || e.file !== fileId || e.line !== line || e.startLine !== startLine) {
      const row = this.stmt.functionSelect.get(name, file, line, startLine) as CachedId | undefined;
      const id = row ? row.id : Number(this.stmt.functionInsert.run(name, file, line, startLine, seenMs).lastInsertRowid);
      e = { id, lastSeen: row ? row.lastSeen : seenMs, name: nameId, file: fileId, line, startLine };
      this.functionIds.set(h, e);
    }
    if (seenMs > e.lastSeen + LAST_SEEN_SLACK_MS) {
      this.touchedFunctions.push(e.id);
      e.lastSeen = seenMs;
    }
    return e;
  }

  /** The id of the stack of the first n ids of frameIds (a buffer the caller reuses). */
  private stackEntry(frameIds: Uint32Array, n: number, seenMs: number): CachedId {
    const hash = this.stackHash(frameIds, n);
    let e = this.stackIds.get(hash);
    if (e === undefined || !sameIds(e.frames, frameIds, n)) {
      const blob = typedBlob(frameIds, n);
      const row = this.stmt.stackSelect.get(blob) as CachedId | undefined;
      const id = row ? row.id : Number(this.stmt.stackInsert.run(blob, seenMs).lastInsertRowid);
      e = { id, lastSeen: row ? row.lastSeen : seenMs, frames: frameIds.slice(0, n) };
      this.stackIds.set(hash, e);
    }
    if (seenMs > e.lastSeen + LAST_SEEN_SLACK_MS) {
      this.touchedStacks.push(e.id);
      e.lastSeen = seenMs;
    }
    return e;
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
      bytes: this.stackIds.bytes + this.functionIds.bytes + this.stringIds.bytes + this.seriesIds.bytes,
      stacks: this.stackIds.size,
      functions: this.functionIds.size,
      series: this.seriesIds.size,
      evictions: this.stackIds.evictions + this.functionIds.evictions + this.stringIds.evictions + this.seriesIds.evictions,
    };
  }

  /** Drops the stack and function caches (after retention deleted some: their ids must not be handed out again). */
  forgetStacks(): void {
    this.stackIds.clear();
    this.functionIds.clear();
    this.stringIds.clear();
    this.functionRows.clear();
    this.stackRows.clear();
  }
}
