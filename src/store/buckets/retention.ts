// Retention of buckets follows that of raw profiles: buckets hold nothing older than the
// age cutoff, nor older than the oldest raw profile kept (size retention deletes oldest
// first), so buckets never outlive the raw data they were merged from. The bound moves only
// forward and is stored (meta `buckets_from_ms`) in the transaction that deletes the
// buckets before it; queries read ranges before it raw, so a partly deleted bucket is never
// read.
import type Database from 'better-sqlite3';
import { BUCKETS_FROM_KEY, bucketsFrom } from './schema.js';

export interface BucketRetentionResult {
  /** Buckets starting before this are gone or going (unix ms). */
  fromMs: number;
  deleted: number;
  more: boolean;
}

export function retainBuckets(db: Database.Database, o: { now: number; maxAgeMs: number; maxDeletes: number }): BucketRetentionResult {
  return db.transaction((): BucketRetentionResult => {
    const oldest = db.prepare('SELECT min(start_ms) FROM profiles').pluck().get() as number | null;
    const fromMs = Math.max(bucketsFrom(db), o.now - o.maxAgeMs, oldest ?? Number.NEGATIVE_INFINITY);
    if (!Number.isFinite(fromMs)) return { fromMs, deleted: 0, more: false };
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      BUCKETS_FROM_KEY,
      String(fromMs),
    );
    const deleted = db
      .prepare('DELETE FROM buckets WHERE id IN (SELECT id FROM buckets WHERE start_ms < ? LIMIT ?)')
      .run(fromMs, o.maxDeletes).changes;
    return { fromMs, deleted, more: deleted === o.maxDeletes };
  })();
}
