// What the plugin puts on the wire, captured from the example service running under it: the
// OTLP profiles decode identically with our codec, with protobufjs on our .proto files and
// through the bridge's OTLP receiver; every Link points at a span the trace exporter sent,
// with the span's name, its local root and its endpoint as sample attributes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anyValueToString } from '../../src/otlp/build.js';
import {
  decodeProfilesRequest,
  hexOf,
  tracesRequestFromJson,
  type ExportProfilesServiceRequest,
  type ExportTraceServiceRequest,
} from '../../src/otlp/index.js';
import { OTLP_TYPES, independentDecode } from '../helpers/independent-proto.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { load, startCapture, startExample, type Captured } from './example-child.js';

interface SentSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}

describe('SDK plugin on the wire: captured from the example service', () => {
  let capture: Awaited<ReturnType<typeof startCapture>>;
  let profileBodies: Captured[];
  let traceBodies: Captured[];
  let profiles: ExportProfilesServiceRequest[];
  let spans: Map<string, SentSpan>;

  before(async () => {
    capture = await startCapture();
    const app = await startExample({
      OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
      OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '700',
      OTEL_PROFILE_BRIDGE_SAMPLING_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      EXAMPLE_FIB_N: '26',
    });
    const path = (i: number): string => (i % 3 === 0 ? '/fast' : `/slow/${i}`);
    const profileRequests = (): number => capture.requests.filter((c) => c.path === '/v1development/profiles').length;
    try {
      const r = await load(app.port, path, { requests: 240, concurrency: 2 });
      assert.equal(r.statuses.get(200), 240);
      // How long 240 requests take depends on the CPU; the export timer does not. Keep the
      // service busy until two interval exports (not only the shutdown flush) have arrived,
      // so the capture holds several requests however fast the machine is. Bounded: a stuck
      // exporter fails the assertion below instead of hanging the suite.
      const deadline = Date.now() + 60_000;
      while (profileRequests() < 2 && Date.now() < deadline) {
        const more = await load(app.port, path, { requests: 30, concurrency: 2 });
        assert.equal(more.statuses.get(200), 30);
      }
    } finally {
      const stopped = await app.stop();
      assert.equal(stopped.code, 0, app.stderr());
    }
    profileBodies = capture.requests.filter((c) => c.path === '/v1development/profiles');
    traceBodies = capture.requests.filter((c) => c.path === '/v1/traces');
    profiles = profileBodies.map((c) => decodeProfilesRequest(c.body));
    spans = new Map();
    for (const c of traceBodies) {
      const req: ExportTraceServiceRequest = tracesRequestFromJson(JSON.parse(c.body.toString('utf8')));
      for (const rs of req.resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            const span = { traceId: hexOf(s.traceId), spanId: hexOf(s.spanId), parentSpanId: hexOf(s.parentSpanId), name: s.name, kind: s.kind };
            spans.set(span.spanId, span);
          }
    }
  });

  after(async () => {
    await capture?.close();
  });

  it("sends gzip'd OTLP/HTTP protobuf to /v1development/profiles", () => {
    assert.ok(profileBodies.length >= 2, `${profileBodies.length} profile requests`);
    for (const c of profileBodies) {
      assert.equal(c.contentType, 'application/x-protobuf');
      assert.equal(c.encoding, 'gzip');
    }
    assert.ok(traceBodies.length > 0);
  });

  it('decodes identically with protobufjs on our .proto files', () => {
    profileBodies.forEach((c, i) => {
      assert.deepStrictEqual(independentDecode(OTLP_TYPES.profilesRequest, c.body), profiles[i]);
    });
  });

  it('decodes identically through the bridge OTLP receiver', async () => {
    const bridge: RunningBridge = await startBridge();
    try {
      for (const c of profileBodies) {
        const res = await fetch(`${bridge.http}/v1development/profiles`, {
          method: 'POST',
          headers: { 'content-type': c.contentType },
          body: c.body,
        });
        assert.equal(res.status, 200, await res.text());
      }
      assert.deepStrictEqual(bridge.sinks.get('sink')!.profiles, profiles);
    } finally {
      await bridge.stop();
    }
  });

  it('links samples only to spans the trace exporter sent, with their name, local root and endpoint', () => {
    const linkedServerSpans = new Set<string>();
    let linked = 0;
    for (const req of profiles) {
      const d = req.dictionary!;
      const st = d.stringTable;
      for (const rp of req.resourceProfiles)
        for (const sp of rp.scopeProfiles)
          for (const p of sp.profiles)
            for (const s of p.samples) {
              if (s.linkIndex === 0) continue;
              linked++;
              const link = d.linkTable[s.linkIndex]!;
              const span = spans.get(hexOf(link.spanId));
              assert.ok(span, `linked span ${hexOf(link.spanId)} was exported`);
              assert.equal(hexOf(link.traceId), span.traceId);
              const attrs: Record<string, string> = {};
              for (const i of s.attributeIndices) attrs[st[d.attributeTable[i]!.keyStrindex]!] = anyValueToString(d.attributeTable[i]!.value!, st);
              assert.equal(attrs['span.name'], span.name);
              // The local root is the trace's SERVER span (no parent: the load has no traceparent).
              const root = spans.get(attrs['local_root_span.id']!);
              assert.ok(root, 'the local root was exported');
              assert.equal(root.traceId, span.traceId);
              assert.equal(root.parentSpanId, '');
              assert.equal(root.kind, 2);
              assert.equal(attrs['trace.endpoint'], root.name, 'endpoint = METHOD route = the server span name here');
              if (span.kind === 2) linkedServerSpans.add(span.spanId);
            }
    }
    assert.ok(linked > 0);
    const slowRoots = [...spans.values()].filter((s) => s.name === 'GET /slow/:id');
    assert.ok(slowRoots.length >= 100);
    assert.ok(
      slowRoots.filter((s) => linkedServerSpans.has(s.spanId)).length >= slowRoots.length / 2,
      'most slow requests have samples of their own',
    );
  });
});
