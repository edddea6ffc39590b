// An outage, end to end: the backends first answer "unavailable, retry after 1 s", then
// refuse connections altogether, then recover. Profiles keep arriving at the bridge the
// whole time. Every profile must reach each backend exactly once, in order within its
// series. Covered for an HTTP backend (Pyroscope ingest: 503 + Retry-After) and a gRPC one
// (Parca WriteRaw: UNAVAILABLE + retry-after metadata).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePprofIndependent } from '../../helpers/pprof-decoded.js';
import { decodeWriteRawRequest, labelMap } from '../helpers/backend-proto.js';
import { GrpcBackend, HttpBackend, waitUntil } from '../helpers/backends.js';
import { T0_SECONDS, joinedRequest, seqOfNanos } from '../helpers/joined.js';
import { RECEIVER_YAML, metricValue, postProfiles, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { WRITE_RAW_METHOD } from '../../../src/exporters/parca/write-raw.js';

const REQUESTS = 16;
const SERVICES = ['cart', 'search'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Arrival = { series: string; seq: number };

/** Asserts each (series, seq) arrived once and each series in ascending seq order. */
function assertExactlyOnceInOrder(arrivals: Arrival[], expectedPerSeries: Map<string, number[]>): void {
  const bySeries = new Map<string, number[]>();
  for (const a of arrivals) bySeries.set(a.series, [...(bySeries.get(a.series) ?? []), a.seq]);
  assert.deepEqual([...bySeries.keys()].sort(), [...expectedPerSeries.keys()].sort());
  for (const [series, seqs] of bySeries) {
    assert.deepEqual(seqs, expectedPerSeries.get(series), `series ${series}: each profile once, in order`);
  }
}

describe('outage: 503 with Retry-After, then connection refused, then recovery', () => {
  let pyroscope: HttpBackend;
  let parca: GrpcBackend;
  let run: RunningBridge;
  let phase: 'unavailable' | 'ok' = 'unavailable';

  before(async () => {
    pyroscope = await HttpBackend.start();
    pyroscope.answer = () =>
      phase === 'unavailable' ? { status: 503, headers: { 'retry-after': '1' }, body: 'ingester ring not ready' } : { status: 200 };
    parca = await GrpcBackend.start([WRITE_RAW_METHOD]);
    parca.answer = () => (phase === 'unavailable' ? { code: 14, details: 'not ready', metadata: { 'retry-after': '1' } } : {});
    run = await startBridge(`${RECEIVER_YAML}
exporters:
  pyroscope:
    endpoint: ${pyroscope.url}
    retry: { initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 0 }
  parca:
    endpoint: ${parca.address}
    insecure: true
    retry: { initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 0 }
service:
  pipelines:
    profiles: { receivers: [otlp], exporters: [pyroscope, parca] }
`);
  });
  after(async () => {
    await run?.stop();
    await pyroscope?.close();
    await parca?.close();
  });

  it('delivers every profile exactly once, in order per series', async (t) => {
    const started = Date.now();
    const sender = (async () => {
      for (let seq = 0; seq < REQUESTS; seq++) {
        const status = await postProfiles(run.http, joinedRequest({ seq, service: SERVICES[seq % 2] }));
        assert.equal(status, 200, 'the bridge keeps accepting during the outage');
        await sleep(450);
      }
    })();
    await sleep(4000); // ~4 s of 503 / UNAVAILABLE with retry-after 1
    await pyroscope.down(); // then nobody listens: ECONNREFUSED
    await parca.down();
    phase = 'ok';
    await sleep(3500);
    await pyroscope.up(); // same port, healthy
    await parca.up();
    await sender;
    const expectedUploads = REQUESTS * 2; // cpu + wall per request
    await waitUntil(
      () => pyroscope.accepted.length >= expectedUploads && parca.accepted.length >= expectedUploads,
      20_000,
      'all uploads after recovery',
    );
    await sleep(300); // any duplicate would show up now
    t.diagnostic(`outage scenario took ${Date.now() - started} ms; pyroscope calls ${pyroscope.calls.length}, parca calls ${parca.calls.length}`);

    const expected = new Map<string, number[]>();
    for (let seq = 0; seq < REQUESTS; seq++) {
      for (const type of ['cpu', 'wall']) {
        const key = `${SERVICES[seq % 2]}/${type}`;
        expected.set(key, [...(expected.get(key) ?? []), seq]);
      }
    }
    const pyroArrivals = pyroscope.accepted.map((c) => {
      const app = c.url.searchParams.get('name')!.split('{')[0]!;
      const type = decodePprofIndependent(c.body).sampleTypes[0]!.type === 'wall' ? 'wall' : 'cpu';
      return { series: `${app}/${type}`, seq: Number(c.url.searchParams.get('from')) - T0_SECONDS };
    });
    assertExactlyOnceInOrder(pyroArrivals, expected);

    const parcaArrivals = parca.accepted.map((c) => {
      const req = decodeWriteRawRequest(c.body);
      const labels = labelMap(req.series[0]!.labels!.labels);
      const pprof = decodePprofIndependent(req.series[0]!.samples[0]!.raw_profile);
      return { series: `${labels.service_name}/${labels.__name__ === 'wall' ? 'wall' : 'cpu'}`, seq: seqOfNanos(pprof.timeNanos) };
    });
    assertExactlyOnceInOrder(parcaArrivals, expected);

    for (const exporter of ['pyroscope', 'parca']) {
      assert.ok((await metricValue(run.metrics, 'otel_profile_bridge_exporter_retried_total', { exporter })) > 0, `${exporter} retried`);
      assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_failed_total', { exporter }), 0);
      assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_dropped_total', { exporter }), 0);
      await waitUntil(
        async () => (await metricValue(run.metrics, 'otel_profile_bridge_exporter_sent_total', { exporter })) === expectedUploads,
        5000,
        `${exporter} sent_total`,
      );
    }
  });
});
