// A running bridge (real OTLP receivers on 127.0.0.1:0) with a `file` exporter: profiles
// sent over OTLP/HTTP (protobuf and JSON) and OTLP/gRPC come out as pprof files that
// `go tool pprof` reads; with the join processor, samples carry their span's labels.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeSpan } from '../../../src/otlp/build.js';
import { decodeProfilesResponse } from '../../../src/otlp/decode.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../../../src/otlp/encode.js';
import { profilesRequestToJson } from '../../../src/otlp/json.js';
import { SpanFlags, SpanKind } from '../../../src/otlp/model.js';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { goPprof, parseRaw, rawStack } from '../../helpers/go-pprof.js';
import { grpcUnary, PROFILES_METHOD } from '../../helpers/grpc-client.js';
import { CPU_PROFILE_ID_HEX, SPAN_ID_DEC, SPAN_ID_HEX, TRACE_ID_HEX, richRequest, simpleRequest } from '../../helpers/profile-fixtures.js';
import { tree } from '../../helpers/files.js';

async function postProfiles(base: string, body: Uint8Array | string, contentType: string): Promise<Response> {
  return fetch(`${base}/v1development/profiles`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('bridge -> file exporter, end to end', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'opb-file-e2e-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('otlp receiver -> file', () => {
    let b: RunningBridge;
    let dir: string;
    before(async () => {
      dir = join(root, 'plain');
      b = await startBridge(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
exporters:
  file: { directory: ${JSON.stringify(dir)} }
service:
  telemetry: { logs: { level: silent } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [file] }
`);
    });
    after(() => b.stop());

    it('HTTP protobuf, HTTP JSON and gRPC requests become pprof files go tool pprof reads', async () => {
      const res = await postProfiles(b.http, encodeProfilesRequest(richRequest().request), 'application/x-protobuf');
      assert.equal(res.status, 200);
      assert.equal(decodeProfilesResponse(new Uint8Array(await res.arrayBuffer())).partialSuccess, undefined);
      const json = await postProfiles(b.http, JSON.stringify(profilesRequestToJson(simpleRequest('via-json', 5))), 'application/json');
      assert.equal(json.status, 200, await json.text());
      const grpc = await grpcUnary(b.grpc, PROFILES_METHOD, encodeProfilesRequest(simpleRequest('via-grpc', 11)));
      assert.ok(grpc.ok, grpc.ok ? '' : grpc.details);

      // The exporter writes before the receiver answers: the files are there now.
      const pprofs = tree(dir).filter((f) => f.endsWith('.pb.gz'));
      assert.deepEqual(
        pprofs.map((f) => f.split('/').slice(0, 2).join('/')),
        ['checkout/alloc_space', 'checkout/cpu', 'checkout/wall', 'via-grpc/cpu', 'via-json/cpu'],
      );
      assert.equal(tree(dir).filter((f) => f.endsWith('.json')).length, 5);
      const totals = pprofs.map((f) => parseRaw(goPprof(['-raw', join(dir, f)])).samples.reduce((s, x) => s + x.values[0]!, 0));
      // (go -raw leaves out the cpu profile's empty-stack sample: 13 of 17.)
      assert.deepEqual(totals, [4260, 13, 4, 11, 5]);

      const cpu = pprofs.find((f) => f.includes(CPU_PROFILE_ID_HEX))!;
      const raw = parseRaw(goPprof(['-raw', join(dir, cpu)]));
      const linked = raw.samples.find((s) => s.values[0] === 7)!;
      assert.deepEqual(rawStack(raw, linked), ['parse parse.go:105', 'handle server.go:42', 'main main.go:12']);
      assert.deepEqual(linked.labels['span_id'], [SPAN_ID_HEX]);
      assert.deepEqual(linked.labels['span id'], [SPAN_ID_DEC]);
      assert.deepEqual(linked.labels['trace_id'], [TRACE_ID_HEX]);
      const viaGrpc = pprofs.find((f) => f.startsWith('via-grpc/'))!;
      const g = parseRaw(goPprof(['-raw', join(dir, viaGrpc)]));
      assert.deepEqual(rawStack(g, g.samples[0]!), ['hot hot.js:2', 'caller caller.js:6']);
      assert.deepEqual(g.samples[0]!.labels['span id'], [SPAN_ID_DEC]);
    });

    it('a profile with a bad reference is a partial success; the others are written', async () => {
      const fx = richRequest();
      for (const rp of fx.request.resourceProfiles)
        for (const a of rp.resource!.attributes) if (a.key === 'service.name') a.value = { stringValue: 'partial' };
      fx.request.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1]!.samples[0]!.stackIndex = 777;
      const res = await postProfiles(b.http, encodeProfilesRequest(fx.request), 'application/x-protobuf');
      assert.equal(res.status, 200);
      const partial = decodeProfilesResponse(new Uint8Array(await res.arrayBuffer())).partialSuccess;
      assert.equal(partial?.rejectedProfiles, 1);
      assert.match(partial?.errorMessage ?? '', /stack_index 777/);
      assert.deepEqual(
        tree(join(dir, 'partial'))
          .filter((f) => f.endsWith('.pb.gz'))
          .map((f) => f.split('/')[0]),
        ['cpu', 'wall'],
      );
    });
  });

  describe('otlp receiver -> join -> file', () => {
    let b: RunningBridge;
    let dir: string;
    before(async () => {
      dir = join(root, 'joined');
      b = await startBridge(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: 0s }
exporters:
  file: { directory: ${JSON.stringify(dir)} }
service:
  telemetry: { logs: { level: silent } }
  pipelines:
    traces: { receivers: [otlp], processors: [join] }
    profiles: { receivers: [otlp], processors: [join], exporters: [file] }
`);
    });
    after(() => b.stop());

    it('samples linked to a known span carry span_name, trace endpoint and local root span id', async () => {
      const traceId = Buffer.from(TRACE_ID_HEX, 'hex');
      const rootId = Buffer.from('00f067aa0ba902b7', 'hex');
      const root = makeSpan({
        traceId,
        spanId: rootId,
        name: 'GET /users/:id',
        kind: SpanKind.SERVER,
        attributes: [
          { key: 'http.request.method', value: { stringValue: 'GET' }, keyStrindex: 0 },
          { key: 'http.route', value: { stringValue: '/users/:id' }, keyStrindex: 0 },
        ],
        flags: SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK,
      });
      const child = makeSpan({ traceId, spanId: Buffer.from(SPAN_ID_HEX, 'hex'), parentSpanId: rootId, name: 'SELECT users', kind: SpanKind.CLIENT });
      const traces = await fetch(`${b.http}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeTracesRequest({
          resourceSpans: [
            {
              resource: { attributes: [], droppedAttributesCount: 0, entityRefs: [] },
              scopeSpans: [{ spans: [root, child], schemaUrl: '' }],
              schemaUrl: '',
            },
          ],
        }),
      });
      assert.equal(traces.status, 200);

      const res = await postProfiles(b.http, encodeProfilesRequest(simpleRequest('joined', 4)), 'application/x-protobuf');
      assert.equal(res.status, 200);
      const files = tree(dir).filter((f) => f.endsWith('.pb.gz'));
      assert.equal(files.length, 1, files.join('\n'));
      const raw = parseRaw(goPprof(['-raw', join(dir, files[0]!)]));
      assert.deepEqual(raw.samples[0]!.labels, {
        'local root span id': ['67667974448284343'],
        'span id': [SPAN_ID_DEC],
        span_id: [SPAN_ID_HEX],
        span_name: ['SELECT users'],
        'trace endpoint': ['GET /users/:id'],
        trace_id: [TRACE_ID_HEX],
      });
    });
  });
});
