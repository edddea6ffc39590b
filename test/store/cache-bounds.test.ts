// The store's id and stack caches are bounded by bytes: under high-cardinality load (new
// stacks in every profile) they stay within their bound, evict oldest first, and an
// evicted entry is read back from its table (the same id, no duplicate row).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ByteBoundedMap, stringBytes } from '../../src/store/byte-bounded-map.js';
import { readFileSync } from 'node:fs';
import { FUNCTION_CACHE_BYTES, LAST_SEEN_SLACK_MS, SERIES_CACHE_BYTES, STACK_CACHE_BYTES, StoreWriter } from '../../src/store/writer.js';
import { READER_FRAME_CACHE_BYTES, READER_STACK_CACHE_BYTES } from '../../src/store/reader.js';
import { decodeSamples, decodeStack, openReadDatabase, openWriteDatabase } from '../../src/store/schema.js';
import { packStacks, type ExtractedProfile } from '../../src/store/ingest/extract.js';
import { INGEST_CACHE_BYTES } from '../../src/store/ingest/cache.js';
import { extractRequest } from '../../src/store/ingest/otlp.js';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';

/**
 * A request of `stacks` (function numbers, leaf first), each sample of value 1; `order`
 * permutes the order functions enter the dictionary (the same content, another layout).
 */
function stacksRequest(i: number, stacks: number[][], order: (fns: number[]) => number[] = (f) => f): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const fns = order([...new Set(stacks.flat())]);
  const loc = new Map(fns.map((f) => [f, b.location([{ functionIndex: b.function(`fn${f}`, `file${f % 7}.go`, f % 50), line: f % 90, column: 0 }])]));
  const samples = stacks.map((s) => makeSample({ stackIndex: b.stack(s.map((f) => loc.get(f)!)), values: [1] }));
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 1_000_000,
    timeUnixNano: BigInt(1_750_000_000_000 + i * 1000) * 1_000_000n,
    durationNano: 1_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k < 4 ? (i >> (8 * k)) & 0xff : 0x33)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'bounds' }), makeScope());
}

describe('ByteBoundedMap', () => {
  it('behaves like a FIFO map within its byte bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.constantFrom('set', 'delete', 'clear'), fc.string({ maxLength: 6 }), fc.integer({ min: 0, max: 60 })), {
          maxLength: 120,
        }),
        (maxBytes, ops) => {
          const size = (k: string, v: number) => k.length + v;
          const m = new ByteBoundedMap<string, number>(maxBytes, size);
          const model = new Map<string, number>();
          for (const [op, k, v] of ops) {
            if (op === 'clear') {
              m.clear();
              model.clear();
            } else if (op === 'delete') {
              assert.equal(m.delete(k), model.delete(k));
            } else {
              model.delete(k);
              if (size(k, v) <= maxBytes) model.set(k, v);
              let used = [...model].reduce((a, [kk, vv]) => a + size(kk, vv), 0);
              while (used > maxBytes) {
                const [fk, fv] = model.entries().next().value as [string, number];
                model.delete(fk);
                used -= size(fk, fv);
              }
              m.set(k, v);
            }
            assert.ok(m.bytes <= maxBytes);
            assert.equal(
              m.bytes,
              [...model].reduce((a, [kk, vv]) => a + size(kk, vv), 0),
            );
            assert.equal(m.size, model.size);
            for (const [kk, vv] of model) assert.equal(m.get(kk), vv);
          }
        },
      ),
    );
  });

  it('counts a char above U+00FF as two bytes', () => {
    assert.equal(stringBytes('abc'), 19);
    assert.equal(stringBytes('ab€'), 22);
  });
});

function profile(i: number, stacks: number[][], frames: number): ExtractedProfile {
  return {
    profileKey: `p${i}`,
    type: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
    labels: { service_name: 'svc' },
    startMs: 1_000 + i,
    endMs: 2_000 + i,
    unit: 'nanoseconds',
    sampleType: 'cpu',
    sampleUnit: 'nanoseconds',
    periodType: 'cpu',
    periodUnit: 'nanoseconds',
    period: 1,
    frames: Array.from({ length: frames }, (_, f) => ({ name: `fn${f}`, file: `file${f % 7}.go`, line: f, startLine: 1 })),
    stacks: packStacks(stacks.map((s) => ({ frames: s, value: 1 }))),
    spanSamples: [],
    threads: new Map(),
    total: stacks.length,
    sampleCount: stacks.length,
  };
}

