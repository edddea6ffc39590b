// The ProfilingSpanProcessor in this process, under the real OpenTelemetry SDK
// (NodeTracerProvider with its AsyncLocalStorage context manager): samples are attributed to
// the span active when they were taken — after a synchronous `startActiveSpan` and after an
// `await` — with the local root and an endpoint read when the profile is cut; spans with a
// remote parent are local roots; code outside spans stays unlinked. Then shutdown sends the
// last profile and undoes the context-manager wrapping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, trace, type ContextManager, type DiagLogger } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { anyValueToString, stringAttribute } from '../../src/otlp/build.js';
import { decodeProfilesRequest, hexOf, type ExportProfilesServiceRequest } from '../../src/otlp/index.js';
import { ProfilingSpanProcessor } from '../../src/sdk/index.js';
import { startCapture } from './example-child.js';

// Distinct named functions, so the profile says which code ran where.
function spin(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}
function burnInRoot(ms: number): number {
  return spin(ms);
}
function burnInChild(ms: number): number {
  return spin(ms);
}
function burnInRemoteChild(ms: number): number {
  return spin(ms);
}
function burnOutside(ms: number): number {
  return spin(ms);
}

interface Row {
  frames: string[];
  attrs: Record<string, string>;
  traceId: string;
  spanId: string;
  value: number;
}

function rowsOf(req: ExportProfilesServiceRequest, type: string): Row[] {
  const d = req.dictionary!;
  const st = d.stringTable;
  const out: Row[] = [];
  for (const rp of req.resourceProfiles)
    for (const sp of rp.scopeProfiles)
      for (const p of sp.profiles) {
        if (st[p.sampleType!.typeStrindex] !== type) continue;
        for (const s of p.samples) {
          const attrs: Record<string, string> = {};
          for (const i of s.attributeIndices) attrs[st[d.attributeTable[i]!.keyStrindex]!] = anyValueToString(d.attributeTable[i]!.value!, st);
          const frames = d.stackTable[s.stackIndex]!.locationIndices.flatMap((li) =>
            d.locationTable[li]!.lines.map((l) => st[d.functionTable[l.functionIndex]!.nameStrindex]!),
          );
          const link = d.linkTable[s.linkIndex]!;
          out.push({
            frames,
            attrs,
            traceId: s.linkIndex ? hexOf(link.traceId) : '',
            spanId: s.linkIndex ? hexOf(link.spanId) : '',
            value: s.values[0]!,
          });
        }
      }
  return out;
}

const withFrame = (rows: Row[], fn: string) => rows.filter((r) => r.frames.includes(fn));

function registeredManager(): ContextManager {
  return (context as unknown as { _getContextManager(): ContextManager })._getContextManager();
}

