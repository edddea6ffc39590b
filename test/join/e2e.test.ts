// End to end: an app traced with the real OpenTelemetry JS SDK exports its spans over OTLP
// HTTP to a running bridge; OTLP profiles referencing those spans arrive too — half of them
// before the spans. The pprof files the `file` exporter writes, read back with the reference
// reader (`go tool pprof -raw`), carry each sample's span labels in both conventions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace, SpanKind, TraceFlags, type Span as ApiSpan } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample } from '../../src/otlp/build.js';
import { encodeProfilesRequest } from '../../src/otlp/encode.js';
import { bytesOfHex, spanIdToDecimal } from '../../src/otlp/ids.js';
import type { JoinProcessor } from '../../src/join/processor.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { goPprof, parseRaw, type RawSample } from '../helpers/go-pprof.js';

interface Expected {
  spanId: string;
  traceId: string;
  name: string;
  localRoot: string;
  endpoint: string;
}

const decimal = (hex: string) => spanIdToDecimal(bytesOfHex(hex));

/** Every `.pb.gz` under dir. */
function pprofFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.pb.gz')) out.push(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/**
 * A profiles request for service `shop` with one sample per target span (value = its
 * position, so samples can be told apart after conversion) plus one unlinked sample.
 */
function profilesRequest(spans: { spanId: string; traceId: string }[], firstValue: number, profileIdByte: number): Uint8Array {
  const b = new DictionaryBuilder();
  const stacks = ['handleRequest', 'loadUser', 'queryDb', 'renderOrder'].map((fn, i) =>
    b.stack([b.location([{ functionIndex: b.function(fn, 'app.js', i * 10), line: i * 10 + 1, column: 0 }])]),
  );
  const samples = spans.map((s, i) =>
    makeSample({ stackIndex: stacks[i % stacks.length]!, values: [firstValue + i], linkIndex: b.link(bytesOfHex(s.traceId), bytesOfHex(s.spanId)) }),
  );
  samples.push(makeSample({ stackIndex: stacks[0]!, values: [firstValue + 100] }));
  const now = BigInt(Date.now()) * 1_000_000n;
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10_000_000,
    timeUnixNano: now - 10_000_000_000n,
    durationNano: 10_000_000_000n,
    profileId: new Uint8Array(16).fill(profileIdByte),
    samples,
  });
  return encodeProfilesRequest(makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'shop' })));
}

async function postProfiles(base: string, body: Uint8Array): Promise<void> {
  const res = await fetch(`${base}/v1development/profiles`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  assert.equal(res.status, 200, `profiles POST answered ${res.status}: ${await res.text()}`);
}

describe('join end to end: OpenTelemetry SDK spans + OTLP profiles -> pprof files', () => {
  let b: RunningBridge;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opb-join-e2e-'));
    b = await startBridge(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: 30s }
exporters:
  file: { directory: ${JSON.stringify(dir)}, fsync: false }
service:
  telemetry: { logs: { level: silent } }
  pipelines:
    traces: { receivers: [otlp], processors: [join] }
    profiles: { receivers: [otlp], processors: [join], exporters: [file] }
`);
  });
  after(async () => {
    await b?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every sample with span_id, span_name, trace_id, span id, local root span id and trace endpoint', async () => {
    const join = b.bridge.component('processor', 'join') as JoinProcessor;
    assert.ok(join, 'the join processor is built');

    // --- the traced app: spans are exported only when we flush (after the first profiles).
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${b.http}/v1/traces` }), { scheduledDelayMillis: 600_000 })],
    });
    const tracer = provider.getTracer('e2e-app');
    const expected: Expected[] = [];
    const record = (span: ApiSpan, name: string, root: ApiSpan, endpoint: string) =>
      expected.push({ spanId: span.spanContext().spanId, traceId: span.spanContext().traceId, name, localRoot: root.spanContext().spanId, endpoint });

    // Request 1: an HTTP server root with children.
    const root = tracer.startSpan('GET /users/:id', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.route': '/users/:id' },
    });
    const rootCtx = trace.setSpan(context.active(), root);
    const load = tracer.startSpan('load user', {}, rootCtx);
    const query = tracer.startSpan('SELECT users', { kind: SpanKind.CLIENT }, trace.setSpan(rootCtx, load));
    record(root, 'GET /users/:id', root, 'GET /users/:id');
    record(load, 'load user', root, 'GET /users/:id');
    record(query, 'SELECT users', root, 'GET /users/:id');

    // Request 2: a server span continuing a trace from another process (remote parent).
    const remote = trace.setSpanContext(context.active(), {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const order = tracer.startSpan(
      'POST /orders',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/orders' } },
      remote,
    );
    const render = tracer.startSpan('render order', {}, trace.setSpan(remote, order));
    record(order, 'POST /orders', order, 'POST /orders');
    record(render, 'render order', order, 'POST /orders');

    // Children end first, as in a real request; nothing is exported yet.
    query.end();
    load.end();
    root.end();
    render.end();
    order.end();

    // --- half of the profiles arrive before the spans: held, nothing written yet.
    const firstHalf = expected.slice(0, 3);
    const secondHalf = expected.slice(3);
    await postProfiles(b.http, profilesRequest(firstHalf, 1, 1));
    assert.equal(join.heldRequests, 1, 'the request is held waiting for its spans');
    assert.deepEqual(pprofFiles(dir), []);

    // --- the spans arrive; the hold is joined and released.
    await provider.forceFlush();
    await join.idle();
    assert.equal(pprofFiles(dir).length, 1, 'the held request was written once its spans arrived');

    // --- the other half arrives after the spans: joined at once.
    await postProfiles(b.http, profilesRequest(secondHalf, 11, 2));
    await join.idle();
    await provider.shutdown();

    const files = pprofFiles(dir);
    assert.equal(files.length, 2);
    const samples: RawSample[] = files.flatMap((f) => parseRaw(goPprof(['-raw', f])).samples);
    const byValue = new Map(samples.map((s) => [s.values[0]!, s]));
    const check = (value: number, e: Expected) => {
      const s = byValue.get(value);
      assert.ok(s, `sample with value ${value} (${e.name}) is in the files`);
      assert.deepEqual(
        {
          span_id: s.labels['span_id'],
          span_name: s.labels['span_name'],
          trace_id: s.labels['trace_id'],
          'span id': s.labels['span id'],
          'local root span id': s.labels['local root span id'],
          'trace endpoint': s.labels['trace endpoint'],
        },
        {
          span_id: [e.spanId],
          span_name: [e.name],
          trace_id: [e.traceId],
          'span id': [decimal(e.spanId)],
          'local root span id': [decimal(e.localRoot)],
          'trace endpoint': [e.endpoint],
        },
        `labels of ${e.name}`,
      );
    };
    firstHalf.forEach((e, i) => check(1 + i, e));
    secondHalf.forEach((e, i) => check(11 + i, e));
    // Unlinked samples carry no span labels.
    for (const v of [101, 111]) {
      const s = byValue.get(v);
      assert.ok(s, `unlinked sample ${v} is in the files`);
      for (const k of ['span_id', 'span_name', 'trace_id', 'span id', 'local root span id', 'trace endpoint'])
        assert.equal(s.labels[k], undefined, `${k} on an unlinked sample`);
    }

    const metrics = await b.bridge.metrics.getSingleMetricAsString('otel_profile_bridge_join_samples_joined_total');
    assert.match(metrics, /processor="join"} 5/);
  });
});
