// The embedded profiler end to end: the fixture's traces and profiles go through the OTLP
// HTTP receiver and the join processor into the store; the JSON API's answers are compared
// with the numbers worked out by hand in test/store/fixture.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXPECTED, MS, PROFILES, SPAN, TRACE, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { eventually, getJson, sendProfiles, sendTraces, startProfiler, type Profiler } from './helpers.js';

const spanName = (id: string) => Object.entries(SPAN).find(([, v]) => v === id)?.[0];

describe('JSON API over the fixture', () => {
  let p: Profiler;
  let t0: number;
  let range: { from: number; to: number };

  before(async () => {
    p = await startProfiler({ topFunctions: 5 });
    t0 = fixtureT0();
    range = { from: t0, to: t0 + 4 * 60_000 - 1 };
    // Traces first, so the join knows every span when the profiles arrive.
    await sendTraces(p, tracesRequest(t0));
    for (const pr of PROFILES) await sendProfiles(p, profileRequest(pr, t0));
    await eventually('5 stored profiles', async () => p.store.profiles === 5);
  });
  after(() => p?.stop());

  it('lists the profile types present', async () => {
    const r = await getJson(p, '/api/v1/profile-types');
    assert.equal(r.status, 200);
    const byType = Object.fromEntries(r.body.types.map((t: any) => [t.type, t]));
    assert.equal(byType.cpu.profiles, 4);
    assert.equal(byType.cpu.unit, 'nanoseconds');
    assert.equal(byType.alloc_space.profiles, 1);
    assert.equal(byType.alloc_space.unit, 'bytes');
    assert.equal(byType.cpu.firstMs, t0);
  });

  it('answers label names and values for autocomplete', async () => {
    const names = await getJson(p, '/api/v1/labels', range);
    // Series labels, then the sample-level facets the samples carry (threads: the allocation profile P5).
    assert.deepEqual(names.body.names, [
      'deployment.environment.name',
      'host.name',
      'service.name',
      'service.version',
      'span_name',
      'thread.name',
      'trace endpoint',
    ]);
    const threads = await getJson(p, '/api/v1/labels/thread.name/values', range);
    assert.deepEqual(threads.body.values, [
      { value: 'main', profiles: 1 },
      { value: 'worker-1', profiles: 1 },
    ]);
    const cpuNames = await getJson(p, '/api/v1/labels', { ...range, type: 'cpu' });
    assert.ok(!cpuNames.body.names.includes('thread.name'), 'no CPU sample names a thread');
    const versions = await getJson(p, '/api/v1/labels/version/values', range);
    assert.equal(versions.body.name, 'service.version');
    // 1.3: P1, P2; 1.4: P3, P4 and the allocation profile P5.
    assert.deepEqual(versions.body.values, [
      { value: '1.3', profiles: 2 },
      { value: '1.4', profiles: 3 },
    ]);
    const cpuHosts = await getJson(p, `/api/v1/labels/${encodeURIComponent('host.name')}/values`, { ...range, type: 'cpu', query: 'version:1.4' });
    assert.deepEqual(cpuHosts.body.values, [
      { value: 'web-1', profiles: 1 },
      { value: 'web-2', profiles: 1 },
    ]);
  });

  it('finds profiles by tag query and merges their flame tree', async () => {
    for (const [query, want] of Object.entries(EXPECTED.search)) {
      const r = await getJson(p, '/api/v1/search', { ...range, type: 'cpu', query });
      assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.profileCount, want.profiles.length, query);
      assert.equal(r.body.total, want.total * MS, query);
      assert.equal(r.body.flame.total, want.total * MS, query);
      const hosts = r.body.profiles.map((x: any) => `${x.labels['service.version']}/${x.labels['host.name']}`).sort();
      const wantHosts = want.profiles
        .map((n) => PROFILES.find((x) => x.name === n)!)
        .map((x) => `${x.version}/${x.host}`)
        .sort();
      assert.deepEqual(hosts, wantHosts, query);
    }
  });

  it('builds the merged flame tree exactly', async () => {
    const r = await getJson(p, '/api/v1/flame', { ...range, type: 'cpu', query: 'version:1.3' });
    const strip = (n: any): any => ({ name: n.name, total: n.total / MS, self: n.self / MS, children: n.children.map(strip) });
    assert.deepEqual(strip(r.body.flame), EXPECTED.flame13);
    assert.equal(r.body.truncated, false);
    const handle = r.body.flame.children[0].children[0];
    assert.equal(handle.file, 'server.go');
    assert.equal(handle.line, 40, 'a node shows its function start line');
  });

  it('ranks top functions by self and total, grouped four ways', async () => {
    const fn = await getJson(p, '/api/v1/top', { ...range, type: 'cpu' });
    assert.equal(fn.body.total, EXPECTED.cpuTotal * MS);
    assert.deepEqual(
      fn.body.rows.map((r: any) => ({ name: r.name, self: r.self / MS, total: r.total / MS })),
      EXPECTED.topSelf,
    );
    const byTotal = await getJson(p, '/api/v1/top', { ...range, type: 'cpu', sort: 'total', limit: 2 });
    assert.deepEqual(
      byTotal.body.rows.map((r: any) => r.name),
      ['handle', 'main'],
    );

    const lines = await getJson(p, '/api/v1/top', { ...range, type: 'cpu', group_by: 'line' });
    const parse = lines.body.rows.filter((r: any) => r.name === 'parse');
    assert.deepEqual(Object.fromEntries(parse.map((r: any) => [r.line, r.self / MS])), EXPECTED.parseLines);
    assert.ok(parse.every((r: any) => r.file === 'json.go'));

    const classes = await getJson(p, '/api/v1/top', { ...range, type: 'cpu', group_by: 'class' });
    const cls = Object.fromEntries(classes.body.rows.map((r: any) => [r.name, r.self / MS]));
    for (const [k, v] of Object.entries(EXPECTED.classes)) assert.equal(cls[k], v, k);

    const modules = await getJson(p, '/api/v1/top', { ...range, type: 'cpu', group_by: 'module' });
    const mod = Object.fromEntries(modules.body.rows.map((r: any) => [r.name, { self: r.self / MS, total: r.total / MS }]));
    for (const [k, v] of Object.entries(EXPECTED.modules)) assert.deepEqual(mod[k], v, k);
  });

  it('shows the hotspots of a span, with and without its children', async () => {
    const top = (b: any) => b.top.filter((r: any) => r.self > 0).map((r: any) => ({ name: r.name, self: r.self / MS }));
    const s1 = await getJson(p, '/api/v1/hotspots', { span_id: SPAN.S1 });
    assert.equal(s1.status, 200);
    assert.equal(s1.body.total, EXPECTED.hotspots.S1.total * MS);
    assert.deepEqual(top(s1.body), EXPECTED.hotspots.S1.top);
    assert.deepEqual(
      s1.body.flame.children[0].children[0].children.map((n: any) => n.name),
      ['parse'],
    );

    const s1c = await getJson(p, '/api/v1/hotspots', { span_id: SPAN.S1, include_children: true });
    assert.equal(s1c.body.total, EXPECTED.hotspots.S1children.total * MS);
    assert.deepEqual(top(s1c.body), EXPECTED.hotspots.S1children.top);
    assert.deepEqual(s1c.body.spanIds.map(spanName), EXPECTED.hotspots.S1children.spans);

    const r1 = await getJson(p, '/api/v1/hotspots', { span_id: SPAN.R1 });
    assert.equal(r1.body.total, 0);
    const r1c = await getJson(p, '/api/v1/hotspots', { span_id: SPAN.R1.toUpperCase(), include_children: 'true' });
    assert.equal(r1c.body.total, EXPECTED.hotspots.R1children.total * MS);
    assert.deepEqual([...r1c.body.spanIds.map(spanName)].sort(), [...EXPECTED.hotspots.R1children.spans].sort());

    const alloc = await getJson(p, '/api/v1/hotspots', { span_id: SPAN.S4, type: 'alloc_space' });
    assert.equal(alloc.body.total, EXPECTED.hotspots.S4alloc.total);
    assert.equal(alloc.body.unit, 'bytes');
  });

  it('shows the hotspots of a trace and of an endpoint', async () => {
    const t1 = await getJson(p, '/api/v1/hotspots', { trace_id: TRACE.T1 });
    assert.equal(t1.body.total, EXPECTED.hotspots.T1.total * MS);
    const t3 = await getJson(p, '/api/v1/hotspots', { trace_id: TRACE.T3 });
    assert.equal(t3.body.total, EXPECTED.hotspots.T3.total * MS);
    // The endpoint comes from the join: the local root's `GET /checkout` on every sample below it.
    const checkout = await getJson(p, '/api/v1/hotspots', { ...range, endpoint: 'GET /checkout' });
    assert.equal(checkout.body.total, EXPECTED.hotspots.checkout.total * MS);
    const cart = await getJson(p, '/api/v1/hotspots', { ...range, endpoint: 'GET /cart' });
    assert.equal(cart.body.total, EXPECTED.hotspots.cart.total * MS);
    assert.deepEqual(
      cart.body.top.filter((r: any) => r.self > 0).map((r: any) => r.name),
      ['shop.Cart.add'],
    );
  });

  it('lists recent slow spans, longest first, with their own samples', async () => {
    const all = await getJson(p, '/api/v1/spans/slow', range);
    assert.deepEqual(
      all.body.spans.map((s: any) => spanName(s.spanId)),
      EXPECTED.slowSpans,
    );
    const s4 = all.body.spans.find((s: any) => s.spanId === SPAN.S4);
    assert.deepEqual(s4.samples, { cpu: 20 * MS, alloc_space: 1000 });
    assert.equal(s4.durationMs, 400);
    assert.equal(s4.endpoint, 'GET /checkout', 'children carry their local root endpoint');
    assert.equal(s4.service, 'checkout');
    const profiled = await getJson(p, '/api/v1/spans/slow', { ...range, profiled: true });
    assert.deepEqual(
      profiled.body.spans.map((s: any) => spanName(s.spanId)),
      EXPECTED.profiledSpans,
    );
    const cartOnly = await getJson(p, '/api/v1/spans/slow', { ...range, endpoint: 'GET /cart', limit: 1 });
    assert.deepEqual(
      cartOnly.body.spans.map((s: any) => spanName(s.spanId)),
      ['R2'],
    );
    const trace = await getJson(p, `/api/v1/traces/${TRACE.T1}`);
    assert.deepEqual(
      trace.body.spans.map((s: any) => spanName(s.spanId)),
      ['R1', 'S1', 'S2'],
    );
  });

  it('compares two selections with absolute and normalised deltas', async () => {
    const r = await getJson(p, '/api/v1/compare', { ...range, type: 'cpu', 'a.query': 'version:1.3', 'b.query': 'version:1.4' });
    assert.equal(r.status, 200);
    assert.equal(r.body.a.total, EXPECTED.compare.a * MS);
    assert.equal(r.body.b.total, EXPECTED.compare.b * MS);
    assert.deepEqual(
      r.body.rows.map((x: any) => x.name),
      EXPECTED.compare.order,
    );
    for (const row of r.body.rows) {
      const want = EXPECTED.compare.rows[row.name]!;
      assert.equal(row.selfA, want.selfA * MS, row.name);
      assert.equal(row.selfB, want.selfB * MS, row.name);
      assert.equal(row.totalA, want.totalA * MS, row.name);
      assert.equal(row.totalB, want.totalB * MS, row.name);
      assert.equal(row.selfDelta, want.selfDelta * MS, row.name);
      assert.ok(Math.abs(row.selfNormalizedDelta - want.selfNormalizedDelta) < 1e-12, `${row.name}: ${row.selfNormalizedDelta}`);
      if (want.totalNormalizedDelta !== undefined) assert.ok(Math.abs(row.totalNormalizedDelta - want.totalNormalizedDelta) < 1e-12, row.name);
    }
    assert.equal(r.body.diff.totalA, 28 * MS);
    assert.equal(r.body.diff.totalB, 38 * MS);
    assert.equal(r.body.diff.delta, 10 * MS);
    const handle = r.body.diff.children.find((n: any) => n.name === 'main').children[0];
    assert.equal(handle.name, 'handle');
    const kids = Object.fromEntries(handle.children.map((n: any) => [n.name, [n.totalA / MS, n.totalB / MS]]));
    assert.deepEqual(kids, { parse: [14, 21], 'shop.Cart.add': [6, 0], query: [5, 8], 'shop.Cart.remove': [0, 7] });

    // Two time ranges instead of two queries: minutes 0-1 (P1, P2) against minutes 2-3 (P3, P4) is the same split.
    const byTime = await getJson(p, '/api/v1/compare', {
      type: 'cpu',
      'a.from': t0,
      'a.to': t0 + 2 * 60_000 - 1,
      'b.from': t0 + 2 * 60_000,
      'b.to': t0 + 4 * 60_000 - 1,
    });
    assert.equal(byTime.body.a.total, 28 * MS);
    assert.equal(byTime.body.b.total, 38 * MS);
    assert.deepEqual(
      byTime.body.rows.map((x: any) => x.name),
      EXPECTED.compare.order,
    );
  });

  it('buckets a type total over time, grouped by a label', async () => {
    const all = await getJson(p, '/api/v1/timeseries', { ...range, type: 'cpu', step: '1m' });
    assert.equal(all.body.step, 60_000);
    assert.equal(all.body.series.length, 1);
    assert.deepEqual(
      all.body.series[0].points,
      EXPECTED.timeseries.all.map((v, i) => [t0 + i * 60_000, v * MS]),
    );
    const byVersion = await getJson(p, '/api/v1/timeseries', { ...range, type: 'cpu', step: '60000', group_by: 'version' });
    assert.equal(byVersion.body.groupBy, 'service.version');
    const got = Object.fromEntries(byVersion.body.series.map((s: any) => [s.labels['service.version'], s.points.map((pt: number[]) => pt[1] / MS)]));
    assert.deepEqual(got, EXPECTED.timeseries.byVersion);
    assert.equal(byVersion.body.series[0].labels['service.version'], '1.4', 'heaviest group first');
  });

  it('answers bad queries with 400 and a reason', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/api/v1/search', { query: 'version' }, 'syntax'],
      ['/api/v1/search', { query: 'host:"web-1' }, 'syntax'],
      ['/api/v1/search', { query: 'host:web-1,' }, 'syntax'],
      ['/api/v1/search', { from: 'now', to: 'now-1h' }, 'time_range'],
      ['/api/v1/search', { from: 'yesterday' }, 'time_range'],
      ['/api/v1/search', { type: 'bogus' }, 'profile_type'],
      ['/api/v1/search', { type: 'Not A Type' }, 'profile_type'],
      ['/api/v1/hotspots', { span_id: 'xyz' }, 'id'],
      ['/api/v1/hotspots', { trace_id: '1234' }, 'id'],
      ['/api/v1/hotspots', {}, 'param'],
      ['/api/v1/hotspots', { span_id: SPAN.S1, trace_id: TRACE.T1 }, 'param'],
      ['/api/v1/hotspots', { trace_id: TRACE.T1, include_children: 'true' }, 'param'],
      ['/api/v1/top', { group_by: 'planet' }, 'param'],
      ['/api/v1/top', { limit: '-3' }, 'param'],
      ['/api/v1/timeseries', { ...Object.fromEntries(Object.entries(range).map(([k, v]) => [k, String(v)])), step: '1ms' }, 'time_range'],
      ['/api/v1/compare', { 'a.from': 'now-1h', 'a.to': 'now-2h' }, 'time_range'],
      [`/api/v1/traces/not-a-trace`, {}, 'id'],
    ];
    for (const [path, params, reason] of cases) {
      const r = await getJson(p, path, params);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(params)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'ERR_QUERY');
      assert.equal(r.body.error.reason, reason, `${path} ${JSON.stringify(params)}: ${r.body.error.message}`);
      assert.ok(r.body.error.message.length > 10);
    }
    const unknown = await getJson(p, '/api/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'ERR_NOT_FOUND');
    const post = await fetch(`${p.api}/api/v1/search`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.arrayBuffer();
  });

  it('exposes store health and profiling metrics on /metrics', async () => {
    const text = await (await fetch(`${p.api}/metrics`)).text();
    const value = (name: string, labels: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
      assert.ok(line, `${name}{${labels}} in /metrics`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    assert.equal(value('otel_profile_bridge_store_profiles_stored_total', 'store="store"'), 5);
    assert.equal(value('otel_profile_bridge_store_profiles', 'store="store"'), 5);
    assert.equal(value('otel_profile_bridge_store_spans_stored_total', 'store="store"'), 8);
    assert.ok(value('otel_profile_bridge_store_size_bytes', 'store="store"') > 0);
    // Other components' health metrics share the registry.
    assert.equal(value('otel_profile_bridge_join_samples_joined_total', 'processor="join"'), 6);
    assert.match(text, /otel_profile_bridge_receiver_items_total\{[^}]*signal="profiles"/);
    // CPU by function: parse's self time is 35 ms and it is always in the top.
    assert.ok(Math.abs(value('otel_profile_bridge_profile_function_cpu_seconds_total', 'service="checkout",function="parse"') - 0.035) < 1e-9);
    const fnLines = text.split('\n').filter((l) => l.startsWith('otel_profile_bridge_profile_function_cpu_seconds_total{'));
    const sum = fnLines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    assert.ok(Math.abs(sum - EXPECTED.cpuTotal / 1000) < 1e-9, `function series add up to the CPU total: ${sum}`);
    assert.ok(fnLines.length <= 2 * 5 + 1, 'bounded cardinality');
    assert.ok(Math.abs(value('otel_profile_bridge_profile_cpu_seconds_total', 'service="checkout",version="1.3"') - 0.028) < 1e-9);
    assert.ok(Math.abs(value('otel_profile_bridge_profile_cpu_seconds_total', 'service="checkout",version="1.4"') - 0.038) < 1e-9);
    assert.equal(value('otel_profile_bridge_profile_alloc_bytes_total', 'service="checkout",thread="worker-1"'), 1000);
    assert.equal(value('otel_profile_bridge_profile_alloc_bytes_total', 'service="checkout",thread="main"'), 500);
  });

  it('reports health and serves a page when the UI is not built', async () => {
    const h = await getJson(p, '/health');
    assert.equal(h.status, 200);
    assert.deepEqual(h.body, { status: 'ok', profiles: 5 });
    const page = await fetch(`${p.api}/some/ui/route`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /UI is not built/);
  });
});
