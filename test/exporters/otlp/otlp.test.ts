// The otlp exporter forwarding joined profiles and traces to test doubles of an OTLP
// receiver: a grpc-js server and an HTTP server, whose payloads are decoded by protobufjs
// from our proto/ files (or JSON.parse for http/json).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { OTLP_TYPES, independentDecode, independentEncode } from '../../helpers/independent-proto.js';
import { GrpcBackend, HttpBackend, waitUntil } from '../helpers/backends.js';
import { captureLogs } from '../helpers/logs.js';
import { ENDPOINT, ROOT_SPAN_ID_HEX, SPAN_ID_HEX, SPAN_NAME, joinedRequest, tracesRequest } from '../helpers/joined.js';
import { RECEIVER_YAML, metricValue, postProfiles, postTraces, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { OTLP_GRPC_METHODS } from '../../../src/otlp-client/index.js';
import { retryInfoDelayMs } from '../../../src/otlp/retry-info.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../../src/otlp/model.js';

function pipelines(exporter: string): string {
  return `
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [${exporter}] }
    profiles: { receivers: [otlp], exporters: [${exporter}] }
`;
}

/** The join's enrichment survived: attribute keys and values in the dictionary, the link's span id. */
function assertJoined(req: ExportProfilesServiceRequest): void {
  const d = req.dictionary!;
  const attrs = new Map(d.attributeTable.map((a) => [d.stringTable[a.keyStrindex], a.value?.stringValue]));
  assert.equal(attrs.get('span.name'), SPAN_NAME);
  assert.equal(attrs.get('trace.endpoint'), ENDPOINT);
  assert.equal(attrs.get('local_root_span.id'), ROOT_SPAN_ID_HEX);
  assert.ok(
    req.dictionary!.linkTable.some((l) => Buffer.from(l.spanId).toString('hex') === SPAN_ID_HEX),
    'link to the span',
  );
  assert.equal(req.resourceProfiles[0]!.scopeProfiles[0]!.profiles.length, 2);
  const service = req.resourceProfiles[0]!.resource!.attributes.find((a) => a.key === 'service.name');
  assert.equal(service?.value?.stringValue, 'checkout');
}

describe('otlp exporter over gRPC', () => {
  let backend: GrpcBackend;
  let run: RunningBridge;
  const logs = captureLogs('info');
  before(async () => {
    backend = await GrpcBackend.start([OTLP_GRPC_METHODS.profiles, OTLP_GRPC_METHODS.traces]);
    run = await startBridge(
      `${RECEIVER_YAML}
exporters:
  otlp:
    endpoint: ${backend.address}
    tls: { insecure: true }
    headers: { x-api-key: abc }
    retry: { initial_interval: 50ms, max_interval: 200ms }
${pipelines('otlp')}`,
      { logger: logs.logger },
    );
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('forwards enriched profiles and traces, with the configured metadata', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest()), 200);
    assert.equal(await postTraces(run.http, tracesRequest()), 200);
    await waitUntil(() => backend.accepted.length === 2, 10_000, 'profiles + traces');
    const profiles = backend.accepted.find((c) => c.method === OTLP_GRPC_METHODS.profiles)!;
    const traces = backend.accepted.find((c) => c.method === OTLP_GRPC_METHODS.traces)!;
    assert.equal(profiles.metadata.get('x-api-key')[0], 'abc');
    assertJoined(independentDecode(OTLP_TYPES.profilesRequest, profiles.body) as ExportProfilesServiceRequest);
    const t = independentDecode(OTLP_TYPES.tracesRequest, traces.body) as ExportTraceServiceRequest;
    assert.equal(t.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name, SPAN_NAME);
  });

  it('counts and logs a partial success without retrying it', async () => {
    backend.answer = (call) =>
      call.method === OTLP_GRPC_METHODS.profiles
        ? {
            response: Buffer.from(
              independentEncode(OTLP_TYPES.profilesResponse, {
                partialSuccess: { rejectedProfiles: 1, errorMessage: 'profile 1: unknown sample type' },
              }),
            ),
          }
        : {};
    const before = backend.calls.length;
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 1 })), 200);
    await waitUntil(
      async () => (await metricValue(run.metrics, 'otel_profile_bridge_exporter_rejected_items_total', { exporter: 'otlp' })) === 1,
      10_000,
      'rejected item counted',
    );
    assert.equal(backend.calls.length, before + 1);
    const line = logs.find((l) => l.rejected === 1)!;
    assert.match(String(line.backend_message), /unknown sample type/);
    assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_sent_total', { exporter: 'otlp' }), 3);
  });

  it('does not retry INVALID_ARGUMENT and logs the details', async () => {
    backend.answer = () => ({ code: 3, details: 'string_table[0] must be empty' });
    const before = backend.calls.length;
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 2 })), 200);
    await waitUntil(() => logs.lines.some((l) => l.reason === 'grpc_invalid_argument'), 10_000, 'permanent failure logged');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(backend.calls.length, before + 1);
    assert.match(String(logs.find((l) => l.reason === 'grpc_invalid_argument')!.backend_message), /string_table\[0\] must be empty/);
    assert.equal(
      await metricValue(run.metrics, 'otel_profile_bridge_exporter_failed_total', { exporter: 'otlp', reason: 'grpc_invalid_argument' }),
      1,
    );
  });

  it('retries UNAVAILABLE and delivers once', async () => {
    let refusals = 2;
    backend.answer = () => (refusals-- > 0 ? { code: 14, details: 'try later', metadata: { 'retry-after': '0' } } : {});
    const before = backend.accepted.length;
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 3 })), 200);
    await waitUntil(() => backend.accepted.length === before + 1, 10_000, 'delivered after retries');
    assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_retried_total', { exporter: 'otlp' }), 2);
  });
});