describe('StoreWriter caches', () => {
  it('stay within their byte bounds under new stacks in every profile, and evicted stacks keep their ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-cache-bounds-'));
    const db = openWriteDatabase(join(dir, 'store.db'));
    try {
      const bounds = { stackCacheBytes: 64 * 1024, functionCacheBytes: 8 * 1024, seriesCacheBytes: 1024 };
      const writer = new StoreWriter(db, bounds);
      const FRAMES = 400;
      // 40 profiles × 200 stacks never seen before (deterministic walks over 400 frames).
      const all: number[][] = [];
      for (let i = 0; i < 40; i++) {
        const stacks = Array.from({ length: 200 }, (_, k) => Array.from({ length: 12 }, (_, d) => (i * 7919 + k * 104729 + d * 31) % FRAMES));
        all.push(...stacks);
        writer.writeProfiles([profile(i, stacks, FRAMES)]);
        const stats = writer.cacheStats();
        assert.ok(stats.bytes <= bounds.stackCacheBytes + bounds.functionCacheBytes + bounds.seriesCacheBytes, `cache bytes ${stats.bytes}`);
      }
      const stats = writer.cacheStats();
      assert.ok(stats.evictions > 0, 'the bounds were reached');
      const distinct = new Set(all.map((s) => s.join(','))).size;
      assert.equal(db.prepare('SELECT count(*) FROM stacks').pluck().get(), distinct);
      // The first profile's stacks were evicted long ago: writing them again adds no stack row.
      writer.writeProfiles([profile(1000, all.slice(0, 200), FRAMES)]);
      assert.equal(db.prepare('SELECT count(*) FROM stacks').pluck().get(), distinct);
      assert.equal(db.prepare('SELECT count(*) FROM functions').pluck().get(), FRAMES);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ingestion cache', () => {
  it('gives the same content the same ids whatever the request layout, and stays within its bound under new stacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-ingest-cache-'));
    const db = openWriteDatabase(join(dir, 'store.db'));
    try {
      const bound = 256 * 1024;
      const writer = new StoreWriter(db, { ingestCacheBytes: bound });
      const cache = writer.ingestCache;
      // The same stacks, functions entering the dictionary in reverse: same global ids.
      const same = [
        [1, 2, 3],
        [4, 2, 3],
      ];
      const a = extractRequest(stacksRequest(0, same), cache).profiles[0]!;
      const b = extractRequest(
        stacksRequest(1, same, (f) => [...f].reverse()),
        cache,
      ).profiles[0]!;
      assert.equal(b.resolved!.generation, a.resolved!.generation);
      assert.deepStrictEqual([...b.resolved!.stacks], [...a.resolved!.stacks]);
      assert.deepStrictEqual(b.stacks, a.stacks);
      const gids = (p: ExtractedProfile) => new Map(p.frames.map((f, i) => [f.name, p.resolved!.frames[i]]));
      assert.deepStrictEqual(gids(b), gids(a));

      // 60 requests of 20 stacks never seen before, over functions never seen before.
      const generations = new Set<number>();
      const all = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const stacks = Array.from({ length: 20 }, (_, k) => Array.from({ length: 10 }, (_, d) => 1000 + ((i * 7919 + k * 104729 + d * 31) % 5000)));
        for (const s of stacks) all.add(s.join(','));
        // Over its bound, it starts afresh before a request (extractRequest trims first).
        cache.trim();
        assert.ok(cache.bytes <= bound, `cache bytes ${cache.bytes}`);
        const out = extractRequest(stacksRequest(100 + i, stacks), cache);
        generations.add(out.profiles[0]!.resolved!.generation);
        writer.writeProfiles(out.profiles);
      }
      assert.ok(generations.size > 1, 'the bound was reached');
      // Rows found by index in one generation and by value after it: no stack written twice.
      assert.equal(db.prepare('SELECT count(*) FROM stacks').pluck().get(), all.size);
      const fns = db.prepare('SELECT count(*) AS n, count(DISTINCT name) AS d FROM functions').get() as { n: number; d: number };
      assert.equal(fns.n, fns.d);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('last_seen_ms of stacks and functions', () => {
  it('moves forward when a profile uses them more than the slack later, never back, by index or by value', () => {
    for (const withCache of [true, false]) {
      const dir = mkdtempSync(join(tmpdir(), 'opb-last-seen-'));
      const db = openWriteDatabase(join(dir, 'store.db'));
      try {
        const writer = new StoreWriter(db);
        const write = (i: number, stacks: number[][]) =>
          writer.writeProfiles(extractRequest(stacksRequest(i, stacks), withCache ? writer.ingestCache : undefined).profiles);
        const endOf = (i: number) => 1_750_000_000_000 + i * 1000 + 1000;
        const seen = () => ({
          stacks: db.prepare('SELECT last_seen_ms FROM stacks ORDER BY id').pluck().all(),
          functions: db.prepare('SELECT last_seen_ms FROM functions ORDER BY id').pluck().all(),
        });
        const step = Math.ceil(LAST_SEEN_SLACK_MS / 1000);
        write(0, [
          [1, 2, 3],
          [4, 2, 3],
        ]);
        assert.deepStrictEqual(seen(), { stacks: [endOf(0), endOf(0)], functions: [endOf(0), endOf(0), endOf(0), endOf(0)] });
        // Within the slack: nothing is rewritten.
        write(step - 2, [[1, 2, 3]]);
        assert.deepStrictEqual(seen(), { stacks: [endOf(0), endOf(0)], functions: [endOf(0), endOf(0), endOf(0), endOf(0)] });
        // Beyond it: the stack and functions used move forward (several in one statement), the others stay.
        const later = 2 * step;
        write(later, [[1, 2, 3]]);
        assert.deepStrictEqual(seen(), { stacks: [endOf(later), endOf(0)], functions: [endOf(later), endOf(later), endOf(later), endOf(0)] });
        // An older profile written afterwards moves nothing back.
        write(step + 1, [[1, 2, 3]]);
        assert.deepStrictEqual(seen(), { stacks: [endOf(later), endOf(0)], functions: [endOf(later), endOf(later), endOf(later), endOf(0)] });
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe('StoreWriter stack cache', () => {
  it('keeps stacks whose cache hashes collide apart (distinct rows and ids, also when written again)', () => {
    const FRAMES = 50;
    const a = [3, 1, 4, 1, 5];
    const b = [9, 2, 6];
    const dir = mkdtempSync(join(tmpdir(), 'opb-stack-hash-'));
    const db = openWriteDatabase(join(dir, 'store.db'));
    try {
      // Every stack hashes alike: each lookup finds another stack's entry, or its own.
      const writer = new StoreWriter(db, { stackHash: () => 7 });
      // Functions are written in frame order into a new database: frame f has id f + 1.
      writer.writeProfiles([profile(1, [a, b, a.slice(1)], FRAMES)]);
      writer.writeProfiles([profile(2, [b, a], FRAMES)]);
      writer.writeProfiles([profile(3, [a, b], FRAMES)]);
      const stacks = db.prepare('SELECT id, frames FROM stacks ORDER BY id').all() as { id: number; frames: Buffer }[];
      assert.deepStrictEqual(
        stacks.map((s) => [...decodeStack(s.frames)]),
        [a, b, a.slice(1)].map((s) => s.map((f) => f + 1)),
      );
      const idOf = new Map(stacks.map((s) => [[...decodeStack(s.frames)].join(), s.id]));
      const rows = db.prepare('SELECT stack_ids, vals FROM samples ORDER BY profile_id').all() as { stack_ids: Buffer; vals: Buffer }[];
      const want = [
        [a, b, a.slice(1)],
        [b, a],
        [a, b],
      ].map((list) => list.map((s) => idOf.get(s.map((f) => f + 1).join())));
      assert.deepStrictEqual(
        rows.map((row) => [...decodeSamples(row.stack_ids, row.vals).ids]),
        want,
      );
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store memory doc', () => {
  it('states the cache bounds the code uses', () => {
    const doc = readFileSync(new URL('../../../docs/store.md', import.meta.url), 'utf8');
    const mib = (n: number) => `${n / 2 ** 20} MiB`;
    assert.ok(doc.includes(`${mib(STACK_CACHE_BYTES)} of stacks, ${mib(FUNCTION_CACHE_BYTES)} of functions, ${mib(SERIES_CACHE_BYTES)} of series`));
    assert.ok(doc.includes(`${mib(READER_STACK_CACHE_BYTES)} of stacks,\n  ${mib(READER_FRAME_CACHE_BYTES)} of frames`));
    assert.ok(doc.includes(`the ingestion cache (strings, functions, locations, frames and stacks by value): ${mib(INGEST_CACHE_BYTES)}`));
    const dir = mkdtempSync(join(tmpdir(), 'opb-cache-doc-'));
    try {
      const w = openWriteDatabase(join(dir, 'store.db'));
      const r = openReadDatabase(join(dir, 'store.db'));
      // Negative cache_size is KiB: -32000 is the doc's 32 MB.
      const mb = (db: typeof w) => -Number(db.pragma('cache_size', { simple: true })) / 1000;
      assert.ok(doc.includes(`SQLite's page caches: ${mb(w)} MB for the writing connection, ${mb(r)} MB for each reading one`));
      r.close();
      w.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
