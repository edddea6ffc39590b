// The store's SQLite schema and connection setup.
//
// Layout, and why:
// - `profile_types`: every type seen, with its unit (after normalisation) and period.
// - `series`: each distinct set of series labels once (profiles repeat them endlessly).
// - `profiles`: one row per stored profile: type, series, window, totals. Small rows, so
//   scanning a time range to select profiles is cheap.
// - `functions` + `stacks`: frames (name, file, line) and distinct stacks as sequences of
//   frame ids (a little-endian uint32 blob, leaf first), shared by every profile.
// - `samples`: per profile, its distinct stacks and their values as two parallel blobs
//   (uint32 stack ids, float64 values). Reading a profile's samples is one row and a typed
//   array view instead of thousands of rows; merging 1 M samples stays in the tens of ms.
// - `span_samples`: the sample-level labels of samples (span, trace, local root, endpoint,
//   thread name and id -> stack, value), row per distinct combination, indexed by each way
//   it is looked up. A sample with none of those labels has no row. (Thread columns: version 3.)
// - `spans`: spans from the traces pipeline, for "slow spans" and to find a span's
//   descendants (`include_children`).
// - `buckets` + `bucket_pending` (version 2): pre-merged profiles per time bucket, series
//   and type, for long ranges (see buckets/schema.ts).
// Ids are AUTOINCREMENT so a deleted stack's id is never reused: readers cache stacks and
// functions by id without invalidation.
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { BUCKETS_DDL, migrateToBuckets } from './buckets/schema.js';

// better-sqlite3 (a native addon) loads when a database is first opened, not when this module
// is imported: importing the package root, or running without a store, does not load it.
let sqlite: typeof Database | undefined;
const openSqlite = (): typeof Database => (sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database);

export const SCHEMA_VERSION = 3;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS profile_types (
  type TEXT PRIMARY KEY,
  unit TEXT NOT NULL,
  period_type TEXT NOT NULL,
  period_unit TEXT NOT NULL,
  period INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  labels TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS profiles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  profile_key TEXT NOT NULL,
  type TEXT NOT NULL,
  series_id INTEGER NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  unit TEXT NOT NULL,
  sample_type TEXT NOT NULL,
  sample_unit TEXT NOT NULL,
  period_type TEXT NOT NULL,
  period_unit TEXT NOT NULL,
  period INTEGER NOT NULL,
  total INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  stacks INTEGER NOT NULL,
  UNIQUE (profile_key, type, series_id)
);
CREATE INDEX IF NOT EXISTS profiles_by_type_time ON profiles (type, start_ms);
CREATE INDEX IF NOT EXISTS profiles_by_time ON profiles (start_ms);
CREATE TABLE IF NOT EXISTS functions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  start_line INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  UNIQUE (name, file, line, start_line)
);
CREATE INDEX IF NOT EXISTS functions_by_last_seen ON functions (last_seen_ms);
CREATE TABLE IF NOT EXISTS stacks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  frames BLOB NOT NULL UNIQUE,
  last_seen_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stacks_by_last_seen ON stacks (last_seen_ms);
