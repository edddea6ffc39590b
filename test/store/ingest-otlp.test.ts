// The store's direct OTLP ingestion (ingest/otlp.ts) against the pprof path it replaced
// (convert.ts, then extract.ts), which is kept for this comparison: on random requests the
// two give the same profiles (frames, stacks, values, span attribution, threads, windows,
// types, series, sample counts) and reject the same profiles with the same messages; and on
// the store fixtures, a store fed through each path answers every query the same.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { AnyValue, ExportProfilesServiceRequest, Profile } from '../../src/otlp/model.js';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { extractProfile, stackFrames, type ExtractedProfile } from '../../src/store/ingest/extract.js';
import { extractRequest } from '../../src/store/ingest/otlp.js';
import { IngestCache } from '../../src/store/ingest/cache.js';
import { spanRecords } from '../../src/store/ingest/spans.js';
import { openReadDatabase, openWriteDatabase } from '../../src/store/schema.js';
import { StoreWriter } from '../../src/store/writer.js';
import { StoreReader } from '../../src/store/reader.js';
import { StoreQueries } from '../../src/store/queries.js';
import { parseTagQuery } from '../../src/store/query/tag-query.js';
import { arbId, arbProfilesRequest } from '../helpers/otlp-arbitraries.js';
import { PROFILES, SPAN, TRACE, fixtureT0, profileRequest, tracesRequest } from './fixture.js';

/** Strings that mean something to the converter or the store, mixed into random string tables. */
const WORDS = [
  'service.name',
  'service.name',
  'service.name',
  'process.executable.name',
  'thread.name',
  'thread_name',
  'thread.id',
  'thread id',
  'span.name',
  'trace.endpoint',
  'local_root_span.id',
  'span_id',
  'span.id',
  'span id',
  'trace_id',
  'trace.id',
  'trace endpoint',
  'local root span id',
  'cpu',
  'wall',
  'samples',
  'sample',
  'count',
  'nanoseconds',
  'ms',
  'seconds',
  'alloc_space',
  'bytes',
  'off_cpu',
  '00000000000000a1',
  '0123456789abcdef',
  '0af7651916cd43dd8448eb211c80319c',
  '12345',
  'GET /cart',
  'checkout',
  'process.executable.build_id.gnu',
];

/** Random requests with meaningful strings in their tables (so types, spans, services and threads occur). */
function arbMeaningfulRequest(): fc.Arbitrary<ExportProfilesServiceRequest> {
  return fc
    .tuple(
      arbProfilesRequest(),
      fc.array(fc.option(fc.constantFrom(...WORDS), { freq: 2, nil: undefined }), { minLength: 12, maxLength: 12 }),
      fc.array(fc.option(fc.constantFrom(...WORDS, 'cart', 'web'), { freq: 2, nil: undefined }), { minLength: 6, maxLength: 6 }),
      fc.boolean(),
      // A thread attribute on some samples: by chance alone too rare for the coverage check below.
      fc.option(
        fc.constantFrom<[string, AnyValue]>(
          ['thread.name', { stringValue: 'worker-1' }],
          ['thread_name', { stringValue: 'main' }],
          ['thread.id', { intValue: 7n }],
          ['thread id', { intValue: 0n }],
        ),
        { nil: undefined },
      ),
    )
    .map(([req, words, values, sameWindow, thread]) => {
      // Profiles of a scope cut together (a sample count beside the time it counts).
      if (sameWindow) {
        for (const sp of req.resourceProfiles.flatMap((r) => r.scopeProfiles)) {
          for (const p of sp.profiles) Object.assign(p, { timeUnixNano: sp.profiles[0]!.timeUnixNano, durationNano: sp.profiles[0]!.durationNano });
        }
      }
      const d = req.dictionary;
      if (d) {
        d.stringTable = d.stringTable.map((s, i) => (i === 0 ? s : (words[i - 1] ?? s)));
        // Plain string values too (ids, endpoints and service names are mostly sent so).
        d.attributeTable.forEach((a, i) => {
          const v = values[i - 1];
          if (i > 0 && v !== undefined) a.value = { stringValue: v };
        });
        if (thread && d.stringTable.length > 0 && d.attributeTable.length > 0) {
          d.stringTable.push(thread[0]);
          d.attributeTable.push({ keyStrindex: d.stringTable.length - 1, value: thread[1], unitStrindex: 0 });
          const index = d.attributeTable.length - 1;
          profilesOf(req)[0]?.samples.forEach((sample, i) => i % 2 === 0 && sample.attributeIndices.push(index));
        }
      }
      return req;
    });
}

