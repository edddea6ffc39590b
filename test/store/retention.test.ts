// Size retention under a sustained load of ever-new stacks: the store keeps its newest
// profiles, frees the stacks and functions of the deleted ones in the same run, and the
// database file (main file and write-ahead log) stays within 10 % of max_size.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { storeConfigSchema } from '../../src/store/config.js';
import { Store } from '../../src/store/store.js';
import { runRetention, usedBytes } from '../../src/store/retention.js';
import { parseTagQuery } from '../../src/store/query/tag-query.js';

const dirs: string[] = [];
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openStore(config: Record<string, unknown>): Store {
  const dir = mkdtempSync(join(tmpdir(), 'opb-retention-'));
  dirs.push(dir);
  const store = new Store({
    // A scheduled run would come too late to matter here (1 h): what bounds the file is
    // the run that follows the write crossing max_size.
    config: storeConfigSchema.parse({ directory: dir, batch: { flush_interval: 1 }, query: { workers: 0 }, ...config }),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
  });
  store.open();
  stores.push(store);
  return store;
}

const T0 = 1_800_000_000_000;

/** Profile `i`: `stacks` stacks, each three frames deep with a leaf function seen nowhere else. */
function distinctProfile(i: number, stacks: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const root = b.location([{ functionIndex: b.function('main', 'main.go', 1), line: 1, column: 0 }]);
  const mid = b.location([{ functionIndex: b.function(`handler_${i % 7}`, 'handler.go', 10), line: 12, column: 0 }]);
  const samples = [];
  for (let s = 0; s < stacks; s++) {
    const leaf = b.location([{ functionIndex: b.function(`generated_${i}_${s}`, `gen/${i}.go`, s), line: s + 1, column: 0 }]);
    samples.push(makeSample({ stackIndex: b.stack([leaf, mid, root]), values: [1 + (s % 5)] }));
  }
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 1_000_000,
    timeUnixNano: BigInt(T0 + i * 10_000) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k < 4 ? (i >> (8 * k)) & 0xff : 7)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'churn' }), makeScope());
}

function fileBytes(store: Store): { main: number; wal: number } {
  const size = (f: string): number => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return { main: size(store.file), wal: size(`${store.file}-wal`) };
}

function tableCount(store: Store, table: string): number {
  const db = new Database(store.file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('size retention under sustained load', () => {
  it('keeps the newest profiles and the file within 10 % of max_size while every profile brings new stacks', async () => {
    const maxSize = 4 * 2 ** 20;
    const store = openStore({ retention: { max_size: maxSize, max_age: '3650d', check_interval: '1h', max_deletes_per_run: 500 } });
    const total = 300;
    let largest = { main: 0, wal: 0, at: -1 };
    let firstDeletion = -1;
    for (let i = 0; i < total; i++) {
      await store.consumeProfiles(distinctProfile(i, 400));
      const f = fileBytes(store);
      if (f.main + f.wal > largest.main + largest.wal) largest = { ...f, at: i };
      if (firstDeletion < 0 && store.profiles < i + 1) firstDeletion = i;
    }
    // What max_size holds: the profiles written before the first deletion.
    assert.ok(
      firstDeletion > 10 && firstDeletion < total / 3,
      `the load is several times max_size (first deletion at profile ${firstDeletion} of ${total})`,
    );
    assert.ok(
      largest.main + largest.wal <= maxSize * 1.1,
      `database + WAL stayed within 10 % of ${maxSize}: largest ${largest.main} + ${largest.wal} after profile ${largest.at}`,
    );
    const kept = store.profiles;
    assert.ok(kept >= firstDeletion * 0.8, `kept ${kept} profiles, about what max_size holds (${firstDeletion})`);
    assert.equal(tableCount(store, 'profiles'), kept);
    // The newest ones, without a gap.
    const r = await store.queries.run('search', { from: 0, to: Number.MAX_SAFE_INTEGER, query: parseTagQuery('service:churn') }, { limit: 10_000 });
    const indices = r.profiles.map((p) => (p.startMs - T0) / 10_000).sort((a, b) => a - b);
    assert.deepEqual(
      indices,
      Array.from({ length: kept }, (_, k) => total - kept + k),
    );
    // Only the stacks and functions of kept profiles remain (400 leaves each, plus shared ones).
    assert.equal(tableCount(store, 'stacks'), kept * 400);
    assert.equal(tableCount(store, 'functions'), kept * 400 + 1 + 7);
  });

  it('does not delete the profiles when other rows hold the space', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-retention-'));
    dirs.push(dir);
    const store = openStore({ directory: dir, retention: { max_size: 1 * 2 ** 20, max_age: '3650d', check_interval: '1h' } });
    return (async () => {
      for (let i = 0; i < 5; i++) await store.consumeProfiles(distinctProfile(i, 50));
      await store.close();
      // Something that is neither profile data nor spans takes 3 MiB.
      const db = new Database(store.file);
      db.exec('CREATE TABLE ballast (b BLOB)');
      const ins = db.prepare('INSERT INTO ballast VALUES (?)');
      for (let i = 0; i < 48; i++) ins.run(Buffer.alloc(64 * 1024, i));
      const before = usedBytes(db);
      assert.ok(before > 3 * 2 ** 20);
      const r = runRetention(db, { now: T0, maxAgeMs: 1e15, maxSizeBytes: 2 ** 20, maxDeletes: 100 });
      assert.equal(r.deletedBySize, 0, 'no profile deleted');
      assert.ok(r.heldByOtherRows, 'the run says what holds the space');
      assert.ok(r.heldByOtherRows.otherBytes > 3 * 2 ** 20);
      assert.equal(db.prepare('SELECT count(*) FROM profiles').pluck().get(), 5);
      assert.equal(r.more, false, 'and does not spin');
      db.close();
    })();
  });
});
