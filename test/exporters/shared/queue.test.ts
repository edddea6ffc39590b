// The sending queue on its own, with scripted senders: bounds, per-series order under
// retries and concurrency, persistence across restarts, corrupt files, shutdown accounting.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConsumerError } from '../../../src/errors.js';
import { backoffDelay, parseRetryAfter, retryable, permanent, SUCCESS, type ExportResult } from '../../../src/otlp-client/index.js';
import { retryPolicyOf, type RetryPolicy } from '../../../src/exporters/shared/config.js';
import { exporterMetrics } from '../../../src/exporters/shared/metrics.js';
import { decodeItemHeader, encodeItemFile } from '../../../src/exporters/shared/persist.js';
import { SendingQueue, itemSize, type NewItem, type QueuedItem, type Sender } from '../../../src/exporters/shared/queue.js';
import { captureLogs } from '../helpers/logs.js';
import { metricValue } from '../../helpers/bridge.js';
import { waitUntil } from '../helpers/backends.js';

const FAST: RetryPolicy = { enabled: true, initialIntervalMs: 1, maxIntervalMs: 5, maxElapsedMs: 0, multiplier: 2, randomizationFactor: 0.5 };
const tmpDirs: string[] = [];
after(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'opb-queue-'));
  tmpDirs.push(d);
  return d;
}

function item(key: string, n: number, size = 10): NewItem {
  return { key, meta: { n }, body: Buffer.alloc(size, n & 0xff) };
}

function makeQueue(
  send: Sender,
  o: { maxBytes?: number; numConsumers?: number; directory?: string; retry?: RetryPolicy; drainTimeoutMs?: number; logger?: pino.Logger } = {},
) {
  const registry = new Registry();
  const queue = new SendingQueue({
    name: 'q',
    maxBytes: o.maxBytes ?? 1 << 20,
    numConsumers: o.numConsumers ?? 1,
    directory: o.directory,
    drainTimeoutMs: o.drainTimeoutMs ?? 1000,
    retry: o.retry ?? FAST,
    logger: o.logger ?? pino({ level: 'silent' }),
    metrics: exporterMetrics(registry, 'q'),
    send,
  });
  return {
    queue,
    registry,
    metric: (name: string, labels: Record<string, string> = {}) => metricValue(registry, name, { exporter: 'q', ...labels }),
  };
}