describe('ProfilingSpanProcessor in process', () => {
  let capture: Awaited<ReturnType<typeof startCapture>>;
  let profiler: ProfilingSpanProcessor;
  let provider: NodeTracerProvider;
  let req: ExportProfilesServiceRequest;
  const ids = { root: '', child: '', trace: '', remoteChild: '', remoteTrace: '' };
  const warnings: string[] = [];
  const errors: string[] = [];

  before(async () => {
    const logger: DiagLogger = {
      error: (m) => errors.push(m),
      warn: (m) => warnings.push(m),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    capture = await startCapture();
    // An empty environment: nothing from this process's OTEL_* variables leaks in.
    profiler = new ProfilingSpanProcessor(
      { url: `${capture.url}/v1development/profiles`, exportIntervalMillis: 3_600_000, samplingIntervalMicros: 1000 },
      {},
    );
    // Profiling starts before the SDK registers its context manager: wrapped on first span.
    assert.equal(profiler.start(), true);
    provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'processor-test' }), spanProcessors: [profiler] });
    provider.register();
    const tracer = provider.getTracer('test');

    burnOutside(80);
    await tracer.startActiveSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } }, async (root) => {
      ids.root = root.spanContext().spanId;
      ids.trace = root.spanContext().traceId;
      burnInRoot(150);
      // The route arrives after the work: still the endpoint of every sample above.
      root.setAttribute('http.route', '/items/:id');
      await tracer.startActiveSpan('child', async (child) => {
        ids.child = child.spanContext().spanId;
        await sleep(5);
        burnInChild(150);
        child.end();
      });
      root.end();
    });
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    tracer.startActiveSpan('remote child', {}, remote, (span) => {
      ids.remoteChild = span.spanContext().spanId;
      ids.remoteTrace = span.spanContext().traceId;
      burnInRemoteChild(100);
      span.end();
    });
    req = profiler.collect()!;
    assert.ok(req, 'a profile was cut');
  });

  after(async () => {
    await profiler?.shutdown();
    await provider?.shutdown();
    await capture?.close();
    diag.disable();
  });

  it('attributes samples taken inside a synchronous startActiveSpan to that span', () => {
    const rows = withFrame(rowsOf(req, 'wall'), 'burnInRoot');
    assert.ok(rows.length > 0, 'burnInRoot was sampled');
    for (const r of rows) {
      assert.equal(r.spanId, ids.root);
      assert.equal(r.traceId, ids.trace);
      assert.equal(r.attrs['span.name'], 'GET');
      assert.equal(r.attrs['local_root_span.id'], ids.root);
      assert.equal(r.attrs['trace.endpoint'], 'GET /items/:id', 'the route set after the samples counts');
      assert.equal(r.attrs['thread.name'], 'main');
    }
  });

  it('attributes samples after an await to the span of that async context, with its local root', () => {
    const rows = withFrame(rowsOf(req, 'wall'), 'burnInChild');
    assert.ok(rows.length > 0, 'burnInChild was sampled');
    for (const r of rows) {
      assert.equal(r.spanId, ids.child);
      assert.equal(r.traceId, ids.trace);
      assert.equal(r.attrs['span.name'], 'child');
      assert.equal(r.attrs['local_root_span.id'], ids.root);
      assert.equal(r.attrs['trace.endpoint'], 'GET /items/:id');
    }
  });

  it('makes a span with a remote parent its own local root', () => {
    const rows = withFrame(rowsOf(req, 'wall'), 'burnInRemoteChild');
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r.spanId, ids.remoteChild);
      assert.equal(r.traceId, ids.remoteTrace);
      assert.equal(r.attrs['local_root_span.id'], ids.remoteChild);
      assert.equal(r.attrs['trace.endpoint'], 'remote child');
    }
  });

  it('leaves samples outside any span unlinked', () => {
    const rows = withFrame(rowsOf(req, 'wall'), 'burnOutside');
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r.spanId, '');
      assert.equal(r.attrs['span.name'], undefined);
    }
  });

  it('has CPU time and heap profiles, and the SDK resource', () => {
    assert.ok(withFrame(rowsOf(req, 'cpu'), 'burnInRoot').reduce((n, r) => n + r.value, 0) > 0);
    assert.ok(rowsOf(req, 'inuse_space').length > 0);
    assert.ok(rowsOf(req, 'inuse_objects').length > 0);
    const resource = req.resourceProfiles[0]!.resource!;
    assert.equal(stringAttribute(resource.attributes, 'service.name'), 'processor-test');
    assert.equal(stringAttribute(resource.attributes, 'process.runtime.name'), 'nodejs');
  });

  it('refuses a second profiler in the same thread without throwing', () => {
    const second = new ProfilingSpanProcessor({ url: `${capture.url}/v1development/profiles` }, {});
    assert.equal(second.start(), false);
    assert.equal(second.running, false);
    assert.ok(
      errors.some((e) => e.includes('profiling not started')),
      errors.join('\n'),
    );
    assert.equal(profiler.running, true, 'the first one is unaffected');
  });

  it('forceFlush sends the profile so far', async () => {
    const before = capture.requests.length;
    await profiler.forceFlush();
    assert.equal(capture.requests.length, before + 1);
    const sent = capture.requests.at(-1)!;
    assert.equal(sent.path, '/v1development/profiles');
    assert.equal(sent.contentType, 'application/x-protobuf');
    assert.ok(decodeProfilesRequest(sent.body).resourceProfiles.length > 0);
  });

  it('shutdown sends the last profile, stops, and unwraps the context manager', async () => {
    const manager = registeredManager();
    assert.ok(Object.prototype.hasOwnProperty.call(manager, 'with'), 'wrapped while running');
    const before = capture.requests.length;
    burnOutside(30);
    await profiler.shutdown();
    assert.equal(capture.requests.length, before + 1);
    assert.equal(profiler.running, false);
    assert.equal(Object.prototype.hasOwnProperty.call(manager, 'with'), false, 'the prototype method is back');
    const stats = profiler.stats();
    assert.equal(stats.exported, 2);
    assert.equal(stats.failed, 0);
    assert.equal(stats.spansStarted, 3);
    assert.equal(profiler.start(), false, 'a stopped profiler stays stopped');
    await profiler.shutdown(); // idempotent
    assert.deepEqual(warnings, []);
  });
});
