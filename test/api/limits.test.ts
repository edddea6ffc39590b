// Query bounds: with every slot taken and the queue full the API answers 429, a query past its
// time budget answers 503 (both with Retry-After), and a query past its budget keeps its slot
// until it really ends. Queries are held on a gate the test opens, so nothing here races.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ApiServer } from '../../src/api/server.js';
import { QueryLimiter, QueryLimitError } from '../../src/api/limits.js';
import type { QueryRunner } from '../../src/store/query-runner.js';
import type { Store } from '../../src/store/store.js';
import { PROFILES, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { eventually, sendProfiles, sendTraces, startProfiler, type Profiler } from './helpers.js';

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

// The limiter's budget timer is unref'd (it must never keep a stopping bridge alive), so a test
// that waits on it alone holds the event loop itself; else the runner may find the loop empty
// and cancel the test while its promise is still pending.
const keepAlive = setInterval(() => undefined, 60_000);
after(() => clearInterval(keepAlive));

describe('QueryLimiter', () => {
  it('runs up to maxConcurrent, queues up to maxQueued, refuses the rest with 429', async () => {
    const l = new QueryLimiter({ maxConcurrent: 1, maxQueued: 1, timeoutMs: 60_000 });
    const g = gate();
    const first = l.run(async () => (await g.wait, 'first'));
    const second = l.run(async () => 'second');
    assert.equal(l.running, 1);
    assert.equal(l.queued, 1);
    await assert.rejects(
      l.run(async () => 'third'),
      (e: unknown) => e instanceof QueryLimitError && e.status === 429 && e.retryAfterSeconds >= 1,
    );
    g.open();
    assert.equal(await first, 'first');
    assert.equal(await second, 'second');
    assert.equal(l.running, 0);
  });

  it('answers 503 past the budget; the slow query keeps its slot until it ends', async () => {
    const l = new QueryLimiter({ maxConcurrent: 1, maxQueued: 1, timeoutMs: 20 });
    const g = gate();
    let ended = false;
    const slow = l.run(async () => {
      await g.wait;
      ended = true;
      return 1;
    });
    // Queued behind the slow one: its budget runs out while waiting, and it leaves the queue.
    const waiting = l.run(async () => 2);
    await assert.rejects(slow, (e: unknown) => e instanceof QueryLimitError && e.status === 503 && e.code === 'ERR_QUERY_TIMEOUT');
    await assert.rejects(waiting, (e: unknown) => e instanceof QueryLimitError && e.status === 503);
    assert.equal(l.queued, 0);
    assert.equal(l.running, 1, 'the timed-out query still holds its slot');
    assert.equal(ended, false);
    g.open();
    await eventually('the slot is freed', async () => l.running === 0);
    assert.equal(ended, true);
  });

  it("passes a query's own error through", async () => {
    const l = new QueryLimiter({ maxConcurrent: 2, maxQueued: 0, timeoutMs: 60_000 });
    await assert.rejects(
      l.run(async () => Promise.reject(new Error('bad selection'))),
      /bad selection/,
    );
    assert.equal(l.running, 0);
  });
});

describe('API query limits', () => {
  let p: Profiler;
  let server: ApiServer;
  let base: string;
  let g = gate();
  let held = 0;

  before(async () => {
    p = await startProfiler();
    const t0 = fixtureT0();
    await sendTraces(p, tracesRequest(t0));
    for (const pr of PROFILES) await sendProfiles(p, profileRequest(pr, t0));
    const real = p.store.queries;
    // The real store's queries, each held until the test opens the gate.
    const gated: QueryRunner = {
      run: async (m, ...a) => {
        held++;
        await g.wait;
        return real.run(m, ...a);
      },
      runJson: async (m, ...a) => {
        held++;
        await g.wait;
        return real.runJson(m, ...a);
      },
      close: () => real.close(),
    };
    const store = new Proxy(p.store, { get: (t, k) => (k === 'queries' ? gated : Reflect.get(t, k)) }) as Store;
    server = new ApiServer({
      endpoint: '127.0.0.1:0',
      store,
      metrics: new Registry(),
      logger: pino({ level: 'silent' }),
      uiDirectory: p.dir,
      limits: { maxConcurrent: 1, maxQueued: 1, timeoutMs: 60_000 },
    });
    base = `http://${await server.start()}`;
  });
  after(async () => {
    g.open();
    await server?.stop();
    await p?.stop();
  });

  it('answers 429 with Retry-After when the slot and the queue are taken, then serves again', async () => {
    const first = fetch(`${base}/api/v1/profile-types`);
    await eventually('the first query holds the slot', async () => held === 1);
    const second = fetch(`${base}/api/v1/labels`);
    await eventually('the second query is queued', async () => server.queryLimiter.queued === 1);
    const third = await fetch(`${base}/api/v1/top?type=cpu`);
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '1');
    assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'ERR_TOO_MANY_QUERIES');
    // /health and /metrics are no queries: they answer while the queries are held.
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 200);
    g.open();
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
    assert.equal((await fetch(`${base}/api/v1/top?type=cpu`)).status, 200);
  });

  it('answers 503 with Retry-After past the query time budget', async () => {
    g = gate();
    const tight = new ApiServer({
      endpoint: '127.0.0.1:0',
      store: new Proxy(p.store, {
        get: (t, k) => (k === 'queries' ? { run: () => g.wait, runJson: () => g.wait, close: async () => undefined } : Reflect.get(t, k)),
      }) as Store,
      metrics: new Registry(),
      logger: pino({ level: 'silent' }),
      uiDirectory: p.dir,
      limits: { maxConcurrent: 2, maxQueued: 0, timeoutMs: 50 },
    });
    const at = `http://${await tight.start()}`;
    try {
      const r = await fetch(`${at}/api/v1/flame?type=cpu`);
      assert.equal(r.status, 503);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'ERR_QUERY_TIMEOUT');
    } finally {
      g.open();
      await tight.stop();
    }
  });

  it('answers 414 for an overlong URL', async () => {
    const r = await fetch(`${base}/api/v1/top?query=${'x'.repeat(10_000)}`);
    assert.equal(r.status, 414);
  });
});
