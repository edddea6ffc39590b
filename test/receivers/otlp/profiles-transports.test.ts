// One full profiles request over every transport and encoding arrives field for field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  encodeProfilesRequest,
  profilesRequestToJson,
  decodeProfilesResponse,
  decodeTracesResponse,
  encodeTracesRequest,
} from '../../../src/otlp/index.js';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { grpcUnary, PROFILES_METHOD, TRACES_METHOD } from '../../helpers/grpc-client.js';
import { fullProfilesRequest } from '../../fixtures/profiles-request.js';

describe('profiles over gRPC, HTTP protobuf and HTTP JSON', () => {
  let b: RunningBridge;
  before(async () => {
    b = await startBridge();
  });
  after(() => b.stop());

  const expected = fullProfilesRequest();
  const proto = encodeProfilesRequest(expected);
  const json = Buffer.from(JSON.stringify(profilesRequestToJson(expected)));

  const sends: [string, () => Promise<Uint8Array>][] = [
    ['gRPC', async () => okGrpc(await grpcUnary(b.grpc, PROFILES_METHOD, proto))],
    ['gRPC gzip', async () => okGrpc(await grpcUnary(b.grpc, PROFILES_METHOD, proto, { gzip: true }))],
    ['HTTP protobuf', () => post(`${b.http}/v1development/profiles`, proto, 'application/x-protobuf')],
    ['HTTP protobuf gzip', () => post(`${b.http}/v1development/profiles`, gzipSync(proto), 'application/x-protobuf', 'gzip')],
    ['HTTP JSON', () => post(`${b.http}/v1development/profiles`, json, 'application/json')],
    ['HTTP JSON gzip', () => post(`${b.http}/v1development/profiles`, gzipSync(json), 'application/json', 'gzip')],
  ];
  for (const [label, send] of sends) {
    it(`arrives intact over ${label}`, async () => {
      const sink = b.sinks.get('sink')!;
      const before = sink.profiles.length;
      const response = await send();
      if (label.includes('JSON')) assert.deepEqual(JSON.parse(Buffer.from(response).toString()), {});
      else assert.equal(decodeProfilesResponse(response).partialSuccess, undefined);
      assert.equal(sink.profiles.length, before + 1);
      assert.deepEqual(sink.profiles.at(-1), expected);
    });
  }

  it('answers an empty protobuf request with success and passes nothing on', async () => {
    const sink = b.sinks.get('sink')!;
    const before = sink.profiles.length;
    const res = await post(`${b.http}/v1/traces`, encodeTracesRequest({ resourceSpans: [] }), 'application/x-protobuf');
    assert.equal(decodeTracesResponse(res).partialSuccess, undefined);
    assert.equal(sink.profiles.length, before);
  });

  it('serves the gRPC health service', async () => {
    const res = await grpcUnary(b.grpc, '/grpc.health.v1.Health/Check', new Uint8Array(0));
    assert.ok(res.ok);
    assert.deepEqual([...res.body], [0x08, 1], 'SERVING');
    const unknown = await grpcUnary(b.grpc, '/grpc.health.v1.Health/Check', Buffer.from([0x0a, 3, 0x66, 0x6f, 0x6f]));
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.equal(unknown.code, 5 /* NOT_FOUND */);
  });

  it('grpc traces method is routed too', async () => {
    const res = await grpcUnary(b.grpc, TRACES_METHOD, encodeTracesRequest({ resourceSpans: [] }));
    assert.ok(res.ok);
  });
});

function okGrpc(r: Awaited<ReturnType<typeof grpcUnary>>): Uint8Array {
  if (!r.ok) throw new Error(`gRPC failed: ${r.code} ${r.details}`);
  return r.body;
}

async function post(url: string, body: Uint8Array, type: string, encoding?: string): Promise<Uint8Array> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': type, ...(encoding ? { 'content-encoding': encoding } : {}) } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, `HTTP ${res.status}: ${Buffer.from(bytes).toString()}`);
  assert.equal(res.headers.get('content-type'), type);
  return bytes;
}
