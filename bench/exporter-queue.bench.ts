// Sending-queue throughput: items of a typical gzip'd pprof size (8 KiB) queued one request
// at a time and delivered over HTTP to a local server, in memory vs persisted (one fsync'd
// file per item), with 1 and 4 consumers. What persistence costs per item is the figure
// to read, against the baseline of the same POSTs without a queue measured in the same run;
// absolute numbers depend on the disk and the machine's load.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { exporterMetrics } from '../src/exporters/shared/metrics.js';
import { SendingQueue } from '../src/exporters/shared/queue.js';
import { failureOf, httpPost, SUCCESS } from '../src/otlp-client/index.js';
import { fmt, table, time, type BenchSuite } from './harness.js';

const ITEMS = 300;
const SIZE = 8 * 1024;
const SERIES = 8;

async function run(url: string, numConsumers: number, directory: string | undefined): Promise<void> {
  const queue = new SendingQueue({
    name: 'bench',
    maxBytes: 1 << 30,
    numConsumers,
    directory,
    drainTimeoutMs: 10_000,
    retry: { enabled: true, initialIntervalMs: 10, maxIntervalMs: 100, maxElapsedMs: 0, multiplier: 2, randomizationFactor: 0.5 },
    logger: pino({ level: 'silent' }),
    metrics: exporterMetrics(new Registry(), 'bench'),
    send: async (item, a) => {
      const res = await httpPost({
        url,
        headers: { 'content-type': 'application/octet-stream' },
        body: item.body,
        timeoutMs: 10_000,
        signal: a.signal,
      });
      return failureOf(res) ?? SUCCESS;
    },
  });
  await queue.start();
  const body = Buffer.alloc(SIZE, 7);
  for (let i = 0; i < ITEMS; i++) await queue.enqueue([{ key: `s${i % SERIES}`, meta: { i }, body }]);
  await queue.whenIdle();
  await queue.shutdown();
}

export const suite: BenchSuite = {
  title: 'Exporter sending queue: memory vs persisted',
  async run() {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
    const dir = mkdtempSync(join(tmpdir(), 'opb-bench-queue-'));
    const rows: (string | number)[][] = [];
    try {
      // Baseline: the same POSTs one after another, no queue.
      const body = Buffer.alloc(SIZE, 7);
      const raw = await time(
        async () => {
          for (let i = 0; i < ITEMS; i++)
            failureOf(await httpPost({ url, headers: { 'content-type': 'application/octet-stream' }, body, timeoutMs: 10_000 }));
        },
        5,
        1,
      );
      rows.push(['none (sequential POSTs)', 1, fmt(raw.medianMs, 0), fmt((ITEMS / raw.medianMs) * 1000, 0), fmt((raw.medianMs * 1000) / ITEMS, 0)]);
      for (const consumers of [1, 4]) {
        for (const persisted of [false, true]) {
          const t = await time(() => run(url, consumers, persisted ? join(dir, `c${consumers}`) : undefined), 5, 1);
          rows.push([
            persisted ? 'persisted (fsync per item)' : 'memory',
            consumers,
            fmt(t.medianMs, 0),
            fmt((ITEMS / t.medianMs) * 1000, 0),
            fmt((t.medianMs * 1000) / ITEMS, 0),
          ]);
        }
      }
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return [
      `${ITEMS} items of ${SIZE / 1024} KiB in ${SERIES} series, enqueued one at a time and delivered by HTTP POST to a local server; median of 5 runs.`,
      '',
      table(['queue', 'consumers', 'ms total', 'items/s', 'µs per item'], rows),
    ].join('\n');
  },
};
