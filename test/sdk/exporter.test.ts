// Sending profiles: OTLP/HTTP (protobuf and JSON, gzip) and OTLP/gRPC into the bridge's real
// receivers, and the failure handling against real HTTP servers that misbehave on purpose:
// retry on 503 honouring Retry-After, no retry on 400, partial success counted, a slow
// endpoint makes newer requests replace waiting ones, warnings rate-limited, never a throw.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import { bytesOfHex, decodeProfilesRequest, encodeProfilesResponse, type ExportProfilesServiceRequest } from '../../src/otlp/index.js';
import { ProfileExporter, type ExporterOptions } from '../../src/sdk/exporter.js';
import { GrpcSender, HttpSender, parseRetryAfter, type OtlpSender as ProfilesSender } from '../../src/otlp-client/index.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { closedPort } from './example-child.js';

function request(value = 10): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const stack = b.stack([b.location([{ functionIndex: b.function('handle', '/app/server.js', 3), line: 3, column: 0 }])]);
  const profile = makeProfile({
    sampleType: b.valueType('wall', 'nanoseconds'),
    periodType: b.valueType('wall', 'nanoseconds'),
    period: 10_000_000,
    timeUnixNano: 1_700_000_000_000_000_000n,
    durationNano: 10_000_000_000n,
    samples: [
      makeSample({
        stackIndex: stack,
        values: [value],
        linkIndex: b.link(bytesOfHex('0af7651916cd43dd8448eb211c80319c'), bytesOfHex('b7ad6b7169203331')),
        attributeIndices: [b.attribute('trace.endpoint', 'GET /x')],
      }),
    ],
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'svc' }), makeScope('otel-profile-bridge/sdk', '0.1.0'));
}

const FAST: Omit<ExporterOptions, 'encoding' | 'compression'> = {
  timeoutMillis: 2000,
  maxAttempts: 3,
  warnEveryMillis: 0,
  backoffMillis: 5,
  maxBackoffMillis: 50,
};

function httpSender(url: string, extra: Partial<ConstructorParameters<typeof HttpSender>[0]> = {}): HttpSender {
  return new HttpSender({ url, headers: {}, contentType: 'application/x-protobuf', gzip: true, userAgent: 'test/1', ...extra });
}

