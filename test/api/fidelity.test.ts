// Numbers a profiler user can trust, end to end over the JSON API: in-use heap snapshots are
// averaged (not summed), CPU views leave the idle pseudo-frame out, frames without a file
// keep their own rows in every grouping, sample-level labels select samples, unknown keys
// get hints, and pprof downloads keep the span and thread labels (`go tool pprof -tags` reads
// them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import { MS, PROFILES, SPAN, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { eventually, getJson, sendProfiles, sendTraces, startProfiler, type Profiler } from './helpers.js';
import { goPprofAsync } from './go-pprof-url.js';

const MiB = 1024 * 1024;

interface Fr {
  fn: string;
  file: string;
}

/** One profile of `type` for `service`/`host`, starting at `startMs`, 10 s long. */
function request(o: {
  service: string;
  host: string;
  startMs: number;
  id: number;
  sampleType: [string, string];
  periodType: [string, string];
  period: number;
  samples: { stack: Fr[]; value: number }[];
}): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const loc = (f: Fr) => b.location([{ functionIndex: b.function(f.fn, f.file, 1), line: f.file ? 2 : 0, column: 0 }]);
  const samples = o.samples.map((s) => makeSample({ stackIndex: b.stack(s.stack.map(loc)), values: [s.value] }));
  const profile = makeProfile({
    sampleType: b.valueType(...o.sampleType),
    periodType: b.valueType(...o.periodType),
    period: o.period,
    timeUnixNano: BigInt(o.startMs) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, i) => (i < 4 ? (o.id >> (8 * i)) & 0xff : 0x5a)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': o.service, 'host.name': o.host }), makeScope('fidelity', '1'));
}

const ALLOC: Fr = { fn: 'allocate', file: 'src/alloc.js' };
const CACHE: Fr = { fn: 'Cache.fill', file: 'src/cache.js' };
const MAIN: Fr = { fn: 'main', file: 'src/main.js' };
const WORK: Fr = { fn: 'work', file: 'src/work.js' };
const IDLE: Fr = { fn: '(idle)', file: '' };
const GC: Fr = { fn: '(garbage collector)', file: '' };
const NON_JS: Fr = { fn: 'Non JS threads activity', file: '' };
const WRITEV: Fr = { fn: 'writev', file: '' };
const PROGRAM: Fr = { fn: '(program)', file: '' };

const SNAPSHOTS = 6;

/** Service `threaded`: a trace GET /threads -> threads.work, and where its CPU samples ran. */
const THREADED = { trace: 'dd'.repeat(16), root: 'd400000000000001', span: 'd400000000000002' } as const;

function threadedTraces(t0: number): ExportTraceServiceRequest {
  const at = (ms: number) => BigInt(t0 + ms) * 1_000_000n;
  const id = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
  const spans = [
    makeSpan({
      traceId: id(THREADED.trace),
      spanId: id(THREADED.span),
      parentSpanId: id(THREADED.root),
      name: 'threads.work',
      kind: 1,
      startTimeUnixNano: at(1100),
      endTimeUnixNano: at(1200),
    }),
    makeSpan({
      traceId: id(THREADED.trace),
      spanId: id(THREADED.root),
      name: 'GET /threads',
      kind: 2,
      attributes: [
        { key: 'http.route', value: { stringValue: '/threads' }, keyStrindex: 0 },
        { key: 'http.request.method', value: { stringValue: 'GET' }, keyStrindex: 0 },
      ],
      startTimeUnixNano: at(1000),
      endTimeUnixNano: at(1300),
    }),
  ];
  return {
    resourceSpans: [
      {
        resource: makeResource({ 'service.name': 'threaded' }),
        schemaUrl: '',
        scopeSpans: [{ scope: makeScope('fidelity', '1'), schemaUrl: '', spans }],
      },
    ],
  };
}

/**
 * As the SDK plugin labels samples: `thread.name` and an integer `thread.id` on each. On main
 * (thread 0): work 20 ms in threads.work, work 10 ms outside any span; on worker-3: poll 12 ms.
 */
