// The pyroscope exporter against a test double of Pyroscope speaking both documented
// routes: POST /ingest (query parameters + gzip'd pprof body) and the Connect Push API
// (PushRequest decoded with protobufjs from proto/pyroscope/). Profiles go through a real
// Bridge: OTLP/HTTP in, pyroscope exporter out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePprofIndependent, labelRecord } from '../../helpers/pprof-decoded.js';
import { decodePushRequest, labelMap } from '../helpers/backend-proto.js';
import { HttpBackend, waitUntil } from '../helpers/backends.js';
import { captureLogs } from '../helpers/logs.js';
import { ENDPOINT, ROOT_SPAN_ID_DEC, SPAN_ID_DEC, SPAN_ID_HEX, SPAN_NAME, T0_SECONDS, TRACE_ID_HEX, joinedRequest } from '../helpers/joined.js';
import { RECEIVER_YAML, metricValue, postProfiles, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { ingestName } from '../../../src/exporters/pyroscope/ingest.js';

function pipeline(exporterYaml: string): string {
  return `${RECEIVER_YAML}
exporters:
${exporterYaml}
service:
  pipelines:
    profiles: { receivers: [otlp], exporters: [pyroscope] }
`;
}

/** The span-linked sample of a decoded pprof, by its labels. */
function linkedSampleLabels(pprof: Uint8Array): Record<string, string> {
  const decoded = decodePprofIndependent(pprof);
  const s = decoded.samples.find((x) => labelRecord(x).span_id !== undefined);
  assert.ok(s, 'a sample carries span labels');
  return labelRecord(s);
}

function assertSpanLabels(labels: Record<string, string>): void {
  assert.equal(labels.span_id, SPAN_ID_HEX);
  assert.equal(labels.trace_id, TRACE_ID_HEX);
  assert.equal(labels.span_name, SPAN_NAME);
  assert.equal(labels['span id'], SPAN_ID_DEC);
  assert.equal(labels['local root span id'], ROOT_SPAN_ID_DEC);
  assert.equal(labels['trace endpoint'], ENDPOINT);
}

describe('pyroscope exporter, ingest route', () => {
  let backend: HttpBackend;
  let run: RunningBridge;
  before(async () => {
    backend = await HttpBackend.start();
    run = await startBridge(
      pipeline(`  pyroscope:
    endpoint: ${backend.url}
    auth: { basic: { username: "123456", password: "s3cret" } }
    tenant: team-a
    labels: { cluster: eu-1 }
    retry: { initial_interval: 50ms, max_interval: 200ms }`),
    );
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('uploads each profile as gzip pprof with the documented query, labels and headers', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 3 })), 200);
    await waitUntil(() => backend.accepted.length === 2, 10_000, 'two ingest uploads');
    for (const call of backend.accepted) {
      assert.equal(call.method, 'POST');
      assert.equal(call.url.pathname, '/ingest');
      const q = call.url.searchParams;
      assert.equal(
        q.get('name'),
        'checkout{cluster=eu-1,env=prod,hostname=web-1,process_runtime_name=nodejs,service_version=1.4.2,telemetry_sdk_language=nodejs}',
      );
      assert.equal(q.get('from'), String(T0_SECONDS + 3));
      assert.equal(q.get('until'), String(T0_SECONDS + 13));
      assert.equal(q.get('format'), 'pprof');
      assert.equal(q.get('spyName'), 'nodespy');
      assert.equal(call.headers.authorization, `Basic ${Buffer.from('123456:s3cret').toString('base64')}`);
      assert.equal(call.headers['x-scope-orgid'], 'team-a');
      assert.equal(call.body[0], 0x1f, 'gzip body');
      assertSpanLabels(linkedSampleLabels(call.body));
    }
    const rates = backend.accepted.map((c) => c.url.searchParams.get('sampleRate')).sort();
    assert.deepEqual(rates, ['100', null].sort(), 'sampleRate (1e9 / 10ms period) only on the cpu profile');
    const types = backend.accepted.map((c) => decodePprofIndependent(c.body).sampleTypes[0]!.type).sort();
    assert.deepEqual(types, ['samples', 'wall']);
    // The backend records a request before the exporter has read the answer.
    await waitUntil(
      async () => (await metricValue(run.metrics, 'otel_profile_bridge_exporter_sent_total', { exporter: 'pyroscope' })) === 2,
      5000,
      'sent_total = 2',
    );
  });
});