interface Seen {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP server answering each request with the next of `answers` (the last one repeats). */
async function scriptedServer(answers: { status: number; headers?: Record<string, string>; body?: Uint8Array; delayMs?: number }[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      seen.push({ headers: req.headers, body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw });
      const a = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      setTimeout(() => res.writeHead(a.status, a.headers).end(a.body ? Buffer.from(a.body) : undefined), a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1development/profiles`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const warnings: string[] = [];
before(() => {
  diag.setLogger(
    { error: () => undefined, warn: (m) => warnings.push(m), info: () => undefined, debug: () => undefined, verbose: () => undefined },
    DiagLogLevel.WARN,
  );
});
after(() => diag.disable());

describe('sending into the bridge receivers', () => {
  let bridge: RunningBridge;
  before(async () => {
    bridge = await startBridge();
  });
  after(async () => {
    await bridge?.stop();
  });
  afterEach(() => {
    bridge.sinks.get('sink')!.profiles.length = 0;
  });

  const viaExporter = async (sender: ProfilesSender, encoding: 'protobuf' | 'json', compression: 'gzip' | 'none') => {
    const exporter = new ProfileExporter(sender, { ...FAST, encoding, compression });
    const req = request();
    exporter.enqueue(req);
    await exporter.close();
    assert.deepEqual(
      { ...exporter.stats, lastError: exporter.stats.lastError },
      { exported: 1, failed: 0, dropped: 0, retries: 0, rejectedProfiles: 0, lastError: undefined },
    );
    assert.deepStrictEqual(bridge.sinks.get('sink')!.profiles, [req]);
  };

  it('OTLP/HTTP protobuf, gzip', () => viaExporter(httpSender(`${bridge.http}/v1development/profiles`), 'protobuf', 'gzip'));

  it('OTLP/HTTP JSON, uncompressed', () =>
    viaExporter(httpSender(`${bridge.http}/v1development/profiles`, { contentType: 'application/json', gzip: false }), 'json', 'none'));

  it('OTLP/gRPC, gzip by the channel', () =>
    viaExporter(new GrpcSender({ url: `http://${bridge.grpc}`, headers: { 'x-tenant': 'a' }, gzip: true, userAgent: 'test/1' }), 'protobuf', 'none'));
});

describe('failure handling', () => {
  it('retries 503 as told by Retry-After, sends the headers, then succeeds', async () => {
    const s = await scriptedServer([{ status: 503, headers: { 'retry-after': '0' } }, { status: 200 }]);
    try {
      const exporter = new ProfileExporter(httpSender(s.url, { headers: { authorization: 'Bearer t' } }), {
        ...FAST,
        encoding: 'protobuf',
        compression: 'gzip',
      });
      exporter.enqueue(request());
      await exporter.idle();
      assert.equal(exporter.stats.exported, 1);
      assert.equal(exporter.stats.retries, 1);
      assert.equal(s.seen.length, 2);
      for (const r of s.seen) {
        assert.equal(r.headers['content-type'], 'application/x-protobuf');
        assert.equal(r.headers['content-encoding'], 'gzip');
        assert.equal(r.headers.authorization, 'Bearer t');
        assert.equal(r.headers['user-agent'], 'test/1');
        assert.deepStrictEqual(decodeProfilesRequest(r.body), request());
      }
    } finally {
      await s.close();
    }
  });

  it('does not retry 400, counts the failure and warns', async () => {
    const s = await scriptedServer([{ status: 400 }]);
    try {
      warnings.length = 0;
      const exporter = new ProfileExporter(httpSender(s.url), { ...FAST, encoding: 'protobuf', compression: 'gzip' });
      exporter.enqueue(request());
      await exporter.idle();
      assert.equal(s.seen.length, 1);
      assert.deepEqual([exporter.stats.exported, exporter.stats.failed, exporter.stats.retries], [0, 1, 0]);
      assert.match(exporter.stats.lastError ?? '', /HTTP 400/);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /not retryable/);
    } finally {
      await s.close();
    }
  });

  it('gives up after maxAttempts on a refused connection (HTTP and gRPC)', async () => {
    const port = await closedPort();
    for (const sender of [
      httpSender(`http://127.0.0.1:${port}/v1development/profiles`),
      new GrpcSender({ url: `http://127.0.0.1:${port}`, headers: {}, gzip: false, userAgent: 't' }),
    ]) {
      const exporter = new ProfileExporter(sender, { ...FAST, encoding: 'protobuf', compression: 'none', maxAttempts: 2, timeoutMillis: 1000 });
      exporter.enqueue(request());
      await exporter.idle();
      await exporter.close();
      assert.deepEqual([exporter.stats.exported, exporter.stats.failed, exporter.stats.retries], [0, 1, 1], exporter.stats.lastError);
    }
  });

  it('stops retrying a background send once closing', async () => {
    const port = await closedPort();
    const exporter = new ProfileExporter(httpSender(`http://127.0.0.1:${port}/v1development/profiles`), {
      ...FAST,
      encoding: 'protobuf',
      compression: 'none',
      maxAttempts: 5,
      backoffMillis: 60_000,
      maxBackoffMillis: 60_000,
    });
    exporter.enqueue(request());
    await new Promise((r) => setTimeout(r, 50));
    // The first attempt failed and a minute-long backoff started: close cuts it short.
    await exporter.close();
    assert.deepEqual([exporter.stats.failed, exporter.stats.retries], [1, 1]);
  });

  it('counts profiles rejected in a partial success', async () => {
    const body = encodeProfilesResponse({ partialSuccess: { rejectedProfiles: 2, errorMessage: 'too old' } });
    const s = await scriptedServer([{ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body }]);
    try {
      warnings.length = 0;
      const exporter = new ProfileExporter(httpSender(s.url), { ...FAST, encoding: 'protobuf', compression: 'gzip' });
      exporter.enqueue(request());
      await exporter.idle();
      assert.equal(exporter.stats.exported, 1);
      assert.equal(exporter.stats.rejectedProfiles, 2);
      assert.match(warnings.join('\n'), /rejected 2 profile\(s\): too old/);
    } finally {
      await s.close();
    }
  });

  it('keeps one request waiting behind a slow send: newer ones replace it', async () => {
    const s = await scriptedServer([{ status: 200, delayMs: 150 }]);
    try {
      const exporter = new ProfileExporter(httpSender(s.url), { ...FAST, encoding: 'protobuf', compression: 'gzip' });
      for (let v = 1; v <= 4; v++) exporter.enqueue(request(v));
      await exporter.idle();
      assert.deepEqual([exporter.stats.exported, exporter.stats.dropped], [2, 2]);
      // The first (in flight) and the newest were sent.
      assert.deepEqual(
        s.seen.map((r) => decodeProfilesRequest(r.body).resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples[0]!.values[0]),
        [1, 4],
      );
    } finally {
      await s.close();
    }
  });

  it('warns at most once per interval, and refuses requests after close', async () => {
    const s = await scriptedServer([{ status: 500 }]);
    try {
      warnings.length = 0;
      const exporter = new ProfileExporter(httpSender(s.url), { ...FAST, encoding: 'protobuf', compression: 'gzip', warnEveryMillis: 3_600_000 });
      for (let i = 0; i < 3; i++) {
        exporter.enqueue(request());
        await exporter.idle();
      }
      assert.equal(exporter.stats.failed, 3);
      assert.equal(warnings.length, 1);
      await exporter.close(request());
      assert.equal(exporter.stats.failed, 4, 'the final request was tried');
      exporter.enqueue(request());
      assert.equal(exporter.stats.dropped, 1);
      await exporter.idle();
      assert.equal(s.seen.length, 4);
    } finally {
      await s.close();
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores the rest', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter(new Date(1000).toUTCString(), 4000), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter(''), undefined);
  });
});
