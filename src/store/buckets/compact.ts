// Background compaction: merges pending profiles whose finest bucket has closed into the
// buckets of every resolution, in one bounded transaction per run (on the store's write
// connection, so it never races a write). Merging adds to what a bucket holds, so a profile
// that arrives late for a compacted bucket is simply added; retention deleting raw profiles
// afterwards takes nothing out of the buckets.
import type Database from 'better-sqlite3';
import { decodeSamples, encodeSamples } from '../schema.js';
import { mergeColumns } from './accumulate.js';
import { bucketStart, FINEST_MS, RESOLUTIONS_MS } from './plan.js';
import { bucketsFrom } from './schema.js';

export interface CompactOptions {
  /** Unix ms. */
  now: number;
  /** A profile is merged once its finest bucket ended at least this long ago (late data settles first). */
  settleMs: number;
  /** Profiles merged per run (bounds how long the write lock is held). */
  maxProfiles: number;
}

export interface CompactResult {
  /** Pending profiles taken (merged, or dropped when older than the buckets kept). */
  profiles: number;
  /** Bucket rows written. */
  buckets: number;
  /** More profiles are ready; run again soon. */
  more: boolean;
}

interface Delta {
  type: string;
  seriesId: number;
  resolutionMs: number;
  startMs: number;
  snapshots: number;
  total: number;
  firstMs: number;
  lastMs: number;
  values: Map<number, number>;
}

type PendingRow = [number, string, number, number, number, number, Buffer | null, Buffer | null];

export function compactBuckets(db: Database.Database, o: CompactOptions): CompactResult {
  const select = db
    .prepare(
      `SELECT bp.profile_id, bp.type, bp.series_id, bp.start_ms, p.end_ms, p.total, s.stack_ids, s.vals
       FROM bucket_pending bp JOIN profiles p ON p.id = bp.profile_id LEFT JOIN samples s ON s.profile_id = bp.profile_id
       WHERE bp.start_ms < ? ORDER BY bp.start_ms LIMIT ?`,
    )
    .raw();
  const existing = db
    .prepare(
      'SELECT id, snapshots, total, first_ms, last_ms, stack_ids, vals FROM buckets WHERE type = ? AND resolution_ms = ? AND start_ms = ? AND series_id = ?',
    )
    .raw();
  const update = db.prepare('UPDATE buckets SET snapshots = ?, total = ?, first_ms = ?, last_ms = ?, stack_ids = ?, vals = ? WHERE id = ?');
  const insert = db.prepare(
    'INSERT INTO buckets (resolution_ms, type, start_ms, series_id, snapshots, total, first_ms, last_ms, stack_ids, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const done = db.prepare('DELETE FROM bucket_pending WHERE profile_id IN (SELECT value FROM json_each(?))');

  return db.transaction((): CompactResult => {
    const closedBefore = bucketStart(o.now - o.settleMs, FINEST_MS);
    const floor = bucketsFrom(db);
    const rows = select.all(closedBefore, o.maxProfiles) as PendingRow[];
    const deltas = new Map<string, Delta>();
    for (const [, type, seriesId, startMs, endMs, total, idBlob, valBlob] of rows) {
      if (startMs < floor) continue; // retention already dropped this part of the buckets
      const samples = idBlob && valBlob ? decodeSamples(idBlob, valBlob) : { ids: new Uint32Array(0), vals: new Float64Array(0) };
      for (const r of RESOLUTIONS_MS) {
        const b = bucketStart(startMs, r);
        if (b < floor) continue;
        const key = `${type}\u0000${r}\u0000${b}\u0000${seriesId}`;
        let d = deltas.get(key);
        if (!d)
          deltas.set(
            key,
            (d = { type, seriesId, resolutionMs: r, startMs: b, snapshots: 0, total: 0, firstMs: startMs, lastMs: endMs, values: new Map() }),
          );
        d.snapshots++;
        d.total += total;
        d.firstMs = Math.min(d.firstMs, startMs);
        d.lastMs = Math.max(d.lastMs, endMs);
        const { ids, vals } = samples;
        for (let i = 0; i < ids.length; i++) d.values.set(ids[i]!, (d.values.get(ids[i]!) ?? 0) + vals[i]!);
      }
    }
    for (const d of deltas.values()) {
      const row = existing.get(d.type, d.resolutionMs, d.startMs, d.seriesId) as [number, number, number, number, number, Buffer, Buffer] | undefined;
      if (row) {
        const [id, snapshots, total, firstMs, lastMs, idBlob, valBlob] = row;
        const old = decodeSamples(idBlob, valBlob);
        const merged = mergeColumns(old.ids, old.vals, d.values);
        const blobs = encodeSamples(merged.ids, merged.vals);
        update.run(snapshots + d.snapshots, total + d.total, Math.min(firstMs, d.firstMs), Math.max(lastMs, d.lastMs), blobs.ids, blobs.vals, id);
      } else {
        const blobs = encodeSamples([...d.values.keys()], [...d.values.values()]);
        insert.run(d.resolutionMs, d.type, d.startMs, d.seriesId, d.snapshots, d.total, d.firstMs, d.lastMs, blobs.ids, blobs.vals);
      }
    }
    if (rows.length > 0) done.run(JSON.stringify(rows.map((r) => r[0])));
    return { profiles: rows.length, buckets: deltas.size, more: rows.length === o.maxProfiles };
  })();
}
