// Bad input gets the right status and a clear message, changes nothing, and the server keeps
// serving. Also: size limits measured after decompression, and a gzip bomb that would
// inflate to ~1 GiB is cut off at the limit without the process's memory following it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import {
  decodeProfilesResponse,
  decodeRpcStatus,
  encodeProfilesRequest,
  encodeTracesRequest,
  profilesRequestToJson,
} from '../../../src/otlp/index.js';
import { ConsumerError } from '../../../src/errors.js';
import { retryInfoDelayMs } from '../../../src/otlp/retry-info.js';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { grpcUnary, PROFILES_METHOD, TRACES_METHOD } from '../../helpers/grpc-client.js';
import { fullProfilesRequest } from '../../fixtures/profiles-request.js';
import { makeSpan, makeScope } from '../../../src/otlp/build.js';

const PROFILES = '/v1development/profiles';

async function send(url: string, body: Uint8Array | string, headers: Record<string, string>, method = 'POST') {
  const res = await fetch(url, { method, body: method === 'GET' ? undefined : body, headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes };
}

function statusMessage(r: { headers: Headers; bytes: Buffer }): string {
  const type = r.headers.get('content-type') ?? '';
  if (type.includes('json')) return (JSON.parse(r.bytes.toString()) as { message: string }).message;
  return decodeRpcStatus(r.bytes).message;
}

describe('OTLP receivers refuse bad input clearly and keep serving', () => {
  let b: RunningBridge;
  before(async () => {
    b = await startBridge();
  });
  after(() => b.stop());

  /** After each bad request, a good one still goes through. */
  async function stillServes() {
    const sink = b.sinks.get('sink')!;
    const n = sink.profiles.length;
    const r = await send(`${b.http}${PROFILES}`, encodeProfilesRequest(fullProfilesRequest()), { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 200);
    assert.equal(sink.profiles.length, n + 1);
  }

  it('random bytes: 400 over HTTP, INVALID_ARGUMENT over gRPC', async () => {
    const sink = b.sinks.get('sink')!;
    const n = sink.profiles.length;
    // A byte pattern that is certainly not a valid message: field 1 claims 100 bytes, 3 follow.
    const bad = Buffer.concat([Buffer.from([0x0a, 100, 1, 2, 3])]);
    const r = await send(`${b.http}${PROFILES}`, bad, { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 400);
    assert.match(statusMessage(r), /truncated|invalid|length/i);
    const g = await grpcUnary(b.grpc, PROFILES_METHOD, bad);
    assert.equal(g.ok, false);
    if (!g.ok) {
      assert.equal(g.code, 3);
      assert.match(g.details, /truncated|invalid|length/i);
    }
    // Many random buffers: each answered 200 or 400, never 5xx, never a hang.
    for (let i = 0; i < 30; i++) {
      const x = await send(`${b.http}${PROFILES}`, randomBytes(1 + ((i * 37) % 500)), { 'content-type': 'application/x-protobuf' });
      assert.ok(x.status === 200 || x.status === 400, `status ${x.status}`);
    }
    assert.equal(sink.profiles.length >= n, true);
    await stillServes();
  });

  it('truncated protobuf: 400 naming the truncation', async () => {
    const full = encodeProfilesRequest(fullProfilesRequest());
    const r = await send(`${b.http}${PROFILES}`, full.subarray(0, full.length - 7), { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 400);
    assert.match(statusMessage(r), /truncat/i);
    await stillServes();
  });

  it('wrong JSON types: 400 naming the JSON path', async () => {
    const json = profilesRequestToJson(fullProfilesRequest()) as { resourceProfiles: { scopeProfiles: { profiles: { samples: unknown }[] }[] }[] };
    json.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples = 'not an array';
    const r = await send(`${b.http}${PROFILES}`, JSON.stringify(json), { 'content-type': 'application/json' });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.match(statusMessage(r), /samples/);
    const notJson = await send(`${b.http}${PROFILES}`, '{"resourceProfiles": [', { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    assert.match(statusMessage(notJson), /JSON/);
    await stillServes();
  });

  it('index out of range: the bad profile is rejected (partial success), the good one passes', async () => {
    const sink = b.sinks.get('sink')!;
    const n = sink.profiles.length;
    const req = fullProfilesRequest();
    req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1]!.samples[0]!.stackIndex = 999;
    const r = await send(`${b.http}${PROFILES}`, encodeProfilesRequest(req), { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 200);
    const partial = decodeProfilesResponse(r.bytes).partialSuccess;
    assert.equal(partial?.rejectedProfiles, 1);
    assert.match(partial?.errorMessage ?? '', /stack_index 999/);
    assert.equal(sink.profiles.length, n + 1);
    assert.equal(sink.profiles.at(-1)!.resourceProfiles[0]!.scopeProfiles[0]!.profiles.length, 1);
    const g = await grpcUnary(b.grpc, PROFILES_METHOD, encodeProfilesRequest(req));
    assert.ok(g.ok);
    if (g.ok) assert.equal(decodeProfilesResponse(g.body).partialSuccess?.rejectedProfiles, 1);
  });

  it('spans with bad ids are rejected, the rest pass', async () => {
    const good = makeSpan({ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2), name: 'ok' });
    const bad = makeSpan({ traceId: new Uint8Array(16), spanId: new Uint8Array(8).fill(3), name: 'zero-trace' });
    const body = encodeTracesRequest({
      resourceSpans: [{ schemaUrl: '', scopeSpans: [{ scope: makeScope('t'), schemaUrl: '', spans: [good, bad] }] }],
    });
    const g = await grpcUnary(b.grpc, TRACES_METHOD, body);
    assert.ok(g.ok);
  });

  it('empty JSON body is 400; empty protobuf body is an empty request (200)', async () => {
    const j = await send(`${b.http}${PROFILES}`, '', { 'content-type': 'application/json' });
    assert.equal(j.status, 400);
    assert.match(statusMessage(j), /empty/);
    const p = await send(`${b.http}${PROFILES}`, new Uint8Array(0), { 'content-type': 'application/x-protobuf' });
    assert.equal(p.status, 200);
  });

  it('wrong content type 415, wrong method 405, unknown path 404, unknown encoding 415', async () => {
    const t = await send(`${b.http}${PROFILES}`, 'hello', { 'content-type': 'text/plain' });
    assert.equal(t.status, 415);
    assert.match(statusMessage(t), /application\/x-protobuf/);
    const m = await send(`${b.http}${PROFILES}`, '', {}, 'GET');
    assert.equal(m.status, 405);
    assert.equal(m.headers.get('allow'), 'POST');
    const p = await send(`${b.http}/v1/profiles`, 'x', { 'content-type': 'application/x-protobuf' });
    assert.equal(p.status, 404);
    assert.match(statusMessage(p), /v1development\/profiles/);
    const e = await send(`${b.http}${PROFILES}`, 'x', { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' });
    assert.equal(e.status, 415);
    assert.match(statusMessage(e), /br/);
    const g = await send(`${b.http}${PROFILES}`, 'not gzip', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    assert.equal(g.status, 400);
    await stillServes();
  });

  it('a 65 MiB body is 413 over HTTP and RESOURCE_EXHAUSTED over gRPC', async () => {
    const big = Buffer.alloc(65 * 2 ** 20, 0);
    // A valid-looking protobuf: one string field of 65 MiB - 8 bytes.
    const r = await send(`${b.http}${PROFILES}`, big, { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 413);
    assert.match(statusMessage(r), /limit of 67108864 bytes/);
    const g = await grpcUnary(b.grpc, PROFILES_METHOD, big);
    assert.equal(g.ok, false);
    if (!g.ok) assert.equal(g.code, 8);
    await stillServes();
  });

  it('a gzip bomb (~1 GiB inflated) is 413 and RSS stays bounded', async () => {
    const bomb = await gzipOfZeros(1024);
    assert.ok(bomb.length < 4 * 2 ** 20, `bomb is ${bomb.length} bytes compressed`);
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const r = await send(`${b.http}${PROFILES}`, bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
      assert.equal(r.status, 413);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    // The limit is 64 MiB of output; allow for that plus allocator slack, far below 1 GiB.
    assert.ok(peak - baseline < 200 * 2 ** 20, `RSS grew by ${((peak - baseline) / 2 ** 20).toFixed(0)} MiB`);
    await stillServes();
  });

  it('pipeline back-pressure: 429/503 with Retry-After, RESOURCE_EXHAUSTED/UNAVAILABLE with RetryInfo over gRPC', async () => {
    const sink = b.sinks.get('sink')!;
    sink.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'sending queue is full', { retryable: true, retryAfterSeconds: 7 });
    try {
      const body = encodeProfilesRequest(fullProfilesRequest());
      const r = await send(`${b.http}${PROFILES}`, body, { 'content-type': 'application/x-protobuf' });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '7');
      assert.match(statusMessage(r), /queue is full/);
      const full = await grpcUnary(b.grpc, PROFILES_METHOD, body);
      assert.equal(full.ok, false);
      if (!full.ok) {
        assert.equal(full.code, 8); // RESOURCE_EXHAUSTED, retryable for OTLP clients because of the RetryInfo
        const details = full.metadata.get('grpc-status-details-bin')[0];
        assert.ok(Buffer.isBuffer(details));
        assert.equal(retryInfoDelayMs(details), 7000);
      }
      sink.refuseWith = new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'store is closed', { retryable: true });
      const u = await send(`${b.http}${PROFILES}`, body, { 'content-type': 'application/x-protobuf' });
      assert.equal(u.status, 503);
      assert.equal(u.headers.get('retry-after'), '1');
      sink.refuseWith = new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'store is closed', { retryable: true, retryAfterSeconds: 3 });
      const g = await grpcUnary(b.grpc, PROFILES_METHOD, body);
      assert.equal(g.ok, false);
      if (!g.ok) {
        assert.equal(g.code, 14);
        // google.rpc.RetryInfo in grpc-status-details-bin, as OTLP gRPC clients expect.
        const details = g.metadata.get('grpc-status-details-bin')[0];
        assert.ok(Buffer.isBuffer(details));
        assert.equal(retryInfoDelayMs(details), 3000);
        assert.equal(g.metadata.get('retry-after')[0], '3');
      }
    } finally {
      sink.refuseWith = undefined;
    }
    await stillServes();
  });
});

async function gzipOfZeros(mib: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const chunk = Buffer.alloc(2 ** 20);
  for (let i = 0; i < mib; i++) {
    if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}
