// End to end: the example service runs under the profiling plugin and sends its traces and
// profiles to a real bridge (OTLP receiver -> join -> store, JSON API). After load on both
// endpoints, the code hotspots of the slow endpoint's spans are dominated by the function
// that burns CPU there, those of the fast endpoint's spans do not contain it, and the trace
// endpoint is the route the handler set after the span started.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, startProfiler, type Profiler } from '../api/helpers.js';
import { load, startExample, type ExampleChild, type ShutdownReport } from './example-child.js';

const SLOW = 'GET /slow/:id';
const FAST = 'GET /fast';
const HOT = 'computeFibonacciSlowly';

interface SlowSpan {
  spanId: string;
  name: string;
  endpoint: string;
  samples: Record<string, number>;
}

interface Hotspots {
  total: number;
  top: { name: string; self: number; total: number }[];
}

describe('SDK plugin end to end: example service -> bridge store -> hotspots', () => {
  let profiler: Profiler;
  let app: ExampleChild | undefined;
  let report: ShutdownReport | undefined;

  before(async () => {
    profiler = await startProfiler({ holdWindow: '2s' });
    app = await startExample({
      OTEL_EXPORTER_OTLP_ENDPOINT: profiler.running.http,
      OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '1000',
      // 1 kHz so that every slow request gets a few samples in a short test.
      OTEL_PROFILE_BRIDGE_SAMPLING_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      EXAMPLE_FIB_N: '27',
    });
    const result = await load(app.port, (i) => (i % 2 === 0 ? `/slow/${i}` : '/fast'), { requests: 400, concurrency: 2 });
    assert.equal(result.errors, 0);
    assert.equal(result.statuses.get(200), 400);
    const stopped = await app.stop();
    assert.equal(stopped.code, 0, `example exited with ${stopped.code}; stderr: ${app.stderr()}`);
    report = stopped.report;
    app = undefined;
  });

  after(async () => {
    app?.kill();
    await profiler?.stop();
  });

  it('sent every profile it cut, and the store has them', async () => {
    assert.ok(report?.profiler, 'the example printed its profiler stats');
    assert.ok(report.profiler.requests > 0);
    assert.equal(report.profiler.exported, report.profiler.requests);
    assert.equal(report.profiler.failed + report.profiler.dropped, 0);
    await eventually('profiles stored', async () => {
      const r = await getJson(profiler, '/api/v1/profile-types', {});
      return r.status === 200 && (r.body.types as { type: string }[]).some((t) => t.type === 'wall');
    });
    const types = (await getJson(profiler, '/api/v1/profile-types', {})).body.types as { type: string }[];
    for (const t of ['wall', 'cpu', 'inuse_space', 'inuse_objects'])
      assert.ok(
        types.some((x) => x.type === t),
        `profile type ${t} stored`,
      );
  });

  /** Profiled SERVER spans of one endpoint (named like it), as the store joined them. */
  async function profiledSpans(endpoint: string): Promise<SlowSpan[]> {
    let spans: SlowSpan[] = [];
    await eventually(`profiled spans of ${endpoint}`, async () => {
      const r = await getJson<{ spans: SlowSpan[] }>(profiler, '/api/v1/spans/slow', { endpoint, profiled: true, limit: 1000, from: 'now-1h' });
      spans = r.status === 200 ? r.body.spans : [];
      // Child spans ("load item") belong to the endpoint too: the endpoint is the local root's.
      for (const s of spans) assert.equal(s.endpoint, endpoint);
      spans = spans.filter((s) => s.name === endpoint);
      return spans.length >= 5;
    });
    // Bounded: one query per span.
    return spans.slice(0, 40);
  }

  /** Self value of `fn` and the total, summed over the hotspots of each span. */
  async function hotspotShare(spans: SlowSpan[]): Promise<{ hot: number; total: number }> {
    let hot = 0;
    let total = 0;
    for (const s of spans) {
      const r = await getJson<Hotspots>(profiler, '/api/v1/hotspots', { span_id: s.spanId, type: 'wall', limit: 10_000 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      total += r.body.total;
      hot += r.body.top.find((row) => row.name === HOT)?.self ?? 0;
    }
    return { hot, total };
  }

  it('slow-endpoint spans are dominated by the burning function', async () => {
    // The handler names the span and sets http.route after the span started.
    const spans = await profiledSpans(SLOW);
    const { hot, total } = await hotspotShare(spans);
    assert.ok(total > 0);
    assert.ok(hot / total > 0.5, `${HOT} has ${hot} of ${total} ns of wall time in slow spans`);
  });

  it('fast-endpoint spans do not contain it', async () => {
    const spans = await profiledSpans(FAST);
    const { hot, total } = await hotspotShare(spans);
    assert.ok(total > 0);
    assert.equal(hot, 0, `${HOT} appears in fast spans`);
  });

  it('the samples carry the route as trace endpoint (hotspots by endpoint)', async () => {
    const slow = await getJson<Hotspots>(profiler, '/api/v1/hotspots', { endpoint: SLOW, type: 'cpu', limit: 5 });
    assert.equal(slow.status, 200, JSON.stringify(slow.body));
    assert.equal(slow.body.top[0]?.name, HOT, JSON.stringify(slow.body.top));
    const fast = await getJson<Hotspots>(profiler, '/api/v1/hotspots', { endpoint: FAST, type: 'cpu', limit: 10_000 });
    assert.equal(fast.status, 200);
    assert.ok(fast.body.total > 0);
    assert.equal(
      fast.body.top.find((r) => r.name === HOT),
      undefined,
    );
  });
});