describe('backoff and Retry-After', () => {
  it('grows exponentially, is capped, and jitters within ±randomization_factor', () => {
    const p: RetryPolicy = { ...FAST, initialIntervalMs: 100, maxIntervalMs: 1000, multiplier: 2, randomizationFactor: 0.5 };
    assert.equal(
      backoffDelay(p, 0, () => 0.5),
      100,
    );
    assert.equal(
      backoffDelay(p, 2, () => 0.5),
      400,
    );
    assert.equal(
      backoffDelay(p, 10, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelay(p, 0, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(p, 0, () => 1),
      150,
    );
  });

  it('reads delay-seconds and HTTP-dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 1 ', now), 1000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('max_elapsed_time defaults to forever only for persisted queues', () => {
    const r = { enabled: true, initial_interval: 1000, max_interval: 30_000, multiplier: 1.5, randomization_factor: 0.5 };
    assert.equal(retryPolicyOf(r, true).maxElapsedMs, 0);
    assert.equal(retryPolicyOf(r, false).maxElapsedMs, 300_000);
    assert.equal(retryPolicyOf({ ...r, max_elapsed_time: 5000 }, true).maxElapsedMs, 5000);
  });
});

describe('queue item files', () => {
  it('round-trip, and reject what is not one', () => {
    const file = encodeItemFile({ key: 'k', meta: { a: [1, 'x'] }, created: 5 }, Buffer.from('body'));
    const { header, bodyStart } = decodeItemHeader(file);
    assert.deepEqual(header, { key: 'k', meta: { a: [1, 'x'] }, created: 5 });
    assert.equal(file.subarray(bodyStart).toString(), 'body');
    assert.throws(() => decodeItemHeader(Buffer.from('nope')));
    assert.throws(() => decodeItemHeader(file.subarray(0, 12)));
  });
});

describe('SendingQueue', () => {
  it('refuses what does not fit: retryable when full now, permanent when it never can', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { queue, metric } = makeQueue(async () => (await gate, SUCCESS), { maxBytes: itemSize(item('a', 1, 100)) * 2 });
    await queue.enqueue([item('a', 1, 100), item('a', 2, 100)]);
    await assert.rejects(
      queue.enqueue([item('a', 3, 100)]),
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_PIPELINE_FULL' && e.retryable,
    );
    await assert.rejects(
      queue.enqueue([item('a', 4, 10_000)]),
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_EXPORT_PERMANENT' && !e.retryable,
    );
    assert.equal(await metric('otel_profile_bridge_exporter_dropped_total', { reason: 'queue_full' }), 1);
    assert.equal(await metric('otel_profile_bridge_exporter_dropped_total', { reason: 'too_large' }), 1);
    release();
    await queue.whenIdle();
    assert.equal(await metric('otel_profile_bridge_exporter_sent_total'), 2);
    assert.equal(await metric('otel_profile_bridge_exporter_queue_bytes'), 0);
    await queue.enqueue([item('a', 5, 100)]); // room again
    await queue.whenIdle();
    await queue.shutdown();
  });

  it('delivers every item exactly once and in order per series, whatever fails and retries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(3)), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (plan, consumers) => {
          const failuresLeft = new Map<number, number>();
          const delivered: QueuedItem[] = [];
          const { queue } = makeQueue(
            async (it) => {
              const n = it.meta.n as number;
              const left = failuresLeft.get(n) ?? 0;
              if (left > 0) {
                failuresLeft.set(n, left - 1);
                return retryable('http_503', 'busy', 0);
              }
              await new Promise((r) => setImmediate(r));
              delivered.push(it);
              return SUCCESS;
            },
            { numConsumers: consumers },
          );
          for (const [i, [key, failures]] of plan.entries()) {
            failuresLeft.set(i, failures);
            await queue.enqueue([item(key, i)]);
          }
          await queue.whenIdle();
          await queue.shutdown();
          assert.deepEqual(
            delivered.map((d) => d.meta.n).sort((x, y) => (x as number) - (y as number)),
            plan.map((_, i) => i),
          );
          for (const key of ['a', 'b', 'c', 'd']) {
            const order = delivered.filter((d) => d.key === key).map((d) => d.meta.n as number);
            assert.deepEqual(
              order,
              [...order].sort((x, y) => x - y),
              `series ${key} in order`,
            );
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a stuck series does not hold up the others', async () => {
    const delivered: string[] = [];
    const { queue } = makeQueue(
      async (it) => {
        if (it.key === 'stuck') return retryable('connection', 'ECONNREFUSED');
        delivered.push(`${it.key}${it.meta.n}`);
        return SUCCESS;
      },
      { numConsumers: 2, drainTimeoutMs: 50 },
    );
    await queue.enqueue([item('stuck', 1), item('ok', 2), item('stuck', 3), item('ok', 4)]);
    await waitUntil(() => delivered.length === 2, 5000, 'the healthy series delivered');
    assert.deepEqual(delivered, ['ok2', 'ok4']);
    await queue.shutdown();
  });

  it('permanent failures are not retried; exhausted retries give up; both are counted', async () => {
    const attempts = new Map<number, number>();
    const { queue, metric } = makeQueue(
      async (it) => {
        const n = it.meta.n as number;
        attempts.set(n, (attempts.get(n) ?? 0) + 1);
        return n === 1 ? permanent('http_400', 'bad profile') : retryable('http_503', 'down');
      },
      { retry: { ...FAST, maxElapsedMs: 60 }, numConsumers: 2 },
    );
    await queue.enqueue([item('a', 1), item('b', 2)]);
    await queue.whenIdle();
    assert.equal(attempts.get(1), 1);
    assert.ok(attempts.get(2)! > 1);
    assert.equal(await metric('otel_profile_bridge_exporter_failed_total', { reason: 'http_400' }), 1);
    assert.equal(await metric('otel_profile_bridge_exporter_failed_total', { reason: 'retries_exhausted' }), 1);
    assert.equal(await metric('otel_profile_bridge_exporter_retried_total'), attempts.get(2)! - 1);
    await queue.shutdown();
  });

  it('waits exactly what the server asked for', async () => {
    const logs = captureLogs('debug');
    let first = true;
    const { queue } = makeQueue(
      async () => {
        if (!first) return SUCCESS;
        first = false;
        return retryable('http_429', 'slow down', 120);
      },
      { logger: logs.logger },
    );
    await queue.enqueue([item('a', 1)]);
    await queue.whenIdle();
    const line = logs.find((l) => l.reason === 'http_429');
    assert.equal(line?.retry_in_ms, 120);
    await queue.shutdown();
  });

  it('an in-memory queue counts and logs what it drops at shutdown', async () => {
    const logs = captureLogs('info');
    const { queue, metric } = makeQueue(async () => retryable('connection', 'ECONNREFUSED'), { drainTimeoutMs: 50, logger: logs.logger });
    await queue.enqueue([item('a', 1), item('a', 2), item('b', 3)]);
    await queue.shutdown();
    assert.equal(await metric('otel_profile_bridge_exporter_dropped_total', { reason: 'shutdown' }), 3);
    assert.ok(logs.lines.some((l) => l.level === 50 && /dropped/.test(String(l.msg))));
    await assert.rejects(
      queue.enqueue([item('a', 4)]),
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_PIPELINE_UNAVAILABLE' && e.retryable,
    );
  });

  it('a persisted queue keeps undelivered items across a restart and delivers them in order', async () => {
    const dir = tempDir();
    const first = makeQueue(async () => retryable('connection', 'ECONNREFUSED'), { directory: dir, drainTimeoutMs: 50 });
    await first.queue.enqueue([item('a', 1), item('b', 2)]);
    await first.queue.enqueue([item('a', 3, 5000)]);
    await first.queue.shutdown();
    assert.equal(await first.metric('otel_profile_bridge_exporter_dropped_total', { reason: 'shutdown' }), 0);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.item')).length, 3);

    const delivered: QueuedItem[] = [];
    const second = makeQueue(async (it) => (delivered.push(it), SUCCESS), { directory: dir });
    await second.queue.start();
    await second.queue.enqueue([item('a', 4)]);
    await second.queue.whenIdle();
    assert.deepEqual(
      delivered.map((d) => d.meta.n),
      [1, 2, 3, 4],
    );
    assert.equal(delivered[2]!.body.length, 5000);
    assert.deepEqual([...delivered[2]!.body.subarray(0, 3)], [3, 3, 3]);
    assert.deepEqual(readdirSync(dir), [], 'delivered items are deleted');
    await second.queue.shutdown();
  });

  it('moves an unreadable persisted item aside, counts it, and delivers the rest', async () => {
    const dir = tempDir();
    const writer = makeQueue(async () => retryable('connection', 'down'), { directory: dir, drainTimeoutMs: 20 });
    await writer.queue.enqueue([item('a', 1), item('a', 2)]);
    await writer.queue.shutdown();
    const [firstFile] = readdirSync(dir).sort();
    writeFileSync(join(dir, firstFile!), 'garbage');
    writeFileSync(join(dir, `.${firstFile}.tmp-0123456789ab`), 'half-written');

    const delivered: number[] = [];
    const reader = makeQueue(async (it) => (delivered.push(it.meta.n as number), SUCCESS), { directory: dir });
    await reader.queue.start();
    await reader.queue.whenIdle();
    assert.deepEqual(delivered, [2]);
    assert.equal(await reader.metric('otel_profile_bridge_exporter_dropped_total', { reason: 'corrupt' }), 1);
    assert.deepEqual(readdirSync(dir), [`${firstFile}.corrupt`]);
    await reader.queue.shutdown();
  });

  it('permanent failures of persisted items delete their files', async () => {
    const dir = tempDir();
    const { queue } = makeQueue(async (): Promise<ExportResult> => permanent('http_413', 'too big'), { directory: dir });
    await queue.enqueue([item('a', 1)]);
    await queue.whenIdle();
    assert.deepEqual(readdirSync(dir), []);
    await queue.shutdown();
  });
});
