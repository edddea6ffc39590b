// The parca exporter against a grpc-js test double of ProfileStoreService/WriteRaw, the
// requests decoded by protobufjs from proto/parca/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePprofIndependent, labelRecord } from '../../helpers/pprof-decoded.js';
import { decodeWriteRawRequest, labelMap } from '../helpers/backend-proto.js';
import { GrpcBackend, waitUntil } from '../helpers/backends.js';
import { captureLogs } from '../helpers/logs.js';
import { ENDPOINT, SPAN_ID_HEX, SPAN_NAME, joinedRequest } from '../helpers/joined.js';
import { RECEIVER_YAML, metricValue, postProfiles, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { WRITE_RAW_METHOD } from '../../../src/exporters/parca/write-raw.js';

describe('parca exporter', () => {
  let backend: GrpcBackend;
  let run: RunningBridge;
  const logs = captureLogs('info');
  before(async () => {
    backend = await GrpcBackend.start([WRITE_RAW_METHOD]);
    backend.answer = (call) => {
      decodeWriteRawRequest(call.body);
      return call.metadata.get('authorization')[0] === 'Bearer p-tok' ? {} : { code: 16, details: 'missing token' };
    };
    run = await startBridge(
      `${RECEIVER_YAML}
exporters:
  parca:
    endpoint: ${backend.address}
    insecure: true
    bearer_token: p-tok
    labels: { cluster: eu-1 }
    retry: { initial_interval: 50ms, max_interval: 200ms }
service:
  pipelines:
    profiles: { receivers: [otlp], exporters: [parca] }
`,
      { logger: logs.logger },
    );
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('writes one series per profile with __name__, service_name and the span-labelled pprof', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest()), 200);
    await waitUntil(() => backend.accepted.length === 2, 10_000, 'two WriteRaw calls');
    const names: string[] = [];
    for (const call of backend.accepted) {
      const req = decodeWriteRawRequest(call.body);
      assert.equal(req.normalized, false);
      assert.equal(req.series.length, 1);
      const labels = labelMap(req.series[0]!.labels!.labels);
      names.push(labels.__name__!);
      assert.equal(labels.service_name, 'checkout');
      assert.equal(labels.cluster, 'eu-1');
      assert.equal(labels.env, 'prod');
      for (const k of Object.keys(labels)) assert.match(k, /^[a-zA-Z_][a-zA-Z0-9_]*$/, `label name ${k} is Prometheus-valid`);
      const pprof = decodePprofIndependent(req.series[0]!.samples[0]!.raw_profile);
      const linked = pprof.samples.map(labelRecord).find((l) => l.span_id === SPAN_ID_HEX);
      assert.ok(linked);
      assert.equal(linked.span_name, SPAN_NAME);
      assert.equal(linked['trace endpoint'], ENDPOINT);
    }
    assert.deepEqual(names.sort(), ['process_cpu', 'wall']);
  });

  it('UNAUTHENTICATED is permanent', async () => {
    backend.answer = () => ({ code: 16, details: 'token expired' });
    const before = backend.calls.length;
    assert.equal(await postProfiles(run.http, joinedRequest({ types: ['cpu'] })), 200);
    await waitUntil(() => logs.lines.some((l) => l.reason === 'grpc_unauthenticated'), 10_000, 'logged');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(backend.calls.length, before + 1);
    assert.match(String(logs.find((l) => l.reason === 'grpc_unauthenticated')!.backend_message), /token expired/);
    assert.equal(
      await metricValue(run.metrics, 'otel_profile_bridge_exporter_failed_total', { exporter: 'parca', reason: 'grpc_unauthenticated' }),
      1,
    );
  });
});
