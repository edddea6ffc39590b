// An idle service under the profiling plugin: its event loop waits, so its CPU profile is
// almost all `(idle)` samples and the CPU the store reports for it must be near zero — the
// idle pseudo-frame is not CPU time of the program. Real child process, real bridge.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, startProfiler, type Profiler } from '../api/helpers.js';
import { startExample, type ExampleChild } from './example-child.js';

interface Profile {
  startMs: number;
  endMs: number;
  total: number;
}

describe('SDK plugin: CPU of an idle service', () => {
  let profiler: Profiler;
  let app: ExampleChild | undefined;

  before(async () => {
    profiler = await startProfiler({ holdWindow: '200ms' });
    app = await startExample({
      OTEL_EXPORTER_OTLP_ENDPOINT: profiler.running.http,
      OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    // No requests at all: wait (bounded) until a few CPU windows are stored.
    await eventually(
      'four CPU profiles of the idle service',
      async () => {
        const r = await getJson(profiler, '/api/v1/search', { type: 'cpu', from: 'now-1h', limit: 0 });
        return r.status === 200 && r.body.profileCount >= 4;
      },
      600,
      50,
    );
    const stopped = await app.stop();
    assert.equal(stopped.code, 0, app.stderr());
    app = undefined;
  });

  after(async () => {
    app?.kill();
    await profiler?.stop();
  });

  it('reports near-zero CPU, with idle left out of the views', async () => {
    const all = await getJson(profiler, '/api/v1/search', { type: 'cpu', from: 'now-1h', limit: 1000 });
    const profiles = (all.body.profiles as Profile[]).sort((a, b) => a.startMs - b.startMs);
    // Leave out the first window: it holds the process's start-up (loading modules).
    const steady = profiles.slice(1);
    assert.ok(steady.length >= 3);
    const from = steady[0]!.startMs;
    const to = Math.max(...steady.map((p) => p.endMs));
    const wallNs = steady.reduce((a, p) => a + (p.endMs - p.startMs) * 1e6, 0);
    const view = await getJson(profiler, '/api/v1/flame', { type: 'cpu', from, to });
    assert.equal(view.status, 200);
    assert.ok(!view.body.flame.children.some((c: { name: string }) => c.name === '(idle)'), 'no (idle) frame in the CPU view');
    // Generous: an idle Node process uses well under 1 % of a core; 10 % would be a busy one.
    assert.ok(view.body.total < 0.1 * wallNs, `CPU ${view.body.total} ns over ${wallNs} ns of windows`);
    const top = await getJson(profiler, '/api/v1/top', { type: 'cpu', from, to, limit: 1000 });
    assert.ok(!top.body.rows.some((r: { name: string }) => r.name === '(idle)'));
    // What the plugin sent still has the idle samples, on request.
    const raw = await getJson(profiler, '/api/v1/top', { type: 'cpu', from, to, limit: 1000, include_idle: true });
    assert.ok(raw.body.total >= view.body.total);
  });
});
