// Tables of the pre-merged buckets (added in schema version 2), and how a version-1 store
// gains them.
//
// - `buckets`: per resolution, type, bucket start and series, the merged (stack, value)
//   pairs of every profile of that series and type that started in the bucket, as the two
//   blobs `samples` uses, with how many profiles (`snapshots`) went in: averaged types
//   divide by the snapshots of each series in the range, so the count must be kept per
//   series. Values are sums (never averages), so buckets merge by adding.
// - `bucket_pending`: profiles stored but not yet merged into buckets. A trigger adds every
//   profile row as it is inserted (whatever code inserts it) and another drops it when the
//   profile is deleted, so ingestion does not know buckets exist. Compaction moves pending
//   profiles into buckets in one transaction; a query reads pending profiles of a bucketed
//   range raw, so an answer never depends on how far compaction got.
// - meta `buckets_from_ms`: buckets starting before it may be gone (retention); ranges
//   before it are read raw.
import type Database from 'better-sqlite3';

export const BUCKETS_DDL = `
CREATE TABLE IF NOT EXISTS buckets (
  id INTEGER PRIMARY KEY,
  resolution_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  series_id INTEGER NOT NULL,
  snapshots INTEGER NOT NULL,
  total REAL NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  stack_ids BLOB NOT NULL,
  vals BLOB NOT NULL,
  UNIQUE (type, resolution_ms, start_ms, series_id)
);
CREATE INDEX IF NOT EXISTS buckets_by_start ON buckets (start_ms);
CREATE TABLE IF NOT EXISTS bucket_pending (
  profile_id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  series_id INTEGER NOT NULL,
  start_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS bucket_pending_by_start ON bucket_pending (start_ms);
CREATE TRIGGER IF NOT EXISTS profiles_bucket_pending AFTER INSERT ON profiles BEGIN
  INSERT OR IGNORE INTO bucket_pending (profile_id, type, series_id, start_ms) VALUES (NEW.id, NEW.type, NEW.series_id, NEW.start_ms);
END;
CREATE TRIGGER IF NOT EXISTS profiles_bucket_unpending AFTER DELETE ON profiles BEGIN
  DELETE FROM bucket_pending WHERE profile_id = OLD.id;
END;
`;

export const BUCKETS_FROM_KEY = 'buckets_from_ms';

/** Version 1 -> 2: the tables exist (BUCKETS_DDL ran); every stored profile waits for compaction. */
export function migrateToBuckets(db: Database.Database): void {
  db.prepare('INSERT OR IGNORE INTO bucket_pending (profile_id, type, series_id, start_ms) SELECT id, type, series_id, start_ms FROM profiles').run();
}

/** Buckets starting before this may have been deleted (unix ms; -Infinity when none were). */
export function bucketsFrom(db: Database.Database): number {
  const v = db.prepare(`SELECT value FROM meta WHERE key = '${BUCKETS_FROM_KEY}'`).pluck().get() as string | undefined;
  return v === undefined ? Number.NEGATIVE_INFINITY : Number(v);
}
