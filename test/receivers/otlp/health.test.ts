// The gRPC health service reads HealthCheckRequest with the codec's wire reader.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { grpcUnary } from '../../helpers/grpc-client.js';

const CHECK = '/grpc.health.v1.Health/Check';

/** HealthCheckRequest bytes: optional unknown varint field 7 first, then service (field 1). */
function request(service: string, unknownFirst = false): Buffer {
  const name = Buffer.from(service);
  const len = name.length < 0x80 ? [name.length] : [(name.length & 0x7f) | 0x80, name.length >> 7];
  return Buffer.concat([Buffer.from(unknownFirst ? [0x38, 0x96, 0x01] : []), Buffer.from([0x0a, ...len]), name]);
}

describe('gRPC health service request decoding', () => {
  let b: RunningBridge;
  before(async () => {
    b = await startBridge();
  });
  after(() => b.stop());

  it('knows the OTLP services by name, also after an unknown field', async () => {
    for (const unknownFirst of [false, true]) {
      const res = await grpcUnary(b.grpc, CHECK, request('opentelemetry.proto.collector.trace.v1.TraceService', unknownFirst));
      assert.ok(res.ok, `unknown field first: ${unknownFirst}`);
      assert.deepEqual([...res.body], [0x08, 1], 'SERVING');
    }
  });

  it('reads a service name with a two-byte length whole', async () => {
    const name = 'x'.repeat(200);
    const res = await grpcUnary(b.grpc, CHECK, request(name));
    assert.equal(res.ok, false);
    if (!res.ok) {
      assert.equal(res.code, 5 /* NOT_FOUND */);
      assert.ok(res.details.includes(`"${name}"`), res.details);
    }
  });

  it('answers INVALID_ARGUMENT to bytes that are not a HealthCheckRequest', async () => {
    for (const bad of [Buffer.from([0x0a, 5, 0x66]), Buffer.from([0x0a]), Buffer.from([0x0a, 0x80]), Buffer.from([0x00])]) {
      const res = await grpcUnary(b.grpc, CHECK, bad);
      assert.equal(res.ok, false, bad.toString('hex'));
      if (!res.ok) assert.equal(res.code, 3 /* INVALID_ARGUMENT */, bad.toString('hex'));
    }
  });
});
