// The one OTLP client against real local servers: which answers are retried (the OTLP rule
// for OTLP endpoints, the wider one for non-OTLP intakes), the server's retry hints
// (Retry-After as seconds, fractional seconds and HTTP-date; gRPC RetryInfo and retry-after
// metadata), partial success, error bodies, timeouts, refused connections, aborts, redirects.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { encodeProfilesResponse, encodeRetryInfoStatus, encodeRpcStatus, encodeTracesResponse } from '../../src/otlp/index.js';
import {
  failureOf,
  GRPC_CODES,
  GrpcSender,
  HttpSender,
  httpPost,
  intakeRetryableStatus,
  MAX_REDIRECTS,
  OTLP_GRPC_METHODS,
  type ExportResult,
} from '../../src/otlp-client/index.js';
import { GrpcBackend, HttpBackend } from '../exporters/helpers/backends.js';
import { closedPort } from '../sdk/example-child.js';

const BODY = Buffer.from('payload');
const OPTS = { timeoutMs: 5000 };

function kindOf(r: ExportResult): string {
  return r.kind;
}

describe('OTLP/HTTP through HttpSender', () => {
  let backend: HttpBackend;
  let sender: HttpSender;
  before(async () => {
    backend = await HttpBackend.start();
    sender = new HttpSender({
      url: `${backend.url}/v1development/profiles`,
      headers: { 'x-tenant': 't1' },
      contentType: 'application/x-protobuf',
      gzip: false,
      userAgent: 'client-test/1',
    });
  });
  after(async () => {
    sender.close();
    await backend.close();
  });

  it('retries exactly 429, 502, 503 and 504; every other 4xx and 5xx is permanent', async () => {
    const retried: number[] = [];
    for (const status of [400, 401, 403, 404, 408, 413, 415, 429, 500, 501, 502, 503, 504, 505]) {
      backend.answer = () => ({ status });
      const r = await sender.send(BODY, OPTS);
      assert.notEqual(r.kind, 'success', String(status));
      if (r.kind === 'retryable') retried.push(status);
      assert.equal((r as { reason: string }).reason, `http_${status}`);
    }
    assert.deepEqual(retried, [429, 502, 503, 504]);
    const seen = backend.calls.at(-1)!;
    assert.equal(seen.headers['x-tenant'], 't1');
    assert.equal(seen.headers['user-agent'], 'client-test/1');
    assert.equal(seen.headers['content-type'], 'application/x-protobuf');
    assert.deepEqual(seen.body, BODY);
  });

  it('reads Retry-After as seconds, fractional seconds and an HTTP-date', async () => {
    const cases: [string, (ms: number) => boolean][] = [
      ['3', (ms) => ms === 3000],
      ['1.25', (ms) => ms === 1250],
      // An HTTP-date two minutes ahead, whatever the few ms between answer and parse.
      [new Date(Date.now() + 120_000).toUTCString(), (ms) => ms > 60_000 && ms <= 120_000],
      [new Date(0).toUTCString(), (ms) => ms === 0],
    ];
    for (const [value, ok] of cases) {
      backend.answer = () => ({ status: 503, headers: { 'retry-after': value } });
      const r = await sender.send(BODY, OPTS);
      assert.equal(r.kind, 'retryable');
      const ms = (r as { retryAfterMs?: number }).retryAfterMs;
      assert.ok(ms !== undefined && ok(ms), `${value} -> ${ms}`);
    }
    backend.answer = () => ({ status: 429, headers: { 'retry-after': 'soon' } });
    assert.deepEqual(await sender.send(BODY, OPTS), { kind: 'retryable', reason: 'http_429', message: 'HTTP 429' });
  });

  it('describes an error by its google.rpc.Status message', async () => {
    backend.answer = () => ({
      status: 400,
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(encodeRpcStatus({ code: 3, message: 'bad\nsample', details: [] })),
    });
    assert.deepEqual(await sender.send(BODY, OPTS), { kind: 'permanent', reason: 'http_400', message: 'HTTP 400: bad sample' });
  });

  it('a partial success is a success that reports the rejected part', async () => {
    backend.answer = () => ({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(encodeProfilesResponse({ partialSuccess: { rejectedProfiles: 3, errorMessage: 'too old' } })),
    });
    assert.deepEqual(await sender.send(BODY, OPTS), { kind: 'success', partial: { rejected: 3, message: 'too old' } });
    backend.answer = () => ({ status: 200, body: Buffer.alloc(0) });
    assert.deepEqual(await sender.send(BODY, OPTS), { kind: 'success' });
  });

  it('reads the traces response as JSON when the sender speaks JSON', async () => {
    const json = new HttpSender({
      url: `${backend.url}/v1/traces`,
      headers: {},
      contentType: 'application/json',
      gzip: true,
      userAgent: 't',
      signal: 'traces',
    });
    try {
      backend.answer = () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"no ids"}}',
      });
      assert.deepEqual(await json.send(BODY, OPTS), { kind: 'success', partial: { rejected: 2, message: 'no ids' } });
      assert.equal(backend.calls.at(-1)!.headers['content-encoding'], 'gzip');
      assert.equal(backend.calls.at(-1)!.url.pathname, '/v1/traces');
    } finally {
      json.close();
    }
  });

  it('follows a 307 with the same method and body', async () => {
    backend.answer = (call) => (call.url.pathname === '/old' ? { status: 307, headers: { location: '/v1development/profiles' } } : { status: 200 });
    const before = backend.calls.length;
    const res = await httpPost({ url: `${backend.url}/old`, headers: {}, body: BODY, timeoutMs: 5000 });
    assert.equal(failureOf(res), undefined);
    const [first, second] = backend.calls.slice(before);
    assert.equal(first!.url.pathname, '/old');
    assert.equal(second!.method, 'POST');
    assert.deepEqual(second!.body, BODY);
  });

  it('gives up on a redirect loop after MAX_REDIRECTS hops; other 3xx are permanent', async () => {
    backend.answer = () => ({ status: 308, headers: { location: '/loop' } });
    const before = backend.calls.length;
    const looped = await httpPost({ url: `${backend.url}/loop`, headers: {}, body: BODY, timeoutMs: 5000 });
    assert.equal(failureOf(looped)?.kind, 'permanent');
    assert.equal(backend.calls.length - before, MAX_REDIRECTS + 1);
    backend.answer = () => ({ status: 302, headers: { location: '/elsewhere' } });
    assert.deepEqual(await sender.send(BODY, OPTS), { kind: 'permanent', reason: 'http_302', message: 'HTTP 302' });
  });

  it('non-OTLP intakes also retry 408 and 500 (their storage-down answers), still not 501', async () => {
    for (const [status, kind] of [
      [408, 'retryable'],
      [500, 'retryable'],
      [501, 'permanent'],
      [400, 'permanent'],
    ] as const) {
      backend.answer = () => ({ status, headers: { 'retry-after': '2' } });
      const res = await httpPost({ url: backend.url, headers: {}, body: BODY, timeoutMs: 5000 });
      const r = failureOf(res, undefined, intakeRetryableStatus)!;
      assert.equal(r.kind, kind, String(status));
      if (r.kind === 'retryable') assert.equal(r.retryAfterMs, 2000);
    }
  });
});

