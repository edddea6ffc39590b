// The pure mappings the exporters share: label names for Prometheus-style stores, runtime
// families, what an HTTP status or gRPC code means for retrying, and the ingest query.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import fc from 'fast-check';
import { grpcAddress, intakeRetryableStatus as isRetryableStatus, resultOfGrpcError, resultOfResponse } from '../../../src/otlp-client/index.js';
import { runtimeFamily } from '../../../src/exporters/shared/runtime.js';
import { labelNameFor, profileFamily, promLabelName, storeLabels } from '../../../src/exporters/shared/series-labels.js';
import { ingestPath } from '../../../src/exporters/pyroscope/ingest.js';
import { encodePushRequest, profileUuid } from '../../../src/exporters/pyroscope/push.js';
import { encodeWriteRawRequest } from '../../../src/exporters/parca/write-raw.js';
import { pprofOf } from '../../../src/pprof/cache.js';
import { decodePushRequest, decodeWriteRawRequest, labelMap } from '../helpers/backend-proto.js';
import { T0_SECONDS, joinedRequest } from '../helpers/joined.js';

describe('series labels', () => {
  it('every label name is valid and never reserved', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        const name = promLabelName(key);
        assert.match(name, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
        assert.ok(!name.startsWith('__'));
      }),
      { numRuns: 300 },
    );
  });

  it('renames the OTel keys stores know, sanitizes the rest', () => {
    assert.equal(labelNameFor('service.name'), 'service_name');
    assert.equal(labelNameFor('deployment.environment.name'), 'env');
    assert.equal(labelNameFor('host.name'), 'hostname');
    assert.equal(labelNameFor('k8s.pod.name'), 'k8s_pod_name');
    assert.equal(labelNameFor('9lives'), '_9lives');
    assert.equal(profileFamily('cpu'), 'process_cpu');
    assert.equal(profileFamily('inuse_space'), 'memory');
    assert.equal(profileFamily('wall'), 'wall');
  });

  it('first source wins, static labels win over all, output sorted', () => {
    const labels = storeLabels(
      'alloc_objects',
      { 'service.name': 'a', 'deployment.environment.name': 'prod', 'deployment.environment': 'old', 'empty.value': '' },
      { cluster: 'x', env: 'override' },
    );
    assert.deepEqual(labels, [
      ['__name__', 'memory'],
      ['cluster', 'x'],
      ['env', 'override'],
      ['service_name', 'a'],
    ]);
  });
});

describe('runtime family', () => {
  it('reads process.runtime.name, then telemetry.sdk.language, else native', () => {
    assert.equal(runtimeFamily({ 'process.runtime.name': 'nodejs' }), 'node');
    assert.equal(runtimeFamily({ 'process.runtime.name': 'OpenJDK Runtime Environment' }), 'java');
    assert.equal(runtimeFamily({ 'process.runtime.name': 'CPython' }), 'python');
    assert.equal(runtimeFamily({ 'process.runtime.name': '.NET' }), 'dotnet');
    assert.equal(runtimeFamily({ 'process.runtime.name': 'go' }), 'go');
    assert.equal(runtimeFamily({ 'telemetry.sdk.language': 'ruby' }), 'ruby');
    assert.equal(runtimeFamily({ 'process.runtime.name': 'mystery', 'telemetry.sdk.language': 'php' }), 'php');
    assert.equal(runtimeFamily({}), 'native');
  });
});