/** One of the faults the converter rejects a profile for, applied to the first sample found. */
type Fault = 'stack' | 'function' | 'link' | 'attribute' | 'lengths' | 'string' | 'location';

function withFault(req: ExportProfilesServiceRequest, fault: Fault): ExportProfilesServiceRequest {
  const d = req.dictionary!;
  const sample = req.resourceProfiles.flatMap((r) => r.scopeProfiles.flatMap((s) => s.profiles.flatMap((p) => p.samples)))[0];
  switch (fault) {
    case 'stack':
      if (sample) sample.stackIndex = d.stackTable.length + 3;
      break;
    case 'function': {
      const ln = d.locationTable.flatMap((l) => l.lines).find((x) => x.functionIndex !== 0);
      if (ln) ln.functionIndex = d.functionTable.length + 1;
      break;
    }
    case 'location': {
      const st = d.stackTable.find((s) => s.locationIndices.length > 0);
      if (st) st.locationIndices[0] = d.locationTable.length;
      break;
    }
    case 'link':
      if (d.linkTable.length > 1) d.linkTable[1] = { traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(3).fill(2) };
      if (sample) sample.linkIndex = d.linkTable.length > 1 ? 1 : 9;
      break;
    case 'attribute':
      if (sample) sample.attributeIndices = [...sample.attributeIndices, d.attributeTable.length + 5];
      break;
    case 'lengths':
      if (sample) sample.timestampsUnixNano = [...sample.values, 1, 2].map((_, i) => BigInt(i + 1));
      if (sample && sample.values.length === 0) sample.values = [1];
      break;
    case 'string':
      if (d.functionTable.length > 1) d.functionTable[1]!.filenameStrindex = d.stringTable.length + 2;
      break;
  }
  return req;
}

function oldPath(req: ExportProfilesServiceRequest): { profiles: ExtractedProfile[]; errors: string[] } {
  const r = convertProfilesRequest(req);
  return { profiles: r.profiles.map(extractProfile), errors: r.errors.map((e) => e.message) };
}

/**
 * One ingestion cache for every request of this file, small enough to start afresh now and
 * then: what earlier requests left in it must not change an answer.
 */
const sharedCache = new IngestCache(64 * 1024);

/** A profile's global ids name its own frames and stacks in the cache it was extracted with. */
function checkResolved(p: ExtractedProfile, cache: IngestCache): void {
  const r = p.resolved;
  assert.ok(r, 'the OTLP path gives the global ids of what it extracted');
  assert.equal(r.generation, cache.generation);
  assert.equal(r.frames.length, p.frames.length);
  r.frames.forEach((g, i) => assert.equal(cache.frames[g], p.frames[i]));
  assert.equal(r.stacks.length, p.stacks.count);
  assert.equal(new Set(r.stacks).size, r.stacks.length, 'a profile lists a stack once');
  // Equal frame lists have one id: the same stack in two profiles is found by its id.
  const byFrames = new Map<string, number>();
  r.stacks.forEach((g, i) => {
    const key = [...stackFrames(p.stacks, i)].map((f) => r.frames[f]).join(',');
    const seen = byFrames.get(key);
    assert.ok(seen === undefined || seen === g);
    byFrames.set(key, g);
  });
}

const withoutResolved = ({ resolved: _, ...p }: ExtractedProfile): ExtractedProfile => p;

