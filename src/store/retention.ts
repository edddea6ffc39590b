// Retention: deletes what is older than max_age, then stacks and functions no kept profile
// can reference, then the oldest data while the database is larger than max_size.
//
// Age runs are bounded (`maxDeletes` profiles / spans, ten times that of stacks and
// functions, per run) so a run holds the write lock briefly; the store runs again soon when
// a run reports `more`. A size run frees, in the same transaction as its profile deletions,
// every stack and function no remaining profile references (an exact mark and sweep over the
// stored stack lists: under a load of ever-new stacks, "unused for an hour" would never
// free anything and the loop would delete every profile while the stacks kept the space).
// It deletes profiles only while profile data is what holds the space.
import type Database from 'better-sqlite3';
import { decodeStack } from './schema.js';
import { LAST_SEEN_SLACK_MS } from './writer.js';

export interface RetentionOptions {
  now: number;
  maxAgeMs: number;
  maxSizeBytes: number;
  maxDeletes: number;
  /**
   * Called inside a size round right after it deleted profiles, before what it freed is
   * measured: what else deleting those profiles frees (the time buckets older than the
   * oldest profile kept) goes then too, so the round counts it.
   */
  afterProfilesDeleted?: () => void;
}

export interface RetentionResult {
  deletedByAge: number;
  deletedBySize: number;
  spansDeleted: number;
  stacksDeleted: number;
  functionsDeleted: number;
  /** Bytes of used database pages after the run. */
  usedBytes: number;
  /**
   * Set when the database stays above max_size because rows other than profile data
   * (spans beyond what can be deleted, or fixed tables) hold the space; profiles were kept.
   */
  heldByOtherRows?: { profileBytes: number; otherBytes: number };
  /** There is more to delete; run again soon. */
  more: boolean;
}

/**
 * A size run deletes down to this fraction of max_size, so that the next writes do not
 * start another run at once.
 */
export const SIZE_LOW_WATER = 0.9;

/** Free pages handed back to the file system per run (each one may move a page). */
const VACUUM_PAGES_PER_RUN = 8192;

/** Size rounds (delete, sweep, measure) in one run. */
const SIZE_ROUNDS = 4;

/** Bytes the database's used pages take (free pages are reused before the file grows). */
export function usedBytes(db: Database.Database): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

/**
 * Tables (and their indexes) that hold profile data: what deleting profiles frees. The time
 * buckets count: a size round hands them to `afterProfilesDeleted`, which drops those older
 * than the oldest profile kept.
 */
const PROFILE_TABLES = new Set(['profiles', 'samples', 'span_samples', 'stacks', 'functions', 'series', 'buckets', 'bucket_pending']);

/** Used bytes by what deleting profiles can free, and the rest (spans, meta, schema). */
export function spaceByKind(db: Database.Database): { profileBytes: number; spanBytes: number; otherBytes: number } {
  const rows = db
    .prepare(
      `SELECT coalesce(m.tbl_name, d.name) AS tbl, sum(d.pgsize) AS bytes
       FROM dbstat AS d LEFT JOIN sqlite_schema AS m ON m.name = d.name
       GROUP BY tbl`,
    )
    .all() as { tbl: string; bytes: number }[];
  const out = { profileBytes: 0, spanBytes: 0, otherBytes: 0 };
  for (const r of rows) {
    if (PROFILE_TABLES.has(r.tbl)) out.profileBytes += r.bytes;
    else if (r.tbl === 'spans') out.spanBytes += r.bytes;
    else out.otherBytes += r.bytes;
  }
  return out;
}

/** Marks id in a bitmap (grown as needed). */
function mark(bits: { b: Uint8Array }, id: number): void {
  const byte = id >>> 3;
  if (byte >= bits.b.length) {
    const grown = new Uint8Array(Math.max(byte + 1, bits.b.length * 2));
    grown.set(bits.b);
    bits.b = grown;
  }
  bits.b[byte]! |= 1 << (id & 7);
}

function marked(bits: { b: Uint8Array }, id: number): boolean {
  const byte = id >>> 3;
  return byte < bits.b.length && (bits.b[byte]! & (1 << (id & 7))) !== 0;
}

/** Stacks whose frames are read per statement while marking functions. */
const SWEEP_CHUNK = 50_000;