describe('retry classification', () => {
  const res = (status: number, headers: Record<string, string> = {}, body = '') => ({
    status,
    headers: new Headers(headers),
    body: Buffer.from(body),
  });

  it('HTTP (non-OTLP intakes): 408, 429 and 5xx but 501/505 are retryable; other 4xx are permanent', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s), String(s));
    for (const s of [400, 401, 403, 404, 413, 415, 501, 505]) assert.ok(!isRetryableStatus(s), String(s));
    assert.deepEqual(resultOfResponse(res(503, { 'retry-after': '2' }, 'busy')), {
      kind: 'retryable',
      reason: 'http_503',
      message: 'HTTP 503: busy',
      retryAfterMs: 2000,
    });
    assert.deepEqual(resultOfResponse(res(413, {}, 'too\nbig')), { kind: 'permanent', reason: 'http_413', message: 'HTTP 413: too big' });
    assert.deepEqual(resultOfResponse(res(204)), { kind: 'success' });
  });

  it('gRPC: UNAVAILABLE retryable, INVALID_ARGUMENT permanent, RESOURCE_EXHAUSTED only with a retry hint', () => {
    const md = (entries: Record<string, string> = {}) => {
      const m = new Metadata();
      for (const [k, v] of Object.entries(entries)) m.set(k, v);
      return m;
    };
    assert.equal(resultOfGrpcError({ code: 14, details: 'down', metadata: md() }).kind, 'retryable');
    assert.equal(resultOfGrpcError({ code: 3, details: 'bad', metadata: md() }).kind, 'permanent');
    assert.equal(resultOfGrpcError({ code: 8, details: 'too big', metadata: md() }).kind, 'permanent');
    assert.deepEqual(resultOfGrpcError({ code: 8, details: 'slow down', metadata: md({ 'retry-after': '3' }) }), {
      kind: 'retryable',
      reason: 'grpc_resource_exhausted',
      message: 'gRPC RESOURCE_EXHAUSTED: slow down',
      retryAfterMs: 3000,
    });
  });

  it('gRPC endpoints: host:port or a URL whose scheme decides TLS', () => {
    assert.deepEqual(grpcAddress('parca:7070', false), { address: 'parca:7070', insecure: false });
    assert.deepEqual(grpcAddress('http://parca:7070', false), { address: 'parca:7070', insecure: true });
    assert.deepEqual(grpcAddress('https://parca:443/', true), { address: 'parca:443', insecure: true });
  });
});

describe('pyroscope and parca messages', () => {
  it('ingest query: window in seconds, sample rate from the CPU period', () => {
    const [cpu, wall] = pprofOf(joinedRequest({ seq: 4 })).profiles;
    const q = new URL(ingestPath(cpu!, {}, 0n), 'http://x').searchParams;
    assert.equal(q.get('from'), String(T0_SECONDS + 4));
    assert.equal(q.get('until'), String(T0_SECONDS + 14));
    assert.equal(q.get('sampleRate'), '100');
    assert.equal(new URL(ingestPath(wall!, {}, 0n), 'http://x').searchParams.get('sampleRate'), null);
  });

  it('PushRequest and WriteRawRequest read back by protobufjs, empty strings and several series included', () => {
    const push = decodePushRequest(
      encodePushRequest([
        {
          labels: [
            ['__name__', 'wall'],
            ['empty', ''],
          ],
          samples: [{ rawProfile: Buffer.from([1, 2]), id: '' }],
        },
        {
          labels: [['service_name', 'ü'.repeat(200)]],
          samples: [
            { rawProfile: Buffer.alloc(300, 7), id: 'x' },
            { rawProfile: Buffer.alloc(0), id: 'y' },
          ],
        },
      ]),
    );
    assert.equal(push.series.length, 2);
    assert.deepEqual(labelMap(push.series[0]!.labels), { __name__: 'wall', empty: '' });
    assert.equal(labelMap(push.series[1]!.labels).service_name, 'ü'.repeat(200));
    assert.equal(push.series[1]!.samples.length, 2);
    assert.equal(push.series[1]!.samples[0]!.raw_profile.length, 300);
    assert.equal(push.series[1]!.samples[1]!.ID, 'y');

    const wr = decodeWriteRawRequest(encodeWriteRawRequest([{ labels: [['__name__', 'process_cpu']], samples: [Buffer.alloc(200, 1)] }], true));
    assert.equal(wr.normalized, true);
    assert.equal(wr.tenant, '');
    assert.deepEqual(labelMap(wr.series[0]!.labels!.labels), { __name__: 'process_cpu' });
    assert.equal(wr.series[0]!.samples[0]!.raw_profile.length, 200);
  });

  it('profile ids become UUIDs', () => {
    assert.equal(profileUuid('0102030405060708090A0B0C0D0E0F10'), '01020304-0506-0708-090a-0b0c0d0e0f10');
    assert.equal(profileUuid('abc'), 'abc');
  });
});