function newPath(req: ExportProfilesServiceRequest, cache: IngestCache = sharedCache): { profiles: ExtractedProfile[]; errors: string[] } {
  const r = extractRequest(req, cache);
  for (const p of r.profiles) checkResolved(p, cache);
  return { profiles: r.profiles.map(withoutResolved), errors: r.errors.map((e) => e.message) };
}

const withoutKey = (p: ExtractedProfile) => ({ ...p, profileKey: '' });

function profilesOf(req: ExportProfilesServiceRequest): Profile[] {
  return req.resourceProfiles.flatMap((r) => r.scopeProfiles.flatMap((s) => s.profiles));
}

describe('store ingestion from OTLP', () => {
  it('extracts what the pprof path extracts, on random requests with ids', () => {
    const seen = { spans: 0, threads: 0, threadIds: 0, stacks: 0, merged: 0, timed: 0, split: 0, counts: 0 };
    fc.assert(
      fc.property(arbMeaningfulRequest(), fc.array(arbId(16), { minLength: 12, maxLength: 12 }), (req, ids) => {
        profilesOf(req).forEach((p, i) => (p.profileId = ids[i % ids.length]!));
        const a = oldPath(req);
        const b = newPath(req);
        assert.deepStrictEqual(b.errors, a.errors);
        assert.deepStrictEqual(b.profiles, a.profiles);
        for (const p of b.profiles) {
          if (p.spanSamples.length > 0) seen.spans++;
          if (p.threads.size > 0) seen.threads++;
          if (p.spanSamples.some((x) => x.threadId !== '')) seen.threadIds++;
          if (p.stacks.count > 1) seen.stacks++;
          if (p.sampleCount > p.stacks.count) seen.merged++;
          if (p.unit === 'nanoseconds') seen.timed++;
          if (p.type.endsWith('_samples')) seen.counts++;
        }
        // A profile moved to (or split into) the services its samples name gets a derived id.
        const sent = new Set(ids.map((id) => Buffer.from(id).toString('hex')));
        if (b.profiles.some((p) => !sent.has(p.profileKey))) seen.split++;
      }),
      { numRuns: 400 },
    );
    // The random requests reach every part of the extraction.
    // The random requests reach the common parts of the extraction (service splits and
    // `_samples` types are rarer: the example below takes them on).
    for (const k of ['spans', 'threads', 'threadIds', 'stacks', 'merged', 'timed'] as const) assert.ok(seen[k] > 0, `${k}: ${seen[k]}`);
  });

  it('extracts what the pprof path extracts, profile ids aside, on random requests without ids', () => {
    fc.assert(
      fc.property(arbMeaningfulRequest(), (req) => {
        for (const p of profilesOf(req)) p.profileId = new Uint8Array(0);
        const a = oldPath(req);
        const b = newPath(req);
        assert.deepStrictEqual(b.errors, a.errors);
        assert.deepStrictEqual(b.profiles.map(withoutKey), a.profiles.map(withoutKey));
        // A content id is a 128-bit hex id, the same for the same request.
        for (const p of b.profiles) assert.match(p.profileKey, /^[0-9a-f]{32}$/);
        assert.deepStrictEqual(
          newPath(req).profiles.map((p) => p.profileKey),
          b.profiles.map((p) => p.profileKey),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('splits by per-sample service.name, types sample counts beside their time, keeps negatives, as the pprof path', () => {
    const b = new DictionaryBuilder();
    const main = b.location([{ functionIndex: b.function('main', 'main.go', 1), line: 3, column: 0 }]);
    const work = b.location(
      [{ functionIndex: b.function('work', 'work.go', 10), line: 12, column: 0 }],
      b.mapping({ memoryStart: 0n, memoryLimit: 4096n, fileOffset: 0n, filenameStrindex: b.string('/bin/app') }),
      0x1234n,
    );
    const raw = b.location(
      [],
      b.mapping({ memoryStart: 0n, memoryLimit: 8192n, fileOffset: 0n, filenameStrindex: b.string('/lib/libc.so') }),
      0xbeefn,
    );
    const s1 = b.stack([work, main]);
    const s2 = b.stack([raw, main]);
    const cart = b.attribute('service.name', 'cart');
    const thread = b.attribute('thread.name', 'worker-1');
    const span = b.link(new Uint8Array(16).fill(3), new Uint8Array(8).fill(4));
    const endpoint = b.attribute('trace.endpoint', 'GET /cart');
    const window = { timeUnixNano: 1_750_000_000_000_000_000n, durationNano: 10_000_000_000n };
    const samples = [
      makeSample({ stackIndex: s1, values: [5], attributeIndices: [thread] }),
      makeSample({ stackIndex: s1, values: [-5], attributeIndices: [thread] }), // merges to 0: dropped
      makeSample({ stackIndex: s2, values: [7], attributeIndices: [cart, endpoint], linkIndex: span }),
      makeSample({ stackIndex: s2, values: [-2], linkIndex: span }),
      makeSample({ stackIndex: s1, timestampsUnixNano: [1n, 2n, 3n] }),
    ];
    const wall = makeProfile({
      ...window,
      sampleType: b.valueType('wall', 'nanoseconds'),
      periodType: b.valueType('wall', 'nanoseconds'),
      period: 10_000_000,
      samples,
      profileId: new Uint8Array(16).fill(1),
    });
    const count = makeProfile({
      ...window,
      sampleType: b.valueType('samples', 'count'),
      periodType: b.valueType('wall', 'nanoseconds'),
      period: 10_000_000,
      samples,
      profileId: new Uint8Array(16).fill(2),
    });
    const req = makeProfilesRequest(b.dictionary, [wall, count], makeResource({ 'service.name': 'web' }), makeScope());
    const a = oldPath(req);
    const n = newPath(req);
    assert.deepStrictEqual(n, a);
    // web: (work, thread) 5 - 5 = 0 is dropped; (libc, span) -2; (work) 3 timestamps = 3. cart: 7.
    assert.deepStrictEqual(
      n.profiles.map((p) => [
        p.type,
        p.labels['service.name'],
        p.total,
        p.sampleCount,
        p.stacks.count,
        p.spanSamples.map((x) => [x.spanId, x.endpoint, x.value]),
      ]),
      [
        ['wall', 'web', 1, 3, 2, [['0404040404040404', '', -2]]],
        ['wall', 'cart', 7, 1, 1, [['0404040404040404', 'GET /cart', 7]]],
        ['wall_samples', 'web', 1, 3, 2, [['0404040404040404', '', -2]]],
        ['wall_samples', 'cart', 7, 1, 1, [['0404040404040404', 'GET /cart', 7]]],
      ],
    );
    assert.ok(n.profiles[0]!.frames.some((f) => f.name === '0xbeef' && f.file === '/lib/libc.so'));
  });

  it('tells apart one-line functions that share a name, from request to request and past the few a name is found by', () => {
    // 12 functions named `run` (more than the candidates a name keeps), each differing from the
    // first in one field, each at its own one-line location; sent twice, in two table orders.
    const variants = Array.from({ length: 12 }, (_, k) => ({
      system: k === 1 ? 'run_sys' : '',
      file: k === 2 || k >= 6 ? `f${k}.go` : 'f.go',
      startLine: k === 3 ? 7 : 1,
      line: k === 4 ? 9 : 2,
      column: k === 5 ? 3 : 0,
    }));
    const request = (order: number[]): ExportProfilesServiceRequest => {
      const b = new DictionaryBuilder();
      const samples = order.map((k) => {
        const v = variants[k]!;
        const fn = b.function('run', v.file, v.startLine, v.system);
        const loc = b.location([{ functionIndex: fn, line: v.line, column: v.column }]);
        return makeSample({
          stackIndex: b.stack([loc, b.location([{ functionIndex: b.function('main', 'main.go', 1), line: 1, column: 0 }])]),
          values: [k + 1],
        });
      });
      const profile = makeProfile({
        sampleType: b.valueType('cpu', 'nanoseconds'),
        timeUnixNano: 1_750_000_000_000_000_000n,
        durationNano: 10_000_000_000n,
        samples,
        profileId: new Uint8Array(16).fill(order[0]! + 1),
      });
      return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'web' }), makeScope());
    };
    const cache = new IngestCache();
    const forward = variants.map((_, k) => k);
    for (const order of [forward, [...forward].reverse(), forward]) {
      const req = request(order);
      const a = oldPath(req);
      const n = newPath(req, cache);
      assert.deepStrictEqual(n, a);
      // Twelve pprof samples (twelve functions or locations); ten stored stacks, as neither the
      // system name nor the column is a frame's (variants 0, 1 and 5 show as the same frame).
      assert.equal(n.profiles[0]!.sampleCount, variants.length);
      assert.equal(n.profiles[0]!.stacks.count, variants.length - 2);
    }
  });

  it('rejects the profiles the pprof path rejects, with the same messages', () => {
    const faults: Fault[] = ['stack', 'function', 'link', 'attribute', 'lengths', 'string', 'location'];
    let rejected = 0;
    fc.assert(
      fc.property(arbMeaningfulRequest(), fc.constantFrom(...faults), (req, fault) => {
        withFault(req, fault);
        const a = oldPath(req);
        const b = newPath(req);
        rejected += a.errors.length;
        assert.deepStrictEqual(b.errors, a.errors);
        assert.deepStrictEqual(b.profiles.map(withoutKey), a.profiles.map(withoutKey));
      }),
      { numRuns: 300 },
    );
    assert.ok(rejected > 50, `faults were exercised (${rejected} rejections)`);
  });

  it('gives a profile without id the same content id whatever the table layout, and another for other content', () => {
    const t0 = fixtureT0();
    const req = profileRequest(PROFILES[0]!, t0);
    for (const p of profilesOf(req)) p.profileId = new Uint8Array(0);
    const key = extractRequest(req).profiles[0]!.profileKey;
    // The same content with the dictionary's tables grown and reordered (indices remapped).
    const d = req.dictionary!;
    const perm = d.stringTable.map((_, i) => i).reverse();
    const remapped: ExportProfilesServiceRequest = structuredClone(req);
    const rd = remapped.dictionary!;
    rd.stringTable = perm.map((i) => d.stringTable[i]!);
    const newIndex = new Map(perm.map((old, neu) => [old, neu]));
    const s = (i: number) => newIndex.get(i)!;
    rd.stringTable.unshift('');
    const s1 = (i: number) => s(i) + 1;
    for (const f of rd.functionTable)
      Object.assign(f, { nameStrindex: s1(f.nameStrindex), systemNameStrindex: s1(f.systemNameStrindex), filenameStrindex: s1(f.filenameStrindex) });
    for (const m of rd.mappingTable) m.filenameStrindex = s1(m.filenameStrindex);
    for (const a of rd.attributeTable) {
      a.keyStrindex = s1(a.keyStrindex);
      a.unitStrindex = s1(a.unitStrindex);
      if (a.value?.stringValueStrindex !== undefined) a.value.stringValueStrindex = s1(a.value.stringValueStrindex);
    }
    for (const p of profilesOf(remapped)) {
      if (p.sampleType) p.sampleType = { typeStrindex: s1(p.sampleType.typeStrindex), unitStrindex: s1(p.sampleType.unitStrindex) };
      if (p.periodType) p.periodType = { typeStrindex: s1(p.periodType.typeStrindex), unitStrindex: s1(p.periodType.unitStrindex) };
    }
    assert.equal(extractRequest(remapped).profiles[0]!.profileKey, key);
    const other: ExportProfilesServiceRequest = structuredClone(req);
    profilesOf(other)[0]!.samples[0]!.values[0]! += 1;
    assert.notEqual(extractRequest(other).profiles[0]!.profileKey, key);
  });
});

describe('store answers through either ingestion path', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function storeOf(
    extract: (req: ExportProfilesServiceRequest, writer: StoreWriter) => ExtractedProfile[],
    t0: number,
    options: ConstructorParameters<typeof StoreWriter>[1] = {},
  ): StoreQueries {
    const dir = mkdtempSync(join(tmpdir(), 'opb-ingest-'));
    dirs.push(dir);
    const file = join(dir, 'profiles.db');
    const db = openWriteDatabase(file);
    const writer = new StoreWriter(db, options);
    writer.writeSpans(spanRecords(tracesRequest(t0)));
    PROFILES.forEach((p, i) => {
      writer.writeProfiles(extract(profileRequest(p, t0), writer));
      // A second service and a re-sent profile (a duplicate by id) as well.
      if (i % 2 === 0) writer.writeProfiles(extract(profileRequest(p, t0, { service: 'cart', idSalt: 7 }), writer));
      // Retention deleted rows: the writer forgets every row id it held (and must not reuse one).
      if (i === 2) writer.forgetStacks();
      if (i === 1) writer.writeProfiles(extract(profileRequest(p, t0), writer));
    });
    db.close();
    return new StoreQueries(new StoreReader(openReadDatabase(file)));
  }

  it('answers every query the same for the store fixtures', () => {
    const t0 = fixtureT0();
    const a = storeOf((r) => convertProfilesRequest(r).profiles.map(extractProfile), t0);
    const range = { from: t0 - 3_600_000, to: t0 + 3_600_000 };
    const types = a.profileTypes(range);
    assert.ok(types.length >= 2, 'the fixtures hold several profile types');
    for (const [name, b] of [
      ['a cache per request', storeOf((r) => extractRequest(r).profiles, t0)],
      // Rows found by the ids of the writer's own cache (across requests).
      ["the writer's ingest cache", storeOf((r, w) => extractRequest(r, w.ingestCache).profiles, t0)],
      // A cache so small it starts afresh before every request: a new generation each time.
      ['a cache starting afresh every request', storeOf((r, w) => extractRequest(r, w.ingestCache).profiles, t0, { ingestCacheBytes: 1 })],
      // Profiles extracted with a cache that is not the writer's: looked up by value.
      ['a cache of its own', storeOf((r) => extractRequest(r, sharedCache).profiles, t0)],
    ] as const) {
      answersAlike(a, b, types, range, name);
    }
  });

  function answersAlike(
    a: StoreQueries,
    b: StoreQueries,
    types: ReturnType<StoreQueries['profileTypes']>,
    range: { from: number; to: number },
    name: string,
  ): void {
    assert.deepStrictEqual(b.profileTypes(range), types, name);
    assert.deepStrictEqual(b.labelNames(range), a.labelNames(range));
    for (const t of types) {
      const sel = { ...range, type: t.type };
      const v13 = { ...sel, query: parseTagQuery('version:1.3') };
      assert.deepStrictEqual(b.search(sel, { limit: 100 }), a.search(sel, { limit: 100 }), `search ${t.type}`);
      assert.deepStrictEqual(b.flame(v13), a.flame(v13), `flame ${t.type}`);
      assert.deepStrictEqual(b.top(sel, { groupBy: 'line' }), a.top(sel, { groupBy: 'line' }), `top ${t.type}`);
      assert.deepStrictEqual(b.timeseries(sel, { groupBy: 'version' }), a.timeseries(sel, { groupBy: 'version' }), `timeseries ${t.type}`);
      assert.deepStrictEqual(
        b.compare(v13, { ...sel, query: parseTagQuery('-version:1.3') }),
        a.compare(v13, { ...sel, query: parseTagQuery('-version:1.3') }),
      );
      for (const target of [
        { kind: 'span' as const, id: SPAN.R1 },
        { kind: 'span' as const, id: SPAN.S1, includeChildren: true },
        { kind: 'trace' as const, id: TRACE.T1 },
        { kind: 'endpoint' as const, id: 'GET /cart' },
      ]) {
        assert.deepStrictEqual(b.hotspots(target, sel), a.hotspots(target, sel), `hotspots ${t.type} ${target.kind}`);
      }
      assert.deepStrictEqual(Buffer.from(b.pprof(sel, undefined, { labels: true })), Buffer.from(a.pprof(sel, undefined, { labels: true })));
    }
    assert.deepStrictEqual(b.slowSpans({ ...range }), a.slowSpans({ ...range }), name);
  }
});