/**
 * Deletes every stack no `samples` or `buckets` row references and every function no remaining stack
 * references. Exact: reads each profile's stack list and each stack's frames once. The
 * caller runs it inside its write transaction (nothing is written in between). Span
 * attribution rows reference only stacks of their own profile's `samples`, so marking from
 * `samples` covers them. The frames are read as one hex string per chunk of stacks: a
 * Buffer per row costs more than the rest of the sweep together.
 */
export function sweepUnreferenced(db: Database.Database): { stacks: number; functions: number } {
  const stacks = { b: new Uint8Array(1024) };
  for (const blob of db.prepare('SELECT stack_ids FROM samples').pluck().iterate() as IterableIterator<Buffer>) {
    for (const id of decodeStack(blob)) mark(stacks, id);
  }
  // The time buckets (buckets/) hold merged stacks of profiles that may be deleted already:
  // their stacks stay until the buckets go.
  const hasBuckets = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'buckets'").pluck().get() !== undefined;
  if (hasBuckets) {
    for (const blob of db.prepare('SELECT stack_ids FROM buckets').pluck().iterate() as IterableIterator<Buffer>) {
      for (const id of decodeStack(blob)) mark(stacks, id);
    }
  }
  const deadStacks: number[] = [];
  for (const id of db.prepare('SELECT id FROM stacks').pluck().all() as number[]) if (!marked(stacks, id)) deadStacks.push(id);
  const deletedStacks = deleteIds(db, 'stacks', deadStacks);

  // Every stack left is referenced: the functions they use are the live ones.
  const functions = { b: new Uint8Array(1024) };
  const chunk = db.prepare(
    `SELECT max(id) AS last, group_concat(hex(frames), '') AS frames
     FROM (SELECT id, frames FROM stacks WHERE id > ? ORDER BY id LIMIT ${SWEEP_CHUNK})`,
  );
  for (let after = 0; ;) {
    const row = chunk.get(after) as { last: number | null; frames: string | null };
    if (row.last === null) break;
    const frames = Buffer.from(row.frames ?? '', 'hex');
    for (const id of decodeStack(frames)) mark(functions, id);
    after = row.last;
  }
  const deadFunctions: number[] = [];
  for (const id of db.prepare('SELECT id FROM functions').pluck().all() as number[]) if (!marked(functions, id)) deadFunctions.push(id);
  return { stacks: deletedStacks, functions: deleteIds(db, 'functions', deadFunctions) };
}

