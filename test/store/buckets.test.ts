// Long ranges served from the time buckets answer exactly what merging every raw profile of
// the range answers: flame tree and top table, for a summed type (CPU) and an averaged one
// (in-use heap, averaged per series over its snapshots), on random fleets, with profiles
// pending compaction, profiles arriving late for compacted buckets, series filters, a store
// of the previous schema version, and retention by age and by size.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { storeConfigSchema } from '../../src/store/config.js';
import { Store } from '../../src/store/store.js';
import { StoreReader } from '../../src/store/reader.js';
import { StoreQueries, type Selection } from '../../src/store/queries.js';
import { openReadDatabase } from '../../src/store/schema.js';
import { BucketReader } from '../../src/store/buckets/read.js';
import { coverPlan } from '../../src/store/buckets/plan.js';
import { parseTagQuery } from '../../src/store/query/tag-query.js';
import type { FlameNode } from '../../src/store/query/flame.js';

const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FUNCS = Array.from({ length: 12 }, (_, i) => ({ name: `pkg.fn${i}`, file: `src/f${i % 4}.go`, startLine: 10 * i + 1 }));

interface Gen {
  type: 'cpu' | 'inuse_space';
  service: number;
  startMs: number;
  durationMs: number;
  samples: { stack: number[]; value: number }[];
}

function request(p: Gen, n: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const loc = (f: number) =>
    b.location([{ functionIndex: b.function(FUNCS[f]!.name, FUNCS[f]!.file, FUNCS[f]!.startLine), line: FUNCS[f]!.startLine + 2, column: 0 }]);
  const cpu = p.type === 'cpu';
  const profile = makeProfile({
    sampleType: cpu ? b.valueType('cpu', 'nanoseconds') : b.valueType('inuse_space', 'bytes'),
    periodType: cpu ? b.valueType('cpu', 'nanoseconds') : b.valueType('space', 'bytes'),
    period: cpu ? 10_000_000 : 524_288,
    timeUnixNano: BigInt(p.startMs) * 1_000_000n,
    durationNano: BigInt(p.durationMs) * 1_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k < 4 ? (n >> (8 * k)) & 0xff : 0x42)),
    samples: p.samples.map((s) => makeSample({ stackIndex: b.stack(s.stack.map(loc)), values: [s.value] })),
  });
  return makeProfilesRequest(
    b.dictionary,
    [profile],
    makeResource({ 'service.name': `svc-${p.service}`, 'host.name': `host-${p.service % 2}` }),
    makeScope(),
  );
}

