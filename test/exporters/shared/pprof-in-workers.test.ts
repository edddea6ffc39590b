// The pprof-speaking exporters convert in the bridge's worker threads: what reaches real
// recording backends (Pyroscope over HTTP, Datadog multipart over HTTP, Parca over gRPC) and
// the file exporter's tree is the same with `service.workers.threads: 0` (inline) and 2; a
// full pool refuses retryably before anything is queued, and the refused requests, offered
// again, are delivered exactly once; a fan-out converts once; one series keeps its order.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { validate } from '../../../src/config/load.js';
import { ConsumerError } from '../../../src/errors.js';
import type { ComponentContext, Exporter } from '../../../src/component/factory.js';
import { encodeProfilesRequest } from '../../../src/otlp/index.js';
import type { ExportProfilesServiceRequest } from '../../../src/otlp/model.js';
import { pyroscopeExporterFactory } from '../../../src/exporters/pyroscope/factory.js';
import { pyroscopeConfigSchema } from '../../../src/exporters/pyroscope/config.js';
import { fileExporterFactory } from '../../../src/exporters/file/factory.js';
import { fileExporterConfigSchema } from '../../../src/exporters/file/config.js';
import { WRITE_RAW_METHOD } from '../../../src/exporters/parca/write-raw.js';
import { WorkerPool } from '../../../src/workers/pool.js';
import { encodeProfilesRequestPprof } from '../../../src/pprof/encode-direct.js';
import { answerFor } from '../../../src/receivers/otlp/status.js';
import { RECEIVER_YAML, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { tree } from '../../helpers/files.js';
import { fullProfilesRequest, withRefusedProfile } from '../../fixtures/profiles-request.js';
import { realisticProfilesRequest } from '../../../bench/otlp-data.js';
import { GrpcBackend, HttpBackend, waitUntil } from '../helpers/backends.js';
import { parseMultipart } from '../helpers/multipart.js';
import { joinedRequest } from '../helpers/joined.js';

/** Requests that cover a merged Datadog attachment (Node's wall + cpu), single types and a refusal. */
function requests(): ExportProfilesServiceRequest[] {
  return [
    joinedRequest({ seq: 1 }),
    joinedRequest({ seq: 2, runtime: 'go', service: 'billing' }),
    joinedRequest({ seq: 3, types: ['wall'], service: 'search' }),
    fullProfilesRequest(),
    withRefusedProfile(),
    realisticProfilesRequest({ samples: 20_000, functions: 500, locations: 1_000, stacks: 2_000, links: 100 }, 3),
  ];
}

interface Recorded {
  answers: string[];
  pyroscope: string[];
  datadog: string[];
  parca: string[];
  files: string[];
  ranInWorkers: number;
  mergedInWorkers: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function runWith(threads: number): Promise<Recorded> {
  const pyroscope = await HttpBackend.start();
  const datadog = await HttpBackend.start();
  const parca = await GrpcBackend.start([WRITE_RAW_METHOD]);
  const dir = mkdtempSync(join(tmpdir(), 'opb-pprof-workers-'));
  let run: RunningBridge | undefined;
  try {
    run = await startBridge(`${RECEIVER_YAML}
exporters:
  pyroscope: { endpoint: ${pyroscope.url} }
  datadog: { endpoint: ${datadog.url} }
  parca: { endpoint: ${parca.address}, insecure: true }
  file: { directory: ${JSON.stringify(dir)}, fsync: false }
service:
  workers: { threads: ${threads} }
  pipelines:
    profiles: { receivers: [otlp], exporters: [pyroscope, datadog, parca, file] }
`);
    const answers: string[] = [];
    for (const req of requests()) {
      const res = await fetch(`${run.http}/v1development/profiles`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf' },
        body: encodeProfilesRequest(req),
      });
      answers.push(`${res.status} ${hex(new Uint8Array(await res.arrayBuffer()))}`);
    }
    // One upload per converted profile (the file exporter writes a repeated profile once: same name).
    const uploads = requests().reduce((n, r) => n + encodeProfilesRequestPprof(r).profiles.length, 0);
    await waitUntil(() => pyroscope.accepted.length === uploads && parca.accepted.length === uploads, 20_000, 'every upload');
    await waitUntil(() => datadog.accepted.length > 0, 20_000, 'datadog uploads');
    const pool = (run.bridge as unknown as { workers?: WorkerPool }).workers;
    const ranInWorkers = pool?.stats.ran.exportPprof ?? 0;
    const mergedInWorkers = pool?.stats.ran.mergePprof ?? 0;
    await run.stop();
    run = undefined;
    const datadogParts = await Promise.all(
      datadog.accepted.map(async (c) =>
        (await parseMultipart(c.headers, c.body))
          .map((p) => `${p.name}:${p.filename}:${p.mimeType}:${hex(p.data)}`)
          .sort()
          .join('|'),
      ),
    );
    return {
      answers,
      pyroscope: pyroscope.accepted.map((c) => `${c.url.pathname}${c.url.search} ${hex(c.body)}`).sort(),
      datadog: datadogParts.sort(),
      parca: parca.accepted.map((c) => hex(c.body)).sort(),
      files: tree(dir).map((f) => `${f} ${hex(readFileSync(join(dir, f)))}`),
      ranInWorkers,
      mergedInWorkers,
    };
  } finally {
    await run?.stop();
    await Promise.all([pyroscope.close(), datadog.close(), parca.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('pprof exporters with and without worker threads', () => {
  let inline: Recorded;
  let pooled: Recorded;
  before(async () => {
    inline = await runWith(0);
    pooled = await runWith(2);
  });

  it('threads: 2 converted every request in the pool (once per request for all four exporters); threads: 0 ran none', () => {
    assert.equal(inline.ranInWorkers, 0);
    assert.equal(pooled.ranInWorkers, requests().length);
    // Datadog's merged attachments: one task per request that has any (Node's wall.pprof here).
    assert.equal(inline.mergedInWorkers, 0);
    assert.equal(pooled.mergedInWorkers, 1);
  });

  it('the senders get the same answers (including the partial success for the refused profile)', () => {
    assert.deepEqual(pooled.answers, inline.answers);
    assert.equal(new Set(inline.answers.map((a) => a.slice(0, 3))).size, 1, 'all 200');
  });

  it('pyroscope, datadog and parca receive the same bytes; the file exporter writes the same tree', () => {
    assert.ok(inline.pyroscope.length >= 8);
    assert.deepEqual(pooled.pyroscope, inline.pyroscope);
    assert.ok(
      inline.datadog.some((d) => d.includes('wall.pprof')),
      "Node's merged wall.pprof",
    );
    assert.deepEqual(pooled.datadog, inline.datadog);
    assert.deepEqual(pooled.parca, inline.parca);
    assert.ok(inline.files.length >= 16); // pprof + sidecar each
    assert.deepEqual(pooled.files, inline.files);
  });
});

function context(workers: WorkerPool | undefined, id: string, metrics = new Registry()): ComponentContext {
  return { id, logger: pino({ level: 'silent' }), metrics, lookup: () => undefined, ...(workers ? { workers } : {}) };
}

function pyroscopeExporter(url: string, workers: WorkerPool, metrics?: Registry): Exporter {
  const config = validate(pyroscopeConfigSchema, { endpoint: url, retry: { initial_interval: '20ms', max_interval: '50ms' } }, 'exporters.pyroscope');
  return pyroscopeExporterFactory.create(config, context(workers, 'pyroscope', metrics));
}

describe('pprof exporters on a saturated pool', () => {
  let backend: HttpBackend;
  before(async () => {
    backend = await HttpBackend.start();
  });
  after(() => backend.close());

  it('a full pool refuses retryably (429) before queueing; offered again, every request is delivered once', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueued: 0, retryAfterSeconds: 2 });
    const exporter = pyroscopeExporter(backend.url, pool);
    await exporter.start?.();
    const before = backend.accepted.length;
    try {
      const reqs = [1, 2, 3].map((seq) => joinedRequest({ seq, service: `sat-${seq}` }));
      // Submitted in one synchronous run: the first cannot have finished before the others ask.
      const results = await Promise.allSettled(reqs.map((r) => exporter.consumeProfiles!(r)));
      assert.equal(results[0]!.status, 'fulfilled');
      for (const r of results.slice(1)) {
        assert.equal(r.status, 'rejected');
        const e = (r as PromiseRejectedResult).reason as unknown;
        assert.ok(e instanceof ConsumerError && e.code === 'ERR_PIPELINE_FULL' && e.retryable, String(e));
        const a = answerFor(e, 1);
        assert.equal(a.httpStatus, 429);
        assert.equal(a.retryAfterSeconds, 2);
      }
      assert.deepEqual(pool.stats.ran, { exportPprof: 1 }, 'the refused requests were not converted');
      // The sender's (or the join processor's) retry of the refused ones, one after the other.
      for (const r of reqs.slice(1)) await exporter.consumeProfiles!(r);
      await waitUntil(() => backend.accepted.length - before >= 6, 10_000, 'six uploads');
      const names = backend.accepted.slice(before).map((c) => c.url.searchParams.get('name')!.replace(/\{.*$/, ''));
      assert.deepEqual(names.sort(), ['sat-1', 'sat-1', 'sat-2', 'sat-2', 'sat-3', 'sat-3'], 'each profile once: nothing lost, nothing twice');
    } finally {
      await exporter.shutdown?.();
      await pool.close();
    }
  });

  it('a fan-out to two exporters converts a request once', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueued: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'opb-pprof-fanout-'));
    const py = pyroscopeExporter(backend.url, pool);
    const file = fileExporterFactory.create(
      validate(fileExporterConfigSchema, { directory: dir, fsync: false }, 'exporters.file'),
      context(pool, 'file'),
    );
    await py.start?.();
    await file.start?.();
    try {
      const req = joinedRequest({ seq: 9, service: 'fan' });
      await Promise.all([py.consumeProfiles!(req), file.consumeProfiles!(req)]);
      assert.deepEqual(pool.stats.ran, { exportPprof: 1 });
      assert.equal(tree(dir).filter((f) => f.endsWith('.pb.gz')).length, 2);
    } finally {
      await py.shutdown?.();
      await file.shutdown?.();
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("one series' requests reach the backend in the order they were consumed, even when a later one converts first", async () => {
    const pool = new WorkerPool({ threads: 2, maxQueued: 4 });
    const exporter = pyroscopeExporter(backend.url, pool);
    await exporter.start?.();
    const before = backend.accepted.length;
    try {
      // The same service and type: one series. The first is large, the second tiny.
      const big = realisticProfilesRequest({ samples: 150_000, functions: 2_000, locations: 5_000, stacks: 10_000, links: 1_000 }, 1);
      const small = realisticProfilesRequest({ samples: 10, functions: 20, locations: 40, stacks: 20, links: 5 }, 2);
      await Promise.all([exporter.consumeProfiles!(big), exporter.consumeProfiles!(small)]);
      await waitUntil(() => backend.accepted.length - before >= 2, 20_000, 'two uploads');
      const [first, second] = backend.accepted.slice(before);
      assert.equal(first!.url.searchParams.get('name'), second!.url.searchParams.get('name'), 'one series');
      assert.ok(first!.body.length > second!.body.length * 10, 'the big one first');
    } finally {
      await exporter.shutdown?.();
      await pool.close();
    }
  });
});