function deleteIds(db: Database.Database, table: 'stacks' | 'functions', ids: number[]): number {
  const stmt = db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`);
  let n = 0;
  for (let i = 0; i < ids.length; i += 10_000) n += stmt.run(JSON.stringify(ids.slice(i, i + 10_000))).changes;
  return n;
}

export function runRetention(db: Database.Database, o: RetentionOptions): RetentionResult {
  const result: RetentionResult = {
    deletedByAge: 0,
    deletedBySize: 0,
    spansDeleted: 0,
    stacksDeleted: 0,
    functionsDeleted: 0,
    usedBytes: 0,
    more: false,
  };
  const cutoff = o.now - o.maxAgeMs;

  const deleteProfiles = (ids: number[]): void => {
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    db.prepare('DELETE FROM samples WHERE profile_id IN (SELECT value FROM json_each(?))').run(json);
    db.prepare('DELETE FROM span_samples WHERE profile_id IN (SELECT value FROM json_each(?))').run(json);
    db.prepare('DELETE FROM profiles WHERE id IN (SELECT value FROM json_each(?))').run(json);
  };
  const deleteSpansBefore = (us: number, limit: number): number =>
    db.prepare('DELETE FROM spans WHERE span_id IN (SELECT span_id FROM spans WHERE start_us < ? ORDER BY start_us LIMIT ?)').run(us, limit).changes;
  const countProfiles = (): number => db.prepare('SELECT count(*) FROM profiles').pluck().get() as number;

  // 1. Age.
  db.transaction(() => {
    const ids = db
      .prepare('SELECT id FROM profiles WHERE start_ms < ? AND end_ms < ? ORDER BY start_ms LIMIT ?')
      .pluck()
      .all(cutoff, cutoff, o.maxDeletes) as number[];
    deleteProfiles(ids);
    result.deletedByAge = ids.length;
    result.spansDeleted += deleteSpansBefore(cutoff * 1000, o.maxDeletes);
  })();
  if (result.deletedByAge === o.maxDeletes || result.spansDeleted === o.maxDeletes) result.more = true;

  // 2. Stacks and functions no remaining profile can reference, found cheaply through their
  // last use (see LAST_SEEN_SLACK_MS in writer.ts: every stack or function a kept profile uses
  // was seen after this threshold).
  const gcBudget = o.maxDeletes * 10;
  const oldest = db.prepare('SELECT min(start_ms) FROM profiles').pluck().get() as number | null;
  const threshold = oldest === null ? Number.MAX_SAFE_INTEGER : oldest - LAST_SEEN_SLACK_MS;
  result.stacksDeleted = db
    .prepare('DELETE FROM stacks WHERE id IN (SELECT id FROM stacks WHERE last_seen_ms < ? LIMIT ?)')
    .run(threshold, gcBudget).changes;
  result.functionsDeleted = db
    .prepare('DELETE FROM functions WHERE id IN (SELECT id FROM functions WHERE last_seen_ms < ? LIMIT ?)')
    .run(threshold, gcBudget).changes;
  if (result.stacksDeleted === gcBudget || result.functionsDeleted === gcBudget) result.more = true;

  // 3. Size: down to the low-water mark, in rounds of (delete the oldest profiles, sweep
  // what no remaining profile references, measure), all in one transaction. The sweep also
  // collects garbage left from before (e.g. stacks step 2 has not reached yet).
  if (usedBytes(db) > o.maxSizeBytes) {
    const target = Math.floor(o.maxSizeBytes * SIZE_LOW_WATER);
    db.transaction(() => {
      const sweep = (): void => {
        const s = sweepUnreferenced(db);
        result.stacksDeleted += s.stacks;
        result.functionsDeleted += s.functions;
      };
      let budget = o.maxDeletes;
      /** Bytes the last round freed per profile it deleted (what the next estimate uses). */
      let measuredPerProfile: number | undefined;
      for (let round = 0; round < SIZE_ROUNDS && budget > 0; round++) {
        const used = usedBytes(db);
        if (used <= target) break;
        const excess = used - target;
        const space = spaceByKind(db);
        const profiles = countProfiles();
        // Rows other than profile data alone exceed the target: of those, spans can go
        // (oldest first), before any profile.
        if (used - space.profileBytes > target && space.spanBytes > 0) {
          const n = deleteSpansBefore(Number.MAX_SAFE_INTEGER, budget);
          result.spansDeleted += n;
          budget -= n;
          if (n > 0) continue;
        }
        if (profiles === 0) break;
        if (space.profileBytes < excess) {
          // Deleting every profile would not bring the file under max_size: other rows hold
          // the space. Keep the profiles and say so.
          result.heldByOtherRows = { profileBytes: space.profileBytes, otherBytes: used - space.profileBytes };
          break;
        }
        // About as many as the excess takes at the average profile's share of profile data
        // (an over-estimate of what one frees when stacks are shared: the next round measures
        // again). Since profile data covers the excess, this deletes all of them only when
        // even the newest one alone is over the bound.
        // A measured rate can read low (a deletion frees a page only once it is empty), so
        // it may lower the estimate at most eightfold: a round never runs away.
        const average = space.profileBytes / profiles;
        const perProfile = measuredPerProfile === undefined ? average : Math.max(measuredPerProfile, average / 8);
        const n = Math.min(budget, profiles, Math.max(1, Math.ceil(excess / perProfile)));
        const ids = db.prepare('SELECT id FROM profiles ORDER BY start_ms, id LIMIT ?').pluck().all(n) as number[];
        deleteProfiles(ids);
        o.afterProfilesDeleted?.();
        result.deletedBySize += ids.length;
        budget -= ids.length;
        const first = db.prepare('SELECT min(start_ms) FROM profiles').pluck().get() as number | null;
        if (first !== null) result.spansDeleted += deleteSpansBefore(first * 1000, o.maxDeletes);
        sweep();
        const freed = used - usedBytes(db);
        // The next round estimates from what this one actually freed (shared stacks free less).
        if (freed > 0 && ids.length > 0) measuredPerProfile = freed / ids.length;
      }
    })();
    if (usedBytes(db) > target && result.heldByOtherRows === undefined) result.more = true;
  }

  // Give freed pages back to the file system, a bounded number per run.
  db.pragma(`incremental_vacuum(${VACUUM_PAGES_PER_RUN})`);
  if ((db.pragma('freelist_count', { simple: true }) as number) > 0) result.more = true;
  result.usedBytes = usedBytes(db);
  return result;
}
