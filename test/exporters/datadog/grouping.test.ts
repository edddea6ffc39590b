// How the datadog exporter groups a window's profile types into attachments per runtime
// family, and where endpoint_counts come from: local root spans seen on a traces pipeline
// (requests), else the requests the samples name.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePprofIndependent } from '../../helpers/pprof-decoded.js';
import { HttpBackend, waitUntil } from '../helpers/backends.js';
import { parseMultipart } from '../helpers/multipart.js';
import { ENDPOINT, T0, joinedRequest, startOf } from '../helpers/joined.js';
import { RECEIVER_YAML, postProfiles, postTraces, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { buildUploads } from '../../../src/exporters/datadog/event.js';
import { EndpointTally, isLocalRoot } from '../../../src/exporters/datadog/endpoint-tally.js';
import { pprofUploads } from '../../../src/exporters/shared/pprof-uploads.js';
import {
  DictionaryBuilder,
  makeProfile,
  makeProfilesRequest,
  makeResource,
  makeSample,
  makeScope,
  makeSpan,
  toKeyValues,
} from '../../../src/otlp/build.js';
import { SpanFlags, type ExportTraceServiceRequest, type Span } from '../../../src/otlp/model.js';
import { mergeProfiles } from '../../../src/pprof/merge.js';
import { encodePprof } from '../../../src/pprof/encode.js';

function heapAndCpu(runtime: string) {
  const b = new DictionaryBuilder();
  const f = b.function('alloc', 'a.go', 1);
  const st = b.stack([b.location([{ functionIndex: f, line: 3, column: 0 }])]);
  const types: [string, string][] = [
    ['inuse_space', 'bytes'],
    ['cpu', 'nanoseconds'],
    ['alloc_space', 'bytes'],
    ['inuse_objects', 'count'],
    ['alloc_objects', 'count'],
    ['goroutine', 'count'],
  ];
  const profiles = types.map(([t, u], i) =>
    makeProfile({
      sampleType: b.valueType(t, u),
      timeUnixNano: T0,
      durationNano: 10_000_000_000n,
      samples: [makeSample({ stackIndex: st, values: [i + 1] })],
    }),
  );
  return makeProfilesRequest(b.dictionary, profiles, makeResource({ 'service.name': 'svc', 'process.runtime.name': runtime }), makeScope());
}

describe('datadog attachments per family', () => {
  it('go: cpu.pprof, delta-heap.pprof with the four heap types in dd-trace-go order, goroutines.pprof', async () => {
    const [u] = buildUploads((await pprofUploads(heapAndCpu('go'))).uploads, {}, '1');
    assert.deepEqual(u!.event.attachments, ['delta-heap.pprof', 'cpu.pprof', 'goroutines.pprof']);
    const heap = u!.attachments[0]!;
    assert.deepEqual(
      heap.profiles.map((p) => p.converted.profileType),
      ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'],
    );
    const merged = decodePprofIndependent(
      encodePprof(
        mergeProfiles(
          heap.profiles.map((p) => p.converted.profile),
          heap.rewrites,
        ),
      ),
    );
    assert.deepEqual(
      merged.sampleTypes.map((t) => t.type),
      ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'],
    );
    // One stack: one sample holding each input's value in its column.
    assert.deepEqual(
      merged.samples.map((s) => s.values.map(Number)),
      [[5, 3, 4, 1]],
    );
  });

  it('node: space.pprof holds inuse_objects then inuse_space; a type its tracer does not send goes alone', async () => {
    const [u] = buildUploads((await pprofUploads(heapAndCpu('nodejs'))).uploads, {}, '1');
    assert.deepEqual(u!.event.attachments, ['space.pprof', 'wall.pprof', 'alloc_space.pprof', 'alloc_objects.pprof', 'goroutine.pprof']);
    assert.deepEqual(
      u!.attachments[0]!.profiles.map((p) => p.converted.profileType),
      ['inuse_objects', 'inuse_space'],
    );
  });

  it("node: a heap snapshot taken at the end of a window goes in that window's upload; alone it keeps its own", async () => {
    const b = new DictionaryBuilder();
    const st = b.stack([b.location([{ functionIndex: b.function('f', 'f.js', 1), line: 1, column: 0 }])]);
    const window = { timeUnixNano: T0, durationNano: 10_000_000_000n };
    const snapshotAt = (t: bigint) =>
      makeProfile({ sampleType: b.valueType('inuse_space', 'bytes'), timeUnixNano: t, samples: [makeSample({ stackIndex: st, values: [1024] })] });
    const req = makeProfilesRequest(
      b.dictionary,
      [
        snapshotAt(T0 + 10_000_000_000n),
        makeProfile({ ...window, sampleType: b.valueType('wall', 'nanoseconds'), samples: [makeSample({ stackIndex: st, values: [5] })] }),
        snapshotAt(T0 + 3_000_000_000n),
      ],
      makeResource({ 'service.name': 'svc', 'process.runtime.name': 'nodejs' }),
      makeScope(),
    );
    const uploads = buildUploads((await pprofUploads(req)).uploads, {}, '1');
    assert.deepEqual(
      uploads.map((u) => u.event.attachments),
      [['space.pprof', 'wall.pprof'], ['space.pprof']],
    );
    assert.deepEqual(
      [uploads[0]!.event.start, uploads[0]!.event.end],
      [new Date(Number(T0 / 1_000_000n)).toISOString(), new Date(Number(T0 / 1_000_000n) + 10_000).toISOString()],
    );
    assert.deepEqual(uploads[0]!.event.endpoint_counts, {}, 'always written, as dd-trace does');
  });

  it('other families keep one attachment per type', async () => {
    const [u] = buildUploads((await pprofUploads(heapAndCpu('cpython'))).uploads, {}, '1');
    assert.equal(u!.event.family, 'python');
    assert.deepEqual(u!.event.attachments, [
      'inuse_space.pprof',
      'cpu.pprof',
      'alloc_space.pprof',
      'inuse_objects.pprof',
      'alloc_objects.pprof',
      'goroutine.pprof',
    ]);
  });
});

const HEX = (n: number, bytes: number) => Uint8Array.from(Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex'));

function span(i: number, o: { endpoint?: [string, string]; name?: string; parent?: number; remoteParent?: boolean; endNs: bigint }): Span {
  return makeSpan({
    traceId: HEX(1000 + i, 16),
    spanId: HEX(1000 + i, 8),
    parentSpanId: o.parent === undefined ? new Uint8Array(0) : HEX(o.parent, 8),
    flags: o.remoteParent ? SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK | SpanFlags.CONTEXT_IS_REMOTE_MASK : SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK,
    name: o.name ?? 'handler',
    kind: o.endpoint ? 2 : 1,
    attributes: o.endpoint ? toKeyValues({ 'http.request.method': o.endpoint[0], 'http.route': o.endpoint[1] }) : [],
    startTimeUnixNano: o.endNs - 1_000_000n,
    endTimeUnixNano: o.endNs,
  });
}

function traces(service: string, spans: Span[]): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      { resource: makeResource({ 'service.name': service }), schemaUrl: '', scopeSpans: [{ scope: makeScope('t', '1'), schemaUrl: '', spans }] },
    ],
  };
}

