// The bridge is down: the example service under the plugin keeps serving every request,
// the plugin counts what it could not send and warns (at most once per export interval),
// nothing rejects unhandled (the child runs with --unhandled-rejections=strict), and
// shutdown still completes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort, load, startExample, type ExampleChild, type ShutdownReport } from './example-child.js';

describe('SDK plugin with the bridge down', () => {
  let app: ExampleChild | undefined;
  let stopped: { code: number | null; report: ShutdownReport | undefined };
  let stderr = '';
  let served: number | undefined;
  const INTERVAL = 400;
  let ranForMs = 0;

  before(async () => {
    const port = await closedPort();
    app = await startExample({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: String(INTERVAL),
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      EXAMPLE_FIB_N: '22',
    });
    const t0 = Date.now();
    const r = await load(app.port, (i) => (i % 2 === 0 ? `/slow/${i}` : '/fast'), { requests: 300, concurrency: 2, ratePerSecond: 150 });
    served = r.statuses.get(200);
    assert.equal(r.errors, 0);
    const s = await app.stop();
    ranForMs = Date.now() - t0;
    stderr = app.stderr();
    stopped = s;
    app = undefined;
  });

  after(() => app?.kill());

  it('keeps serving every request', () => {
    assert.equal(served, 300);
  });

  it('exits cleanly: no unhandled rejection, shutdown completed', () => {
    assert.equal(stopped.code, 0, stderr);
    assert.doesNotMatch(stderr, /unhandled|UnhandledPromiseRejection/i);
    assert.ok(stopped.report, 'the shutdown report was printed, so shutdown returned');
  });

  it('counts the profiles it could not send', () => {
    const p = stopped.report!.profiler!;
    assert.ok(p.requests >= 2, `${p.requests} profiles cut`);
    assert.equal(p.exported, 0);
    assert.ok(p.failed >= 1, JSON.stringify(p));
    // Every profile cut was either given up on or replaced while waiting behind a failing send.
    assert.equal(p.failed + p.dropped, p.requests, JSON.stringify(p));
    assert.match(p.lastError ?? '', /ECONNREFUSED|connect/);
  });

  it('warns through diag, at most once per export interval', () => {
    const warnings = stderr.split('\n').filter((l) => l.includes('otel-profile-bridge/sdk:'));
    assert.ok(warnings.length >= 1, stderr);
    assert.ok(warnings.length <= Math.ceil(ranForMs / INTERVAL) + 1, `${warnings.length} warnings in ${ranForMs} ms`);
  });
});