describe('pyroscope exporter, push route', () => {
  let backend: HttpBackend;
  let run: RunningBridge;
  before(async () => {
    backend = await HttpBackend.start();
    backend.answer = (call) => {
      decodePushRequest(call.body); // a real server parses before answering
      return { status: 200, headers: { 'content-type': 'application/proto' }, body: Buffer.alloc(0) };
    };
    run = await startBridge(
      pipeline(`  pyroscope:
    endpoint: ${backend.url}/
    protocol: push
    auth: { bearer_token: tok-1 }`),
    );
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('pushes a PushRequest per profile with __name__, service_name and the series labels', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 1 })), 200);
    await waitUntil(() => backend.accepted.length === 2, 10_000, 'two pushes');
    const names: string[] = [];
    for (const call of backend.accepted) {
      assert.equal(call.url.pathname, '/push.v1.PusherService/Push');
      assert.equal(call.headers['content-type'], 'application/proto');
      assert.equal(call.headers.authorization, 'Bearer tok-1');
      const push = decodePushRequest(call.body);
      assert.equal(push.series.length, 1);
      const [series] = push.series;
      const labels = labelMap(series!.labels);
      names.push(labels.__name__!);
      assert.equal(labels.service_name, 'checkout');
      assert.equal(labels.env, 'prod');
      assert.equal(labels.service_version, '1.4.2');
      assert.equal(series!.samples.length, 1);
      assert.match(series!.samples[0]!.ID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const pprof = series!.samples[0]!.raw_profile;
      assertSpanLabels(linkedSampleLabels(pprof));
      assert.equal(decodePprofIndependent(pprof).timeNanos, BigInt(T0_SECONDS + 1) * 1_000_000_000n);
    }
    assert.deepEqual(names.sort(), ['process_cpu', 'wall']);
  });
});

describe('pyroscope exporter, permanent failure', () => {
  let backend: HttpBackend;
  let run: RunningBridge;
  const logs = captureLogs('info');
  before(async () => {
    backend = await HttpBackend.start();
    backend.answer = () => ({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid profile: sample type "bogus" unknown' });
    run = await startBridge(
      pipeline(`  pyroscope:
    endpoint: ${backend.url}
    retry: { initial_interval: 50ms, max_interval: 100ms }`),
      { logger: logs.logger },
    );
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('does not retry a 400, logs the backend message and counts it', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest()), 200);
    await waitUntil(() => logs.lines.filter((l) => l.reason === 'http_400').length === 2, 10_000, 'two permanent failures logged');
    // Several retry intervals later, still one attempt per profile.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(backend.calls.length, 2);
    const line = logs.find((l) => l.reason === 'http_400')!;
    assert.equal(line.level, 50, 'logged as an error');
    assert.match(String(line.backend_message), /invalid profile: sample type "bogus" unknown/);
    assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_failed_total', { exporter: 'pyroscope', reason: 'http_400' }), 2);
    assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_retried_total', { exporter: 'pyroscope' }), 0);
    assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_queue_bytes', { exporter: 'pyroscope' }), 0);
  });
});

describe('pyroscope ingest name', () => {
  it('escapes the characters the name parser splits on', () => {
    assert.equal(
      ingestName([
        ['__name__', 'process_cpu'],
        ['env', ' a,b{c}=d '],
        ['service_name', 'shop{x}'],
      ]),
      'shop_x_{env=a_b_c__d}',
    );
    assert.equal(ingestName([['__name__', 'wall']]), 'unknown_service');
  });
});