describe('endpoint tally', () => {
  it('counts local roots (no parent, or a remote one) per endpoint, by end time in the window', () => {
    const tally = new EndpointTally();
    const inWindow = startOf(2) + 1_000_000_000n;
    tally.record(
      traces('checkout', [
        span(1, { endpoint: ['GET', '/orders/:id'], endNs: inWindow }),
        span(2, { endpoint: ['GET', '/orders/:id'], endNs: inWindow + 5n }),
        span(3, { endpoint: ['POST', '/pay'], parent: 77, remoteParent: true, endNs: inWindow }),
        span(4, { name: 'SELECT', parent: 1001, endNs: inWindow }), // a child: not a request
        span(5, { endpoint: ['GET', '/orders/:id'], endNs: startOf(12) }), // after the window
      ]),
    );
    tally.record(traces('other', [span(6, { endpoint: ['GET', '/x'], endNs: inWindow })]));
    assert.ok(isLocalRoot({ parentSpanId: new Uint8Array(8), flags: 0 }));
    assert.deepEqual(tally.counts({ 'service.name': 'checkout' }, startOf(2), startOf(12)), { 'GET /orders/:id': 2, 'POST /pay': 1 });
    assert.deepEqual(tally.counts({ 'service.name': 'checkout' }, startOf(20), startOf(30)), {});
    assert.equal(tally.counts({ 'service.name': 'nobody' }, startOf(2), startOf(12)), undefined);
    // End times older than the retention before the latest one seen are forgotten.
    tally.record(traces('checkout', [span(7, { endpoint: ['GET', '/late'], endNs: T0 + 3_600_000_000_000n })]));
    assert.deepEqual(tally.counts({ 'service.name': 'checkout' }, startOf(2), startOf(12)), {});
  });
});

describe('datadog exporter on a traces pipeline', () => {
  let backend: HttpBackend;
  let run: RunningBridge;
  before(async () => {
    backend = await HttpBackend.start();
    run = await startBridge(`${RECEIVER_YAML}
exporters:
  datadog:
    endpoint: ${backend.url}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [datadog] }
    profiles: { receivers: [otlp], exporters: [datadog] }
`);
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('endpoint_counts count the requests (local root spans) of the window, not samples', async () => {
    const inWindow = startOf(2) + 3_000_000_000n;
    const spans = [
      ...Array.from({ length: 5 }, (_, i) => span(10 + i, { endpoint: ['GET', '/orders/:id'], endNs: inWindow + BigInt(i) })),
      span(20, { endpoint: ['GET', '/slow/:id'], endNs: inWindow }),
      span(21, { name: 'db', parent: 1010, endNs: inWindow }),
    ];
    assert.equal(await postTraces(run.http, traces('checkout', spans)), 200);
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 2 })), 200);
    await waitUntil(() => backend.accepted.length === 1, 10_000, 'one upload');
    const parts = await parseMultipart(backend.accepted[0]!.headers, backend.accepted[0]!.body);
    const event = JSON.parse(parts[0]!.data.toString('utf8')) as Record<string, unknown>;
    // The samples name one request of ENDPOINT; the spans say 5 of it and 1 of another.
    assert.equal(ENDPOINT, 'GET /orders/:id');
    assert.deepEqual(event.endpoint_counts, { 'GET /orders/:id': 5, 'GET /slow/:id': 1 });
    // A service with no spans seen falls back to the requests its samples name.
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 3, service: 'quiet' })), 200);
    await waitUntil(() => backend.accepted.length === 2, 10_000, 'second upload');
    const quiet = await parseMultipart(backend.accepted[1]!.headers, backend.accepted[1]!.body);
    assert.deepEqual(JSON.parse(quiet[0]!.data.toString('utf8')).endpoint_counts, { [ENDPOINT]: 1 });
  });
});