function threadedProfile(t0: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const loc = (f: Fr) => b.location([{ functionIndex: b.function(f.fn, f.file, 1), line: 2, column: 0 }]);
  const main = [b.attribute('thread.name', 'main'), b.attribute('thread.id', 0)];
  const worker = [b.attribute('thread.name', 'worker-3'), b.attribute('thread.id', 3)];
  const link = b.link(Buffer.from(THREADED.trace, 'hex'), Buffer.from(THREADED.span, 'hex'));
  const work = b.stack([loc(WORK), loc(MAIN)]);
  const poll = b.stack([loc({ fn: 'poll', file: 'src/poll.js' })]);
  const profile = makeProfile({
    sampleType: b.valueType('cpu', 'nanoseconds'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10 * MS,
    timeUnixNano: BigInt(t0) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, () => 0x3d),
    samples: [
      makeSample({ stackIndex: work, values: [20 * MS], attributeIndices: main, linkIndex: link }),
      makeSample({ stackIndex: work, values: [10 * MS], attributeIndices: main }),
      makeSample({ stackIndex: poll, values: [12 * MS], attributeIndices: worker }),
    ],
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'threaded' }), makeScope('fidelity', '1'));
}

describe('numbers that agree: aggregation, idle, native frames, sample labels', () => {
  let p: Profiler;
  let t0: number;
  let range: { from: number; to: number };
  let expectedProfiles = 0;

  before(async () => {
    p = await startProfiler();
    t0 = fixtureT0();
    range = { from: t0, to: t0 + 10 * 60_000 - 1 };
    const heap = (host: string, i: number, mib: number) =>
      request({
        service: 'heapy',
        host,
        startMs: t0 + i * 10_000,
        id: 1000 + i + (host === 'h2' ? 100 : 0),
        sampleType: ['inuse_space', 'bytes'],
        periodType: ['space', 'bytes'],
        period: 512 * 1024,
        // 10 MiB in every snapshot of h1: 6 MiB under allocate, 4 MiB under Cache.fill.
        samples: [
          { stack: [ALLOC, MAIN], value: (mib * 6 * MiB) / 10 },
          { stack: [CACHE, MAIN], value: (mib * 4 * MiB) / 10 },
        ],
      });
    for (let i = 0; i < SNAPSHOTS; i++) await sendProfiles(p, heap('h1', i, 10));
    // A second process, 2 snapshots of 5 MiB: series are summed after averaging.
    for (let i = 0; i < 2; i++) await sendProfiles(p, heap('h2', i, 5));
    expectedProfiles += SNAPSHOTS + 2;
    // An idle service: CPU 1 s of (idle), 20 ms of work; GC, writev and non-JS activity without files.
    const cpu = (service: string, i: number, samples: { stack: Fr[]; value: number }[]) =>
      request({
        service,
        host: 'h1',
        startMs: t0 + 60_000 + i * 10_000,
        id: 2000 + i,
        sampleType: ['cpu', 'nanoseconds'],
        periodType: ['cpu', 'nanoseconds'],
        period: 10 * MS,
        samples,
      });
    await sendProfiles(
      p,
      cpu('idler', 0, [
        { stack: [IDLE], value: 1000 * MS },
        { stack: [WORK, MAIN], value: 12 * MS },
        { stack: [GC], value: 3 * MS },
        { stack: [WRITEV, WORK, MAIN], value: 2 * MS },
        { stack: [WRITEV, MAIN], value: 1 * MS },
        { stack: [NON_JS], value: 2 * MS },
        { stack: [PROGRAM], value: 1 * MS },
      ]),
    );
    expectedProfiles += 1;
    // The store fixture (service checkout) with its traces, for the sample-level labels.
    await sendTraces(p, tracesRequest(t0));
    for (const pr of PROFILES) await sendProfiles(p, profileRequest(pr, t0));
    expectedProfiles += PROFILES.length;
    // Service `threaded`: samples on two threads, some in a span.
    await sendTraces(p, threadedTraces(t0));
    await sendProfiles(p, threadedProfile(t0));
    expectedProfiles += 1;
    await eventually('every profile stored', async () => p.store.profiles === expectedProfiles);
  });
  after(() => p?.stop());

  it('averages in-use heap snapshots per series, then sums the series', async () => {
    const one = await getJson(p, '/api/v1/flame', { ...range, type: 'inuse_space', query: 'service:heapy host:h1' });
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(one.body.aggregation, 'average');
    assert.equal(one.body.snapshots, SNAPSHOTS);
    assert.equal(one.body.total, 10 * MiB, `${SNAPSHOTS} snapshots of 10 MiB average to 10 MiB, not ${SNAPSHOTS * 10}`);
    const both = await getJson(p, '/api/v1/search', { ...range, type: 'inuse_space', query: 'service:heapy' });
    assert.equal(both.body.total, 15 * MiB, 'h1 averages 10 MiB, h2 5 MiB');
    assert.equal(both.body.snapshots, SNAPSHOTS + 2);
    const top = await getJson(p, '/api/v1/top', { ...range, type: 'inuse_space', query: 'service:heapy' });
    assert.equal(top.body.aggregation, 'average');
    assert.deepEqual(
      top.body.rows.map((r: any) => [r.name, r.self]),
      [
        ['allocate', 6 * MiB + 3 * MiB],
        ['Cache.fill', 4 * MiB + 2 * MiB],
        ['main', 0],
      ],
    );
    // Compare: the same rule on each side.
    const cmp = await getJson(p, '/api/v1/compare', { ...range, type: 'inuse_space', 'a.query': 'host:h1', 'b.query': 'host:h2' });
    assert.equal(cmp.body.a.total, 10 * MiB);
    assert.equal(cmp.body.b.total, 5 * MiB);
    assert.equal(cmp.body.a.aggregation, 'average');
    // Time series: per bucket, each series' snapshots averaged; one-minute buckets hold all 8.
    const ts = await getJson(p, '/api/v1/timeseries', { ...range, type: 'inuse_space', step: '1m' });
    assert.equal(ts.body.aggregation, 'average');
    assert.equal(ts.body.series[0].points[0][1], 15 * MiB);
    assert.equal(ts.body.series[0].total, 15 * MiB);
    // Cumulative types are still summed.
    const cpu = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: 'service:checkout' });
    assert.equal(cpu.body.aggregation, 'sum');
    assert.equal(cpu.body.total, 66 * MS);
  });

  it('leaves idle out of CPU views: an idle service has near-zero CPU', async () => {
    const busy = 12 + 3 + 2 + 1 + 2 + 1;
    const flame = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: 'service:idler' });
    assert.equal(flame.body.total, busy * MS);
    assert.ok(!flame.body.flame.children.some((c: any) => c.name === '(idle)'), 'no (idle) frame');
    const top = await getJson(p, '/api/v1/top', { ...range, type: 'cpu', query: 'service:idler' });
    assert.ok(!top.body.rows.some((r: any) => r.name === '(idle)'));
    const ts = await getJson(p, '/api/v1/timeseries', { ...range, type: 'cpu', query: 'service:idler' });
    assert.equal(ts.body.series.length, 1);
    assert.equal(ts.body.series[0].total, busy * MS, 'the time series leaves idle out too');
    const tsIdle = await getJson(p, '/api/v1/timeseries', { ...range, type: 'cpu', query: 'service:idler', include_idle: true });
    assert.equal(tsIdle.body.series[0].total, (busy + 1000) * MS);
    // Kept on request, under its own frame.
    const withIdle = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: 'service:idler', include_idle: true });
    assert.equal(withIdle.body.total, (busy + 1000) * MS);
    // The profiling metrics' top functions leave it out too.
    const metrics = await (await fetch(`${p.api}/metrics`)).text();
    const idlerLines = metrics.split('\n').filter((l) => l.includes('service="idler"') && l.includes('function='));
    assert.ok(idlerLines.length > 0, 'the idle service has function series');
    assert.ok(!idlerLines.some((l) => l.includes('function="(idle)"')), idlerLines.join('\n'));
    const cpuLine = metrics.split('\n').find((l) => l.startsWith('otel_profile_bridge_profile_cpu_seconds_total{') && l.includes('service="idler"'));
    assert.ok(cpuLine, 'the idle service has a CPU series');
    assert.ok(Math.abs(Number(cpuLine.split(' ').pop()) - busy / 1000) < 1e-9, `CPU seconds without idle: ${cpuLine}`);
  });

  it('groups frames without a file by name; every grouping sums to the same total and agrees on them', async () => {
    const sel = { ...range, type: 'cpu', query: 'service:idler', limit: 1000 };
    const byFunction = await getJson(p, '/api/v1/top', { ...sel, group_by: 'function' });
    const fnRows = new Map<string, any>(byFunction.body.rows.map((r: any) => [r.name, r]));
    for (const g of ['line', 'module', 'class']) {
      const r = await getJson(p, '/api/v1/top', { ...sel, group_by: g });
      assert.equal(r.status, 200);
      const selfSum = r.body.rows.reduce((a: number, x: any) => a + x.self, 0);
      assert.equal(selfSum, r.body.total, `${g}: self adds up to the total (100 %)`);
      assert.equal(r.body.total, byFunction.body.total);
      for (const native of [GC, NON_JS, WRITEV, PROGRAM]) {
        const row = r.body.rows.find((x: any) => x.name === native.fn && x.file === '');
        assert.ok(row, `${g}: ${native.fn} has its own row`);
        assert.deepEqual(
          [row.self, row.total],
          [fnRows.get(native.fn).self, fnRows.get(native.fn).total],
          `${g}: ${native.fn} as in the function view`,
        );
      }
      assert.ok(!r.body.rows.some((x: any) => x.name === ''), `${g}: no nameless row`);
    }
    // writev: 3 ms in total, under two different callers; the file view's JS rows keep theirs.
    assert.deepEqual([fnRows.get('writev').self, fnRows.get('writev').total], [3 * MS, 3 * MS]);
    const files = await getJson(p, '/api/v1/top', { ...sel, group_by: 'module' });
    const workFile = files.body.rows.find((x: any) => x.name === 'src/work.js');
    assert.deepEqual([workFile.self, workFile.total], [fnRows.get('work').self, fnRows.get('work').total]);
  });

  it('selects samples by span_name and trace endpoint, and offers them as facets', async () => {
    // checkout.handle: S1 (parse 10) + S4 (parse 20).
    const byName = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: 'span_name:"checkout.handle"' });
    assert.equal(byName.status, 200, JSON.stringify(byName.body));
    assert.equal(byName.body.total, 30 * MS);
    const byEndpoint = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: '"trace endpoint":"GET /checkout" version:1.4' });
    assert.equal(byEndpoint.body.total, 28 * MS, 'S4 parse 20 + S5 Db::exec 8 (1.4 only)');
    const names = await getJson(p, '/api/v1/labels/span_name/values', { ...range, type: 'cpu' });
    assert.deepEqual(
      names.body.values.map((v: any) => v.value),
      ['cart.add', 'checkout.handle', 'db.exec', 'db.query', 'threads.work'],
    );
    const endpoints = await getJson(p, `/api/v1/labels/${encodeURIComponent('trace endpoint')}/values`, { ...range, type: 'cpu' });
    assert.deepEqual(endpoints.body.values, [
      { value: 'GET /cart', profiles: 1 },
      { value: 'GET /checkout', profiles: 2 },
      { value: 'GET /threads', profiles: 1 },
    ]);
    const negated = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: '-span_name:x' });
    assert.equal(negated.status, 400);
    assert.match(negated.body.error.message, /cannot be negated/);
  });

  it('selects samples by thread name, lists thread.name with its values, hints at it', async () => {
    const flame = (query: string) => getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query });
    const all = await flame('service:threaded');
    assert.equal(all.body.total, 42 * MS);
    const main = await flame('thread.name:main');
    assert.equal(main.status, 200, JSON.stringify(main.body));
    assert.equal(main.body.total, 30 * MS, 'work 20 ms in the span + 10 ms outside');
    assert.deepEqual(main.body.hints, []);
    assert.equal((await flame('"thread name":worker-3')).body.total, 12 * MS, 'the Datadog spelling');
    assert.equal((await flame('thread_name:worker-3 service:threaded')).body.total, 12 * MS);
    assert.equal((await flame('thread.name:main span_name:threads.work')).body.total, 20 * MS);
    assert.equal((await flame('thread.name:main "trace endpoint":"GET /threads"')).body.total, 20 * MS);
    assert.equal((await flame('thread.name:worker-3 span_name:threads.work')).body.total, 0);
    const search = await getJson(p, '/api/v1/search', { ...range, type: 'cpu', query: 'thread.name:worker-3' });
    assert.equal(search.body.total, 12 * MS);
    // Listed as a label when a sample in the range carries it, with its values.
    const labels = await getJson(p, '/api/v1/labels', { ...range, type: 'cpu' });
    assert.ok(labels.body.names.includes('thread.name'), JSON.stringify(labels.body));
    const values = await getJson(p, '/api/v1/labels/thread.name/values', { ...range, type: 'cpu' });
    assert.deepEqual(values.body.values, [
      { value: 'main', profiles: 1 },
      { value: 'worker-3', profiles: 1 },
    ]);
    const prefixed = await getJson(p, `/api/v1/labels/${encodeURIComponent('thread name')}/values`, { ...range, type: 'cpu', prefix: 'wo' });
    assert.deepEqual(prefixed.body.values, [{ value: 'worker-3', profiles: 1 }]);
    // A typo names the facet; negation is refused as for the other sample-level labels.
    const typo = await flame('thread.nam:main');
    assert.equal(typo.body.total, 0);
    assert.equal(typo.body.hints.length, 1);
    assert.match(typo.body.hints[0], /no profile has a label "thread\.nam"; did you mean .*"thread\.name"/);
    const negated = await flame('-thread.name:main');
    assert.equal(negated.status, 400);
    assert.match(negated.body.error.message, /cannot be negated/);
  });

  it('hints at near matches for a key no label carries', async () => {
    const r = await getJson(p, '/api/v1/search', { ...range, type: 'cpu', query: 'servce:checkout' });
    assert.equal(r.status, 200);
    assert.equal(r.body.profileCount, 0);
    assert.equal(r.body.hints.length, 1);
    assert.match(r.body.hints[0], /"servce"/);
    assert.match(r.body.hints[0], /"service"/);
    const spanTypo = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: 'span_nam:x' });
    assert.match(spanTypo.body.hints[0], /"span_name"/);
    const fine = await getJson(p, '/api/v1/search', { ...range, type: 'cpu', query: 'service:checkout' });
    assert.deepEqual(fine.body.hints, []);
  });

  it('keeps span_id, span_name, trace endpoint and thread.name / thread.id in pprof downloads, readable by go tool pprof -tags', async () => {
    const url = `${p.api}/api/v1/pprof?span_id=${SPAN.S1}&include_children=true`;
    const tags = await goPprofAsync(['-tags', url]);
    for (const key of ['span_id', 'span_name', 'trace endpoint', 'trace_id', 'local root span id'])
      assert.match(tags, new RegExp(`^ ?${key}:`, 'm'), `${key} in:\n${tags}`);
    assert.match(tags, new RegExp(SPAN.S1));
    assert.match(tags, /checkout\.handle/);
    assert.match(tags, /db\.query/);
    assert.match(tags, /GET \/checkout/);
    // Off on request; a whole selection keeps its unattributed samples unlabelled.
    const off = await goPprofAsync(['-tags', `${url}&labels=false`]);
    assert.doesNotMatch(off, /span_id/);
    const all = await goPprofAsync(['-tags', `${p.api}/api/v1/pprof?type=cpu&from=${range.from}&to=${range.to}&query=service:checkout&labels=true`]);
    assert.match(all, /span_name:/);
    const top = await goPprofAsync([
      '-top',
      '-unit=ns',
      `${p.api}/api/v1/pprof?type=cpu&from=${range.from}&to=${range.to}&query=service:checkout&labels=true`,
    ]);
    assert.match(top, /66000000ns total/, `labelled download keeps every sample:\n${top}`);
    // Thread labels: a span's download (its samples ran on main) and a thread selection.
    const spanTags = await goPprofAsync(['-tags', `${p.api}/api/v1/pprof?span_id=${THREADED.span}`]);
    for (const key of ['span_id', 'span_name', 'trace endpoint', 'thread.name', 'thread.id'])
      assert.match(spanTags, new RegExp(`^ ?${key}:`, 'm'), `${key} in:\n${spanTags}`);
    assert.match(spanTags, /^ ?thread\.name: Total 20\.0ms\n\s+20\.0ms \(\s*100%\): main$/m, spanTags);
    assert.match(spanTags, /threads\.work/);
    assert.match(spanTags, /GET \/threads/);
    const threadTags = await goPprofAsync([
      '-tags',
      `${p.api}/api/v1/pprof?type=cpu&from=${range.from}&to=${range.to}&query=${encodeURIComponent('service:threaded')}&labels=true`,
    ]);
    assert.match(threadTags, /^ ?thread\.name: Total 42\.0ms\n\s+30\.0ms \(\s*71\.43%\): main\n\s+12\.0ms \(\s*28\.57%\): worker-3$/m, threadTags);
    // The thread id as a string label: main's id 0 survives (a numeric 0 would not).
    assert.match(threadTags, /^ ?thread\.id: Total 42\.0ms\n\s+30\.0ms \(\s*71\.43%\): 0\n\s+12\.0ms \(\s*28\.57%\): 3$/m, threadTags);
    const onlyWorker = await goPprofAsync([
      '-tags',
      `${p.api}/api/v1/pprof?type=cpu&from=${range.from}&to=${range.to}&query=${encodeURIComponent('thread.name:worker-3')}`,
    ]);
    assert.match(onlyWorker, /^ ?thread\.name: Total 12\.0ms\n\s+12\.0ms \(\s*100%\): worker-3$/m, onlyWorker);
    // CPU downloads leave idle out as the views do; the heap download holds the average.
    const idler = await goPprofAsync(['-top', '-unit=ns', `${p.api}/api/v1/pprof?type=cpu&from=${range.from}&to=${range.to}&query=service:idler`]);
    assert.match(idler, /21000000ns total/, idler);
    assert.doesNotMatch(idler, /\(idle\)/);
    const heap = await goPprofAsync(['-top', '-unit=B', `${p.api}/api/v1/pprof?type=inuse_space&from=${range.from}&to=${range.to}&query=host:h1`]);
    assert.match(heap, new RegExp(`${10 * MiB}B total`), heap);
  });
});