CREATE TABLE IF NOT EXISTS samples (
  profile_id INTEGER PRIMARY KEY,
  stack_ids BLOB NOT NULL,
  vals BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS span_samples (
  profile_id INTEGER NOT NULL,
  span_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  local_root_span_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  stack_id INTEGER NOT NULL,
  value INTEGER NOT NULL,
  thread_name TEXT NOT NULL DEFAULT '',
  thread_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS span_samples_by_span ON span_samples (span_id);
CREATE INDEX IF NOT EXISTS span_samples_by_trace ON span_samples (trace_id);
CREATE INDEX IF NOT EXISTS span_samples_by_endpoint ON span_samples (endpoint);
CREATE INDEX IF NOT EXISTS span_samples_by_profile ON span_samples (profile_id);
CREATE TABLE IF NOT EXISTS spans (
  span_id TEXT PRIMARY KEY,
  trace_id TEXT NOT NULL,
  parent_span_id TEXT NOT NULL,
  name TEXT NOT NULL,
  service TEXT NOT NULL,
  own_endpoint TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  local_root_span_id TEXT NOT NULL,
  root_known INTEGER NOT NULL,
  is_local_root INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS spans_by_start ON spans (start_us);
CREATE INDEX IF NOT EXISTS spans_by_trace ON spans (trace_id);
CREATE INDEX IF NOT EXISTS spans_by_parent ON spans (parent_span_id);
`;

/** Opens (creating when needed) the store's database for writing. */
export function openWriteDatabase(file: string): Database.Database {
  const db = new (openSqlite())(file);
  try {
    // auto_vacuum must be chosen before the first table exists; incremental lets retention
    // hand freed pages back to the file system a bounded number at a time.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a crash loses at most the last transactions, never corrupts.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32000');
    db.exec(DDL);
    const v = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined;
    if (v !== undefined && !(Number(v) >= 1 && Number(v) <= SCHEMA_VERSION)) {
      throw new Error(`store schema version ${v} is not supported (expected ${SCHEMA_VERSION})`);
    }
    db.transaction(() => {
      db.exec(BUCKETS_DDL);
      // Version 1 had no buckets: what it stored is compacted like newly written profiles.
      if (Number(v) === 1) migrateToBuckets(db);
      // Versions 1 and 2 kept no thread per sample: their rows get the columns, empty.
      migrateToThreads(db);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
        String(SCHEMA_VERSION),
      );
    })();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Versions 1-2 -> 3: `span_samples` gains `thread_name` / `thread_id` (ADD COLUMN with a
 * default rewrites no row) and the index on thread names. A no-op on a current database.
 */
function migrateToThreads(db: Database.Database): void {
  const cols = new Set((db.prepare('PRAGMA table_info(span_samples)').all() as { name: string }[]).map((c) => c.name));
  if (!cols.has('thread_name')) db.exec(`ALTER TABLE span_samples ADD COLUMN thread_name TEXT NOT NULL DEFAULT ''`);
  if (!cols.has('thread_id')) db.exec(`ALTER TABLE span_samples ADD COLUMN thread_id TEXT NOT NULL DEFAULT ''`);
  db.exec('CREATE INDEX IF NOT EXISTS span_samples_by_thread ON span_samples (thread_name)');
}

/** A read-only connection to the same database (WAL: it never blocks the writer). */
export function openReadDatabase(file: string): Database.Database {
  const db = new (openSqlite())(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -64000');
  return db;
}

/** Frame ids as the `stacks.frames` blob. */
export function encodeStack(frames: ArrayLike<number>): Buffer {
  const b = Buffer.allocUnsafe(frames.length * 4);
  for (let i = 0; i < frames.length; i++) b.writeUInt32LE(frames[i]!, i * 4);
  return b;
}

/**
 * The first n elements of a typed array as a blob, without copying (a view of its memory;
 * SQLite copies the bytes when it binds them). Little-endian, as every platform Node supports.
 */
export function typedBlob(a: Uint32Array | Float64Array, n: number): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
}

/** The `stacks.frames` blob as frame ids. */
export function decodeStack(b: Uint8Array): Uint32Array {
  const n = b.byteLength >>> 2;
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, n).slice();
  const out = new Uint32Array(n);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true);
  return out;
}

/** A profile's (stack id, value) pairs as the two `samples` blobs. */
export function encodeSamples(stackIds: ArrayLike<number>, values: ArrayLike<number>): { ids: Buffer; vals: Buffer } {
  const ids = Buffer.allocUnsafe(stackIds.length * 4);
  const vals = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < stackIds.length; i++) {
    ids.writeUInt32LE(stackIds[i]!, i * 4);
    vals.writeDoubleLE(values[i]!, i * 8);
  }
  return { ids, vals };
}

/** Views of the `samples` blobs (copies when unaligned). */
export function decodeSamples(ids: Uint8Array, vals: Uint8Array): { ids: Uint32Array; vals: Float64Array } {
  const n = ids.byteLength >>> 2;
  // Typed arrays read the host's byte order; every platform Node supports is little-endian.
  return { ids: new Uint32Array(ownBuffer(ids), 0, n), vals: new Float64Array(ownBuffer(vals), 0, vals.byteLength >>> 3) };
}

/** An ArrayBuffer holding exactly the bytes (a copy unless the view already spans its own buffer). */
function ownBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy.buffer;
}
