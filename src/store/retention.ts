// Retention: deletes what is older than max_age, then stacks and functions no kept profile
// can reference, then the oldest data while the database is larger than max_size. Every
// step is bounded (`maxDeletes` profiles / spans, ten times that of stacks and functions,
// per run) so a run holds the write lock briefly; the store runs again soon when a run
// reports `more`.
import type Database from 'better-sqlite3';
import { LAST_SEEN_SLACK_MS } from './writer.js';

export interface RetentionOptions {
  now: number;
  maxAgeMs: number;
  maxSizeBytes: number;
  maxDeletes: number;
}

export interface RetentionResult {
  deletedByAge: number;
  deletedBySize: number;
  spansDeleted: number;
  stacksDeleted: number;
  functionsDeleted: number;
  /** Bytes of used database pages after the run. */
  usedBytes: number;
  /** There is more to delete; run again soon. */
  more: boolean;
}

/** Bytes the database's used pages take (free pages are reused before the file grows). */
export function usedBytes(db: Database.Database): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

export function runRetention(db: Database.Database, o: RetentionOptions): RetentionResult {
  const result: RetentionResult = { deletedByAge: 0, deletedBySize: 0, spansDeleted: 0, stacksDeleted: 0, functionsDeleted: 0, usedBytes: 0, more: false };
  const cutoff = o.now - o.maxAgeMs;

  const deleteProfiles = (ids: number[]): void => {
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    db.prepare('DELETE FROM samples WHERE profile_id IN (SELECT value FROM json_each(?))').run(json);
    db.prepare('DELETE FROM span_samples WHERE profile_id IN (SELECT value FROM json_each(?))').run(json);
    db.prepare('DELETE FROM profiles WHERE id IN (SELECT value FROM json_each(?))').run(json);
  };
  const deleteSpansBefore = (us: number): number =>
    db.prepare('DELETE FROM spans WHERE span_id IN (SELECT span_id FROM spans WHERE start_us < ? ORDER BY start_us LIMIT ?)').run(us, o.maxDeletes).changes;

  // 1. Age.
  db.transaction(() => {
    const ids = db
      .prepare('SELECT id FROM profiles WHERE start_ms < ? AND end_ms < ? ORDER BY start_ms LIMIT ?')
      .pluck()
      .all(cutoff, cutoff, o.maxDeletes) as number[];
    deleteProfiles(ids);
    result.deletedByAge = ids.length;
    result.spansDeleted += deleteSpansBefore(cutoff * 1000);
  })();
  if (result.deletedByAge === o.maxDeletes || result.spansDeleted === o.maxDeletes) result.more = true;

  // 2. Stacks and functions no remaining profile can reference (see LAST_SEEN_SLACK_MS in
  // writer.ts: every stack or function a kept profile uses was seen after this threshold).
  const gcBudget = o.maxDeletes * 10;
  const oldest = db.prepare('SELECT min(start_ms) FROM profiles').pluck().get() as number | null;
  const threshold = oldest === null ? Number.MAX_SAFE_INTEGER : oldest - LAST_SEEN_SLACK_MS;
  result.stacksDeleted = db
    .prepare('DELETE FROM stacks WHERE id IN (SELECT id FROM stacks WHERE last_seen_ms < ? LIMIT ?)')
    .run(threshold, gcBudget).changes;
  result.functionsDeleted = db
    .prepare('DELETE FROM functions WHERE id IN (SELECT id FROM functions WHERE last_seen_ms < ? LIMIT ?)')
    .run(threshold, gcBudget).changes;
  const gcPending = result.stacksDeleted === gcBudget || result.functionsDeleted === gcBudget;
  if (gcPending) result.more = true;

  // 3. Size: once the garbage of earlier deletions is gone (freeing it may be enough), the
  // oldest profiles — about as many as the excess takes at the average profile size — and
  // the spans older than the oldest profile kept.
  const used = usedBytes(db);
  if (!gcPending && used > o.maxSizeBytes) {
    db.transaction(() => {
      const profiles = db.prepare('SELECT count(*) FROM profiles').pluck().get() as number;
      if (profiles > 0) {
        const n = Math.min(o.maxDeletes, Math.max(1, Math.ceil((used - o.maxSizeBytes) / (used / profiles))));
        const ids = db.prepare('SELECT id FROM profiles ORDER BY start_ms LIMIT ?').pluck().all(n) as number[];
        deleteProfiles(ids);
        result.deletedBySize = ids.length;
      }
      const first = db.prepare('SELECT min(start_ms) FROM profiles').pluck().get() as number | null;
      if (first !== null) result.spansDeleted += deleteSpansBefore(first * 1000);
      else result.spansDeleted += db.prepare('DELETE FROM spans WHERE span_id IN (SELECT span_id FROM spans ORDER BY start_us LIMIT ?)').run(o.maxDeletes).changes;
    })();
    // What was just deleted frees its stacks in the next run; go on until under the bound.
    if (result.deletedBySize > 0 || result.spansDeleted > 0) result.more = true;
  }

  // Give freed pages back to the file system, a bounded number per run.
  db.pragma('incremental_vacuum(4096)');
  result.usedBytes = usedBytes(db);
  return result;
}
