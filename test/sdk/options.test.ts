// Option layering of the SDK plugin (code > OTEL_* environment > defaults), the resource it
// sends, and the trace endpoint rule. Pure functions, no profiler involved.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyValueList, resolveOptions } from '../../src/sdk/options.js';
import { buildResource, envResourceAttributes } from '../../src/sdk/resource.js';
import { traceEndpoint } from '../../src/sdk/spans.js';
import { stringAttribute } from '../../src/otlp/build.js';

describe('resolveOptions', () => {
  it('defaults to OTLP/HTTP protobuf on localhost:4318 with gzip, 10 s exports, 100 Hz', () => {
    const o = resolveOptions({}, {});
    assert.equal(o.url, 'http://localhost:4318/v1development/profiles');
    assert.equal(o.protocol, 'http/protobuf');
    assert.equal(o.compression, 'gzip');
    assert.equal(o.exportIntervalMillis, 10_000);
    assert.equal(o.samplingIntervalMicros, 10_000);
    assert.equal(o.timeoutMillis, 10_000);
    assert.equal(o.enabled, true);
    assert.equal(o.heap, true);
    assert.equal(o.cpu, true);
    assert.deepEqual(o.warnings, []);
  });

  it('appends the profiles path to OTEL_EXPORTER_OTLP_ENDPOINT, and uses the signal endpoint as is', () => {
    assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://bridge:4318/' }).url, 'http://bridge:4318/v1development/profiles');
    assert.equal(
      resolveOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://bridge:4318', OTEL_EXPORTER_OTLP_PROFILES_ENDPOINT: 'https://x:1/custom' }).url,
      'https://x:1/custom',
    );
    assert.equal(resolveOptions({ url: 'http://code:1/p' }, { OTEL_EXPORTER_OTLP_PROFILES_ENDPOINT: 'http://env:2/p' }).url, 'http://code:1/p');
  });

  it('gRPC: the base endpoint without a path, default port 4317', () => {
    assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).url, 'http://localhost:4317');
    const o = resolveOptions(
      {},
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_PROFILES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' },
    );
    assert.equal(o.protocol, 'grpc');
    assert.equal(o.url, 'http://c:4317');
  });

  it('merges headers: generic, then signal-specific per key, then code', () => {
    const o = resolveOptions(
      { headers: { c: 'code' } },
      { OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2,c=3', OTEL_EXPORTER_OTLP_PROFILES_HEADERS: 'b=two,authorization=Bearer%20t' },
    );
    assert.deepEqual(o.headers, { a: '1', b: 'two', c: 'code', authorization: 'Bearer t' });
  });

  it('reports bad environment values and keeps the defaults', () => {
    const o = resolveOptions(
      {},
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
        OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '-5',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://nope',
        OTEL_EXPORTER_OTLP_HEADERS: 'novalue',
      },
    );
    assert.equal(o.protocol, 'http/protobuf');
    assert.equal(o.compression, 'gzip');
    assert.equal(o.exportIntervalMillis, 10_000);
    assert.equal(o.url, 'http://localhost:4318/v1development/profiles');
    assert.equal(o.warnings.length, 5, o.warnings.join('\n'));
  });

  it('reads the interval, sampling rate, heap switch and OTEL_SDK_DISABLED', () => {
    const o = resolveOptions(
      {},
      {
        OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '2500',
        OTEL_PROFILE_BRIDGE_SAMPLING_INTERVAL: '5000',
        OTEL_PROFILE_BRIDGE_HEAP: 'false',
        OTEL_SDK_DISABLED: 'true',
        OTEL_EXPORTER_OTLP_PROFILES_TIMEOUT: '700',
      },
    );
    assert.equal(o.exportIntervalMillis, 2500);
    assert.equal(o.samplingIntervalMicros, 5000);
    assert.equal(o.heap, false);
    assert.equal(o.enabled, false);
    assert.equal(o.timeoutMillis, 700);
    assert.equal(resolveOptions({ enabled: true }, { OTEL_SDK_DISABLED: 'true' }).enabled, true);
  });

  it('parseKeyValueList percent-decodes and skips malformed entries', () => {
    const warnings: string[] = [];
    assert.deepEqual(parseKeyValueList('k%201=v%2C1, k2 = v2 ,,bad,=x,k3=%E0%A4%A', warnings, 'H'), { 'k 1': 'v,1', k2: 'v2' });
    assert.equal(warnings.length, 3);
  });
});

describe('resource', () => {
  it('comes from OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME without an SDK resource', () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'service.name=a,service.version=1.2,deployment.environment.name=prod', OTEL_SERVICE_NAME: 'checkout' };
    assert.deepEqual(envResourceAttributes(env), { 'service.name': 'checkout', 'service.version': '1.2', 'deployment.environment.name': 'prod' });
    const r = buildResource(undefined, env);
    assert.equal(stringAttribute(r.attributes, 'service.name'), 'checkout');
    assert.equal(stringAttribute(r.attributes, 'service.version'), '1.2');
    assert.equal(stringAttribute(r.attributes, 'process.runtime.name'), 'nodejs');
    assert.equal(stringAttribute(r.attributes, 'telemetry.sdk.language'), 'nodejs');
    assert.ok(stringAttribute(r.attributes, 'host.name'));
  });

  it('prefers the given resource and only fills in missing keys', () => {
    const r = buildResource(
      { attributes: { 'service.name': 'sdk-svc', 'host.name': 'h1', tags: ['a', 'b'], skipped: undefined } },
      { OTEL_SERVICE_NAME: 'env-svc' },
    );
    assert.equal(stringAttribute(r.attributes, 'service.name'), 'sdk-svc');
    assert.equal(stringAttribute(r.attributes, 'host.name'), 'h1');
    assert.deepEqual(r.attributes.find((a) => a.key === 'tags')?.value, { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } });
    assert.equal(
      r.attributes.find((a) => a.key === 'skipped'),
      undefined,
    );
    assert.equal(new Set(r.attributes.map((a) => a.key)).size, r.attributes.length, 'keys are unique');
  });

  it('falls back to unknown_service:node', () => {
    assert.equal(stringAttribute(buildResource(undefined, {}).attributes, 'service.name'), 'unknown_service:node');
  });
});

describe('traceEndpoint', () => {
  it('is METHOD route, the route alone, or the span name', () => {
    assert.equal(traceEndpoint('GET', { 'http.request.method': 'GET', 'http.route': '/users/:id' }), 'GET /users/:id');
    assert.equal(traceEndpoint('x', { 'http.method': 'POST', 'http.route': '/orders' }), 'POST /orders');
    assert.equal(traceEndpoint('x', { 'http.route': '/orders' }), '/orders');
    assert.equal(traceEndpoint('process job', { 'http.request.method': 'GET' }), 'process job');
    assert.equal(traceEndpoint('n', { 'http.route': '' }), 'n');
  });
});
