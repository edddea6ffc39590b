// The real OpenTelemetry JS trace exporters (HTTP/JSON, HTTP/protobuf, gRPC) talk to the
// running receivers; the sink must receive exactly the spans the SDK finished.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import type { AnyValue, Span } from '../../../src/otlp/model.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const nanos = (t: [number, number]) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

function plain(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(plain);
  return v;
}

async function emitSpans(exporter: SpanExporter, label: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `checkout-${label}`, 'service.version': '1.4.2', 'host.name': 'web-1' }),
    spanProcessors: [new SimpleSpanProcessor(memory), new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('receiver-test', '0.0.1');
  const root = tracer.startSpan('GET /users/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
      ratio: 0.25,
      cached: false,
      tags: ['a', 'b'],
    },
  });
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan('db.query', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, ctx);
  const grandchild = tracer.startSpan('parse-rows', {}, trace.setSpan(ctx, child));
  grandchild.addEvent('rows', { count: 3 });
  grandchild.end();
  child.end();
  root.end();
  await provider.forceFlush();
  // Read before shutdown: shutting down clears the in-memory exporter.
  const finished = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return finished;
}

describe('OTLP receivers with the OpenTelemetry JS SDK exporters', () => {
  let b: RunningBridge;
  before(async () => {
    b = await startBridge();
  });
  after(() => b.stop());

  const cases: [string, () => SpanExporter][] = [
    ['http/json', () => new HttpJsonExporter({ url: `${b.http}/v1/traces` })],
    ['http/protobuf', () => new HttpProtoExporter({ url: `${b.http}/v1/traces` })],
    ['grpc', () => new GrpcExporter({ url: `http://${b.grpc}` })],
  ];

  for (const [label, make] of cases) {
    it(`receives exactly the spans sent over ${label}`, async () => {
      const sink = b.sinks.get('sink')!;
      const sent = await emitSpans(make(), label.replace('/', '-'));
      assert.equal(sent.length, 3);
      const service = `checkout-${label.replace('/', '-')}`;
      const byId = new Map<string, { span: Span; service: string | undefined; scope: string | undefined }>();
      await sink.waitFor(() => {
        byId.clear();
        for (const req of sink.traces)
          for (const rs of req.resourceSpans) {
            const svc = rs.resource?.attributes.find((a) => a.key === 'service.name')?.value?.stringValue;
            for (const ss of rs.scopeSpans)
              for (const s of ss.spans) if (svc === service) byId.set(hex(s.spanId), { span: s, service: svc, scope: ss.scope?.name });
          }
        return byId.size >= 3;
      });
      assert.equal(byId.size, 3);
      for (const s of sent) {
        const got = byId.get(s.spanContext().spanId);
        assert.ok(got, `span ${s.name} arrived`);
        assert.equal(got.scope, 'receiver-test');
        assert.equal(hex(got.span.traceId), s.spanContext().traceId);
        assert.equal(hex(got.span.parentSpanId), s.parentSpanContext?.spanId ?? '');
        assert.equal(got.span.name, s.name);
        assert.equal(got.span.kind, s.kind + 1, 'OTLP kinds are the API kinds + 1');
        assert.equal(got.span.startTimeUnixNano, nanos(s.startTime));
        assert.equal(got.span.endTimeUnixNano, nanos(s.endTime));
        const attrs = Object.fromEntries(got.span.attributes.map((a) => [a.key, plain(a.value)]));
        assert.deepEqual(attrs, s.attributes);
        assert.equal(got.span.events.length, s.events.length);
        for (const [i, e] of s.events.entries()) {
          assert.equal(got.span.events[i]!.name, e.name);
          assert.equal(got.span.events[i]!.timeUnixNano, nanos(e.time));
        }
      }
    });
  }
});