const genProfile = (spanMs: number) =>
  fc.record({
    type: fc.constantFrom<'cpu' | 'inuse_space'>('cpu', 'inuse_space'),
    service: fc.integer({ min: 0, max: 2 }),
    startMs: fc.integer({ min: 0, max: spanMs }).map((t) => T0 + t),
    durationMs: fc.constantFrom(10_000, 30_000, 60_000, 95_000),
    samples: fc.array(
      fc.record({
        stack: fc.array(fc.integer({ min: 0, max: FUNCS.length - 1 }), { minLength: 1, maxLength: 5 }),
        value: fc.integer({ min: 1, max: 40 }),
      }),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
  });

const dirs: string[] = [];
const stores: Store[] = [];
const dbs: Database.Database[] = [];
after(async () => {
  for (const d of dbs) d.close();
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openStore(now: () => number, config: Record<string, unknown> = {}, dir = mkdtempSync(join(tmpdir(), 'opb-buckets-'))): Store {
  if (!dirs.includes(dir)) dirs.push(dir);
  const store = new Store({
    config: storeConfigSchema.parse({
      directory: dir,
      batch: { flush_interval: 1 },
      query: { workers: 0 },
      // Compaction and retention run when the test says so.
      buckets: { compact_interval: 0, max_profiles_per_run: 7 },
      retention: { check_interval: '1d', max_age: '3650d', max_size: '10GiB' },
      ...config,
    }),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    now,
  });
  store.open();
  stores.push(store);
  return store;
}

let counter = 0;
async function ingest(store: Store, profiles: Gen[]): Promise<void> {
  // Concurrently, so they share write transactions (order does not matter to any answer).
  for (let i = 0; i < profiles.length; i += 64) await Promise.all(profiles.slice(i, i + 64).map((p) => store.consumeProfiles(request(p, counter++))));
}

/** Both ways of answering, on one read connection. */
function answers(store: Store, closeAtEnd = true) {
  const db = openReadDatabase(store.file);
  if (closeAtEnd) dbs.push(db);
  const reader = new StoreReader(db);
  return { db, bucketed: new StoreQueries(reader), raw: new StoreQueries(new StoreReader(db), { buckets: false }), buckets: new BucketReader(db) };
}

/** The tree with values rounded to 1e-6 (averages add thirds in another order) and children in a canonical order. */
function canonical(n: FlameNode): unknown {
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    name: n.name,
    file: n.file,
    line: n.line,
    self: r(n.self),
    total: r(n.total),
    children: n.children.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

function assertSameAnswer(q: ReturnType<typeof answers>, sel: Selection): void {
  const a = q.bucketed.flame(sel, { top: { limit: 1000 } });
  const b = q.raw.flame(sel, { top: { limit: 1000 } });
  assert.equal(a.aggregation, b.aggregation);
  assert.equal(a.snapshots, b.snapshots, 'snapshots');
  assert.deepEqual(canonical(a.flame), canonical(b.flame), 'flame tree');
  const round = (rows: { self: number; total: number }[]) =>
    rows.map((x) => ({ ...x, self: Math.round(x.self * 1e6) / 1e6, total: Math.round(x.total * 1e6) / 1e6 }));
  assert.deepEqual(round(a.top!.rows), round(b.top!.rows), 'top table (flame answer)');
  const ta = q.bucketed.top(sel, { limit: 1000, sort: 'total' });
  const tb = q.raw.top(sel, { limit: 1000, sort: 'total' });
  assert.equal(ta.snapshots, tb.snapshots);
  assert.deepEqual(round(ta.rows), round(tb.rows), 'top table');
  if (a.aggregation === 'sum') assert.deepEqual(a.flame, b.flame, 'summed types are exactly equal');
}

describe('time buckets', () => {
  it('plans whole buckets, coarsest in the middle, raw at the edges', () => {
    const from = T0 + 2 * DAY + 5 * HOUR + 17 * MIN + 1234;
    const to = T0 + 5 * DAY + 2 * HOUR + 3 * MIN + 999;
    const plan = coverPlan(from, to)!;
    const H6 = 6 * HOUR;
    const at = (t: number) => (t - T0) / MIN;
    assert.deepEqual(
      plan.pieces.map((p) => [p.resolutionMs / MIN, at(p.fromMs), at(p.toMs)]),
      [
        [1, at(T0 + 2 * DAY + 5 * HOUR + 18 * MIN), at(T0 + 2 * DAY + 5 * HOUR + 20 * MIN)],
        [10, at(T0 + 2 * DAY + 5 * HOUR + 20 * MIN), at(T0 + 2 * DAY + 6 * HOUR)],
        [H6 / MIN, at(T0 + 2 * DAY + H6), at(T0 + 3 * DAY)],
        [DAY / MIN, at(T0 + 3 * DAY), at(T0 + 5 * DAY)],
        [60, at(T0 + 5 * DAY), at(T0 + 5 * DAY + 2 * HOUR)],
        [1, at(T0 + 5 * DAY + 2 * HOUR), at(T0 + 5 * DAY + 2 * HOUR + 3 * MIN)],
      ],
    );
    assert.equal(plan.firstMs, T0 + 2 * DAY + 5 * HOUR + 18 * MIN);
    assert.equal(plan.endMs, T0 + 5 * DAY + 2 * HOUR + 3 * MIN);
    assert.equal(coverPlan(T0 + 1000, T0 + 50_000), undefined, 'no whole bucket in it');
    // Nothing before the retention bound.
    assert.ok(coverPlan(T0, T0 + 3 * DAY, T0 + DAY + 1)!.firstMs >= T0 + DAY + 1);
  });

  it('a long range from buckets equals the same range merged from raw profiles (random fleets)', async () => {
    const SPAN = 3 * DAY;
    await fc.assert(
      fc.asyncProperty(
        fc.array(genProfile(SPAN), { minLength: 5, maxLength: 40 }),
        fc.array(genProfile(SPAN), { minLength: 0, maxLength: 10 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: -HOUR, max: SPAN }), fc.integer({ min: HOUR, max: SPAN + 2 * HOUR })), { minLength: 1, maxLength: 3 }),
        async (first, late, runs, ranges) => {
          // Each run (and each shrink) closes what it opened: left open, a few hundred runs
          // exhaust the process's file descriptors and every later open fails (SQLITE_CANTOPEN).
          const store = openStore(() => T0 + 30 * DAY);
          let q: ReturnType<typeof answers> | undefined;
          try {
            await ingest(store, first);
            // Everything compacted (minute buckets settled long ago), then profiles arrive late
            // for compacted buckets, then only some runs: some profiles stay pending.
            for (let i = 0; i < 100 && store.compact().more; i++);
            await ingest(store, late);
            for (let i = 0; i < runs; i++) store.compact();
            q = answers(store, false);
            for (const type of ['cpu', 'inuse_space']) {
              for (const [start, length] of ranges) {
                const sel: Selection = { type, from: T0 + start, to: T0 + start + length };
                if (!q.raw.profileTypes().some((t) => t.type === type)) continue;
                assertSameAnswer(q, sel);
                assertSameAnswer(q, { ...sel, query: parseTagQuery('service:svc-1') });
                assertSameAnswer(q, { ...sel, query: parseTagQuery('host:host-0') });
              }
              if (q.raw.profileTypes().some((t) => t.type === type)) assertSameAnswer(q, { type, from: 0, to: Number.MAX_SAFE_INTEGER });
            }
          } finally {
            q?.db.close();
            await store.close();
            stores.splice(stores.indexOf(store), 1);
            rmSync(dirname(store.file), { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads buckets for the whole buckets of a range, and raw only at the edges and for pending profiles', async () => {
    let now = T0 + 10 * DAY;
    const store = openStore(() => now);
    // One CPU and one heap profile per service per minute for a day and a bit.
    const gens: Gen[] = [];
    for (let m = 0; m < 26 * 60; m += 1) {
      for (const type of ['cpu', 'inuse_space'] as const)
        gens.push({
          type,
          service: m % 3,
          startMs: T0 + m * MIN + 5000,
          durationMs: 50_000,
          samples: [
            { stack: [m % 12, 3, 1], value: 1 + (m % 7) },
            { stack: [2, 1], value: 3 },
          ],
        });
    }
    await ingest(store, gens);
    for (let i = 0; i < 10_000 && store.compact().more; i++);
    const q = answers(store);
    for (const type of ['cpu', 'inuse_space']) {
      const sel: Selection = { type, from: T0 + 30 * MIN + 10_000, to: T0 + 25 * HOUR + 7 * MIN };
      const b = q.buckets.aggregate(type, sel.from, sel.to, undefined, type === 'cpu' ? 'sum' : 'average', 50_000)!;
      // Minutes 31..40, 10-minute buckets to the hour, 6-hour and hour buckets, 7 minutes; each
      // piece holds one bucket per series that has a profile in it (3 series).
      assert.ok(b.bucketRows > 0 && b.bucketRows <= 3 * (9 + 2 + 5 + 3 + 1 + 7), `bucket rows ${b.bucketRows}`);
      assert.ok(b.rawProfiles <= 2, `raw profiles read: ${b.rawProfiles}`);
      assert.equal(b.snapshots, q.raw.flame(sel).snapshots);
      assertSameAnswer(q, sel);
      // Search (flame graph, count, newest profiles listed) and compare read buckets too.
      const sa = q.bucketed.search(sel, { limit: 10 });
      const sb = q.raw.search(sel, { limit: 10 });
      assert.deepEqual(canonical(sa.flame), canonical(sb.flame));
      assert.equal(sa.profileCount, sb.profileCount);
      assert.deepEqual(sa.profiles, sb.profiles);
      const other: Selection = { ...sel, query: parseTagQuery('service:svc-2') };
      const ca = q.bucketed.compare(sel, other);
      const cb = q.raw.compare(sel, other);
      assert.deepEqual([ca.a.profiles, ca.b.profiles, ca.a.snapshots], [cb.a.profiles, cb.b.profiles, cb.a.snapshots]);
      assert.deepEqual(
        JSON.parse(JSON.stringify(ca.rows, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v))),
        JSON.parse(JSON.stringify(cb.rows, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v))),
      );
    }
    // What compaction has not reached yet is read raw, and still counted once.
    now = T0 + 10 * DAY;
    await ingest(store, [{ type: 'cpu', service: 0, startMs: T0 + 3 * HOUR + 1000, durationMs: 10_000, samples: [{ stack: [5, 4], value: 1000 }] }]);
    const sel: Selection = { type: 'cpu', from: T0, to: T0 + 6 * HOUR };
    const b = q.buckets.aggregate('cpu', sel.from, sel.to, undefined, 'sum', 50_000)!;
    assert.equal(b.rawProfiles, 1);
    assertSameAnswer(q, sel);
    store.compact();
    assert.equal(q.buckets.aggregate('cpu', sel.from, sel.to, undefined, 'sum', 50_000)!.rawProfiles, 0);
    assertSameAnswer(q, sel);
    // Through the store's own query runner too.
    const viaStore = await store.queries.run('flame', sel, {});
    assert.deepEqual(viaStore.flame, q.raw.flame(sel).flame);
  });

  it('waits for a minute to settle before merging it', async () => {
    let now = T0 + 10 * MIN;
    const store = openStore(() => now, { buckets: { compact_interval: 0, settle: '1m' } });
    await ingest(store, [{ type: 'cpu', service: 0, startMs: T0 + 9 * MIN + 1000, durationMs: 10_000, samples: [{ stack: [1], value: 1 }] }]);
    assert.equal(store.compact().profiles, 0, 'its minute has not settled');
    now = T0 + 11 * MIN;
    assert.equal(store.compact().profiles, 1);
  });

  it('a store of schema version 1 gains buckets of everything it held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-buckets-'));
    const now = () => T0 + 10 * DAY;
    let store = openStore(now, {}, dir);
    const gens: Gen[] = Array.from({ length: 200 }, (_, i) => ({
      type: 'cpu' as const,
      service: i % 3,
      startMs: T0 + i * 7 * MIN,
      durationMs: 60_000,
      samples: [{ stack: [i % 12, 0], value: i + 1 }],
    }));
    await ingest(store, gens);
    await store.close();
    // As version 1 left it: no bucket tables.
    const db = new Database(join(dir, 'profiles.db'));
    db.exec(
      `DROP TRIGGER profiles_bucket_pending; DROP TRIGGER profiles_bucket_unpending; DROP TABLE buckets; DROP TABLE bucket_pending; UPDATE meta SET value = '1' WHERE key = 'schema_version'`,
    );
    db.close();
    store = openStore(now, {}, dir);
    for (let i = 0; i < 1000 && store.compact().more; i++);
    const q = answers(store);
    const sel: Selection = { type: 'cpu', from: T0, to: T0 + 2 * DAY };
    assert.equal(q.buckets.aggregate('cpu', sel.from, sel.to, undefined, 'sum', 60_000)!.rawProfiles, 0);
    assertSameAnswer(q, sel);
    assert.equal(q.bucketed.flame(sel).snapshots, 200);
  });

  it('retention by age and by size applies to buckets too', async () => {
    let now = T0 + 3 * DAY;
    const store = openStore(() => now, { retention: { check_interval: '1d', max_age: '2d', max_size: '10GiB', max_deletes_per_run: 50 } });
    const gens: Gen[] = Array.from({ length: 3 * 24 * 4 }, (_, i) => ({
      type: i % 2 ? ('inuse_space' as const) : ('cpu' as const),
      service: i % 3,
      startMs: T0 + i * 15 * MIN,
      durationMs: 60_000,
      samples: [
        { stack: [i % 12, 1, 0], value: 1 + (i % 9) },
        { stack: [(i * 5) % 12], value: 2 },
      ],
    }));
    await ingest(store, gens);
    for (let i = 0; i < 1000 && store.compact().more; i++);
    const q = answers(store);
    const all = { from: T0, to: T0 + 3 * DAY };
    const bucketsBefore = q.db
      .prepare('SELECT count(*) FROM buckets WHERE start_ms < ?')
      .pluck()
      .get(T0 + DAY) as number;
    assert.ok(bucketsBefore > 0);
    // Age: the first day goes from raw profiles and from buckets alike.
    for (let i = 0; i < 100 && store.retain().more; i++);
    assert.equal(
      q.db
        .prepare('SELECT count(*) FROM profiles WHERE start_ms < ? AND end_ms < ?')
        .pluck()
        .get(T0 + DAY, T0 + DAY),
      0,
    );
    assert.equal(
      q.db
        .prepare('SELECT count(*) FROM buckets WHERE start_ms < ?')
        .pluck()
        .get(T0 + DAY),
      0,
    );
    for (const type of ['cpu', 'inuse_space']) assertSameAnswer(q, { type, ...all });
    // Size: a bound below what is stored (about 300 kB here) but above the empty store's own
    // pages and log share (about 140 kB) deletes the oldest raw profiles, and buckets follow.
    await store.close();
    now = T0 + 3 * DAY;
    const small = openStore(
      () => now,
      { retention: { check_interval: '1d', max_age: '30d', max_size: 250_000, max_deletes_per_run: 20 } },
      dirs[dirs.length - 1],
    );
    for (let i = 0; i < 200 && small.retain().more; i++);
    const q2 = answers(small);
    const oldest = q2.db.prepare('SELECT min(start_ms) FROM profiles').pluck().get() as number;
    assert.ok(oldest > T0 + DAY, 'size retention deleted old profiles');
    assert.equal(q2.db.prepare('SELECT count(*) FROM buckets WHERE start_ms < ?').pluck().get(oldest), 0, 'and the buckets before them');
    for (const type of ['cpu', 'inuse_space']) assertSameAnswer(q2, { type, ...all });
  });
});