describe('otlp exporter over HTTP', () => {
  let backend: HttpBackend;
  let run: RunningBridge;
  const logs = captureLogs('info');
  before(async () => {
    backend = await HttpBackend.start();
    backend.answer = (call) => {
      const body = call.headers['content-encoding'] === 'gzip' ? gunzipSync(call.body) : call.body;
      if (call.url.pathname.startsWith('/bad')) {
        const status = independentEncode(OTLP_TYPES.rpcStatus, { code: 3, message: 'profiles[0]: sample_type missing', details: [] });
        return { status: 400, headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(status) };
      }
      if (call.headers['content-type'] === 'application/json') JSON.parse(body.toString('utf8'));
      else independentDecode(call.url.pathname === '/v1/traces' ? OTLP_TYPES.tracesRequest : OTLP_TYPES.profilesRequest, body);
      return {
        status: 200,
        headers: { 'content-type': String(call.headers['content-type']) },
        body: call.headers['content-type'] === 'application/json' ? '{}' : Buffer.alloc(0),
      };
    };
    run = await startBridge(
      `${RECEIVER_YAML}
exporters:
  otlp/proto:
    endpoint: ${backend.url}
    protocol: http/protobuf
  otlp/json:
    endpoint: ${backend.url}/json/
    protocol: http/json
    compression: none
  otlp/bad:
    endpoint: ${backend.url}/bad
    protocol: http/protobuf
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp/proto, otlp/json] }
    profiles: { receivers: [otlp], exporters: [otlp/proto, otlp/json, otlp/bad] }
`,
      { logger: logs.logger },
    );
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('http/protobuf and http/json post to the OTLP paths; a 400 Status is permanent and logged with its message', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest()), 200);
    assert.equal(await postTraces(run.http, tracesRequest()), 200);
    await waitUntil(() => backend.accepted.length === 4, 10_000, 'four accepted posts');
    const by = (path: string) => backend.accepted.find((c) => c.url.pathname === path)!;

    const proto = by('/v1development/profiles');
    assert.equal(proto.headers['content-type'], 'application/x-protobuf');
    assert.equal(proto.headers['content-encoding'], 'gzip');
    assertJoined(independentDecode(OTLP_TYPES.profilesRequest, gunzipSync(proto.body)) as ExportProfilesServiceRequest);
    assert.ok(by('/v1/traces'));

    const json = by('/json/v1development/profiles');
    assert.equal(json.headers['content-type'], 'application/json');
    assert.equal(json.headers['content-encoding'], undefined);
    const doc = JSON.parse(json.body.toString('utf8')) as { dictionary: { stringTable: string[]; linkTable: { spanId: string }[] } };
    assert.ok(doc.dictionary.stringTable.includes('trace.endpoint'));
    assert.ok(
      doc.dictionary.linkTable.some((l) => l.spanId === SPAN_ID_HEX),
      'span ids as hex in OTLP/JSON',
    );
    assert.ok(by('/json/v1/traces'));

    await waitUntil(() => logs.lines.some((l) => l.reason === 'http_400'), 10_000, 'the bad route logged');
    assert.match(String(logs.find((l) => l.reason === 'http_400')!.backend_message), /profiles\[0\]: sample_type missing/);
    assert.equal(backend.calls.filter((c) => c.url.pathname.startsWith('/bad')).length, 1);
    assert.equal(await metricValue(run.metrics, 'otel_profile_bridge_exporter_failed_total', { exporter: 'otlp/bad', reason: 'http_400' }), 1);
  });
});

describe('gRPC retry info', () => {
  it('reads google.rpc.RetryInfo from grpc-status-details-bin', () => {
    const duration = protobuf.Writer.create().uint32(8).int64(1).uint32(16).int32(250_000_000).finish();
    const retryInfo = protobuf.Writer.create().uint32(10).bytes(duration).finish();
    const any = protobuf.Writer.create().uint32(10).string('type.googleapis.com/google.rpc.RetryInfo').uint32(18).bytes(retryInfo).finish();
    const status = independentEncode(OTLP_TYPES.rpcStatus, { code: 8, message: 'slow down', details: [] });
    const withDetail = Buffer.concat([status, Buffer.from([0x1a, any.length]), any]);
    assert.equal(retryInfoDelayMs(withDetail), 1250);
    assert.equal(retryInfoDelayMs(status), undefined);
    assert.equal(retryInfoDelayMs(Buffer.from([0xff, 0xff])), undefined);
  });
});