describe('HTTP transport failures', () => {
  it('a refused connection is retryable', async () => {
    const port = await closedPort();
    const r = await httpPost({ url: `http://127.0.0.1:${port}/`, headers: {}, body: BODY, timeoutMs: 5000 });
    assert.equal(kindOf(r as ExportResult), 'retryable');
    assert.equal((r as { reason: string }).reason, 'connection');
    assert.match((r as { message: string }).message, /ECONNREFUSED/);
  });

  it('no answer before the timeout is retryable; an abort is retryable and says so', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/`;
    try {
      assert.deepEqual(await httpPost({ url, headers: {}, body: BODY, timeoutMs: 100 }), {
        kind: 'retryable',
        reason: 'timeout',
        message: 'no complete response before the timeout',
      });
      const ac = new AbortController();
      const pending = httpPost({ url, headers: {}, body: BODY, timeoutMs: 60_000, signal: ac.signal });
      ac.abort();
      assert.deepEqual(await pending, { kind: 'retryable', reason: 'aborted', message: 'attempt aborted (shutting down)' });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('OTLP/gRPC through GrpcSender', () => {
  let backend: GrpcBackend;
  let sender: GrpcSender;
  before(async () => {
    backend = await GrpcBackend.start([OTLP_GRPC_METHODS.profiles, OTLP_GRPC_METHODS.traces]);
    sender = new GrpcSender({ url: `http://${backend.address}`, headers: { 'X-Tenant': 't2' }, gzip: true, userAgent: 'client-test/1' });
  });
  after(async () => {
    sender.close();
    await backend.close();
  });

  it('retries the OTLP table of codes; RESOURCE_EXHAUSTED only with a retry hint', async () => {
    const retried: string[] = [];
    for (const [name, code] of Object.entries(GRPC_CODES)) {
      if (code === 0) continue;
      backend.answer = () => ({ code, details: name });
      const r = await sender.send(BODY, { timeoutMs: 5000 });
      assert.notEqual(r.kind, 'success', name);
      if (r.kind === 'retryable') retried.push(name);
      assert.equal((r as { reason: string }).reason, `grpc_${name.toLowerCase()}`);
    }
    assert.deepEqual(retried, ['CANCELLED', 'DEADLINE_EXCEEDED', 'ABORTED', 'OUT_OF_RANGE', 'UNAVAILABLE', 'DATA_LOSS']);
    const call = backend.calls.at(-1)!;
    assert.equal(call.method, OTLP_GRPC_METHODS.profiles);
    assert.deepEqual(call.body, BODY);
    assert.deepEqual(call.metadata.get('x-tenant'), ['t2']);
    assert.match(String(call.metadata.get('user-agent')[0]), /^client-test\/1/);
  });

  it('honours google.rpc.RetryInfo and retry-after metadata', async () => {
    backend.answer = () => ({
      code: GRPC_CODES.RESOURCE_EXHAUSTED,
      details: 'slow down',
      metadata: { 'grpc-status-details-bin': Buffer.from(encodeRetryInfoStatus(8, 'slow down', 1250)) },
    });
    assert.deepEqual(await sender.send(BODY, OPTS), {
      kind: 'retryable',
      reason: 'grpc_resource_exhausted',
      message: 'gRPC RESOURCE_EXHAUSTED: slow down',
      retryAfterMs: 1250,
    });
    backend.answer = () => ({ code: GRPC_CODES.UNAVAILABLE, details: 'down', metadata: { 'retry-after': '0.5' } });
    assert.deepEqual(await sender.send(BODY, OPTS), {
      kind: 'retryable',
      reason: 'grpc_unavailable',
      message: 'gRPC UNAVAILABLE: down',
      retryAfterMs: 500,
    });
  });

  it('reads partial success, for profiles and for traces', async () => {
    backend.answer = () => ({ response: Buffer.from(encodeProfilesResponse({ partialSuccess: { rejectedProfiles: 1, errorMessage: 'dup' } })) });
    assert.deepEqual(await sender.send(BODY, OPTS), { kind: 'success', partial: { rejected: 1, message: 'dup' } });
    const traces = new GrpcSender({ url: backend.address, insecure: true, headers: {}, gzip: false, signal: 'traces' });
    try {
      backend.answer = () => ({ response: Buffer.from(encodeTracesResponse({ partialSuccess: { rejectedSpans: 4, errorMessage: 'bad ids' } })) });
      assert.deepEqual(await traces.send(BODY, OPTS), { kind: 'success', partial: { rejected: 4, message: 'bad ids' } });
      assert.equal(backend.calls.at(-1)!.method, OTLP_GRPC_METHODS.traces);
      backend.answer = () => ({});
      assert.deepEqual(await traces.send(BODY, OPTS), { kind: 'success' });
    } finally {
      traces.close();
    }
  });

  it('a refused connection is UNAVAILABLE, retryable', async () => {
    const port = await closedPort();
    const down = new GrpcSender({ url: `http://127.0.0.1:${port}`, headers: {}, gzip: false });
    try {
      const r = await down.send(BODY, { timeoutMs: 5000 });
      assert.equal(r.kind, 'retryable');
      assert.equal((r as { reason: string }).reason, 'grpc_unavailable');
    } finally {
      down.close();
    }
  });
});
