import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeSample } from '../../src/otlp/build.js';
import { bytesOfHex } from '../../src/otlp/ids.js';
import { SpanKind, type ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { linkProfiles, referencedSpanIds } from '../../src/join/linker.js';
import { InMemorySpanIndex } from '../../src/join/span-index.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR } from '../../src/join/attributes.js';
import { profiles, sampleAttrs, sampleLink, samplesOf, sid, traces, TRACE_A, TRACE_B, type SpanSpec } from './data.js';

const ROOT = 'aaaaaaaaaaaaaaa1';
const CHILD = 'bbbbbbbbbbbbbbb2';
const UNKNOWN = 'ddddddddddddddd4';
const ZERO_TRACE = '0'.repeat(32);

function shopIndex(): InMemorySpanIndex {
  const idx = new InMemorySpanIndex();
  idx.put(
    traces({
      shop: [
        { id: ROOT, name: 'GET', kind: SpanKind.SERVER, attrs: { 'http.request.method': 'GET', 'http.route': '/users/:id' } },
        { id: CHILD, parent: ROOT, name: 'load user' },
      ],
    }),
  );
  return idx;
}

function link(req: ExportProfilesServiceRequest, idx: InMemorySpanIndex) {
  const before = structuredClone(req);
  const r = linkProfiles(req, (id) => idx.get(id));
  assert.deepEqual(req, before, 'the input request must not change');
  return r;
}

const joined = (name: string, root: string, endpoint: string) => ({
  [SPAN_NAME_ATTR]: name,
  [LOCAL_ROOT_SPAN_ID_ATTR]: root,
  [TRACE_ENDPOINT_ATTR]: endpoint,
});

describe('linkProfiles', () => {
  it('adds span name, local root and endpoint to linked samples and leaves the rest untouched', () => {
    const req = profiles([{ span: CHILD, attrs: { thread: 'main' } }, {}, { span: ROOT }]);
    const r = link(req, shopIndex());
    assert.equal(r.linked, 2);
    assert.equal(r.unlinked, 0);
    assert.deepEqual([...r.pending], []);
    assert.deepEqual(sampleAttrs(r.request, 0), { thread: 'main', ...joined('load user', ROOT, 'GET /users/:id') });
    assert.deepEqual(sampleLink(r.request, 0), { traceId: TRACE_A, spanId: CHILD });
    assert.deepEqual(sampleAttrs(r.request, 2), joined('GET', ROOT, 'GET /users/:id'));
    assert.equal(samplesOf(r.request)[1], samplesOf(req)[1], 'a sample without a link is the same object');
    // Tables the join never writes are shared, not copied.
    assert.equal(r.request.dictionary!.locationTable, req.dictionary!.locationTable);
  });

  it('returns the request itself when no sample references a span', () => {
    const req = profiles([{}, { attrs: { a: 'b' } }]);
    const r = link(req, shopIndex());
    assert.equal(r.request, req);
    assert.equal(r.linked + r.unlinked, 0);
  });

  it('keeps samples of unknown spans as they are and reports the span as pending', () => {
    const req = profiles([{ span: UNKNOWN }, { span: CHILD }]);
    const r = link(req, shopIndex());
    assert.equal(r.linked, 1);
    assert.equal(r.unlinked, 1);
    assert.deepEqual([...r.pending], [UNKNOWN]);
    assert.deepEqual(samplesOf(r.request)[0], samplesOf(req)[0]);
    assert.deepEqual(sampleLink(r.request, 0), { traceId: TRACE_A, spanId: UNKNOWN });
  });

  it('treats zero and empty links as no link', () => {
    const b = new DictionaryBuilder();
    const zero = b.link(new Uint8Array(16), new Uint8Array(8));
    b.dictionary.linkTable.push({ traceId: new Uint8Array(0), spanId: new Uint8Array(0) });
    const empty = b.dictionary.linkTable.length - 1;
    const req = makeProfilesRequest(b.dictionary, [
      makeProfile({ samples: [makeSample({ linkIndex: zero, values: [1] }), makeSample({ linkIndex: empty, values: [1] })] }),
    ]);
    const r = link(req, shopIndex());
    assert.equal(r.request, req);
    assert.equal(r.linked + r.unlinked + r.pending.size, 0);
  });

  it('compares links by value: duplicate link entries join alike', () => {
    const req = profiles([{ span: CHILD }]);
    const d = req.dictionary!;
    d.linkTable.push({ traceId: bytesOfHex(TRACE_A), spanId: bytesOfHex(CHILD) });
    samplesOf(req).push({ ...samplesOf(req)[0]!, linkIndex: d.linkTable.length - 1, values: [5] });
    const r = link(req, shopIndex());
    assert.equal(r.linked, 2);
    assert.deepEqual(sampleAttrs(r.request, 0), sampleAttrs(r.request, 1));
  });

  it('finds the span through hex sample attributes and adds a proper Link', () => {
    const req = profiles([{ attrs: { span_id: CHILD, trace_id: TRACE_A } }, { attrs: { 'span.id': ROOT.toUpperCase() } }]);
    const r = link(req, shopIndex());
    assert.equal(r.linked, 2);
    assert.deepEqual(sampleLink(r.request, 0), { traceId: TRACE_A, spanId: CHILD });
    assert.deepEqual(sampleLink(r.request, 1), { traceId: TRACE_A, spanId: ROOT }, 'the trace id comes from the span');
    assert.deepEqual(sampleAttrs(r.request, 0), { span_id: CHILD, trace_id: TRACE_A, ...joined('load user', ROOT, 'GET /users/:id') });
  });

  it('reads the Datadog-style decimal `span id` attribute', () => {
    const decimal = BigInt('0x' + CHILD).toString();
    const req = profiles([{ attrs: { 'span id': decimal } }]);
    const r = link(req, shopIndex());
    assert.equal(r.linked, 1);
    assert.deepEqual(sampleLink(r.request, 0), { traceId: TRACE_A, spanId: CHILD });
    assert.equal(sampleAttrs(r.request, 0)[SPAN_NAME_ATTR], 'load user');
  });

  it('an unknown span named by attributes gets a Link when both ids are there, and is left alone otherwise', () => {
    const req = profiles([{ attrs: { span_id: UNKNOWN, trace_id: TRACE_B } }, { attrs: { span_id: 'ddddddddddddddd5' } }]);
    const r = link(req, shopIndex());
    assert.equal(r.unlinked, 2);
    assert.deepEqual([...r.pending].sort(), [UNKNOWN, 'ddddddddddddddd5']);
    assert.deepEqual(sampleLink(r.request, 0), { traceId: TRACE_B, spanId: UNKNOWN });
    assert.equal(samplesOf(r.request)[1], samplesOf(req)[1]);
  });

  it('replaces join attributes a sample already had, keeping keys unique', () => {
    const req = profiles([{ span: CHILD, attrs: { [SPAN_NAME_ATTR]: 'stale', [TRACE_ENDPOINT_ATTR]: 'stale', other: 'x' } }]);
    const r = link(req, shopIndex());
    assert.deepEqual(sampleAttrs(r.request, 0), { other: 'x', ...joined('load user', ROOT, 'GET /users/:id') });
  });

  it('does not join a span id that belongs to another trace', () => {
    const r = link(profiles([{ span: CHILD, trace: TRACE_B }]), shopIndex());
    assert.equal(r.linked, 0);
    assert.equal(r.unlinked, 1);
  });

  it('joins with the best-known local root and reports the missing ancestor as pending', () => {
    const idx = new InMemorySpanIndex();
    idx.put(traces({ shop: [{ id: CHILD, parent: ROOT, name: 'load user' }] }));
    const r = link(profiles([{ span: CHILD }]), idx);
    assert.equal(r.linked, 1);
    assert.deepEqual([...r.pending], [ROOT]);
    assert.deepEqual(sampleAttrs(r.request, 0), joined('load user', CHILD, 'load user'));
  });

  it('a link with a zero trace id but a span id is completed from the span', () => {
    const req = profiles([{ span: CHILD, trace: ZERO_TRACE }]);
    const r = link(req, shopIndex());
    assert.equal(r.linked, 1);
    assert.deepEqual(sampleLink(r.request, 0), { traceId: TRACE_A, spanId: CHILD });
  });

  it('referencedSpanIds lists links and attribute ids once each', () => {
    const req = profiles([{ span: CHILD }, { span: CHILD }, { attrs: { span_id: ROOT } }, {}]);
    assert.deepEqual([...referencedSpanIds(req)].sort(), [ROOT, CHILD].sort());
  });
});

// ---------------------------------------------------------------- property

type ModelSpan = SpanSpec & { id: string; service: string; attrs: Record<string, string>; trace: string };

interface Model {
  spans: ModelSpan[];
  known: Set<number>;
}

const spanHex = (i: number) => sid(i * 7919);

const modelArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.record({
    spans: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          parent: i === 0 ? fc.constant(-1) : fc.integer({ min: -1, max: i - 1 }),
          service: fc.constantFrom('a', 'b'),
          name: fc.constantFrom('GET', 'SELECT', 'render', 'span'),
          server: fc.boolean(),
          route: fc.constantFrom('', '/users/:id', '/cart'),
          remote: fc.boolean(),
          trace: fc.constantFrom(TRACE_A, TRACE_B),
        }),
      ),
    ),
    knownMask: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    samples: fc.array(
      fc.record({ kind: fc.constantFrom('none', 'link', 'attr', 'unknown'), span: fc.integer({ min: 0, max: n - 1 }), extra: fc.boolean() }),
      { maxLength: 40 },
    ),
  }),
);

describe('linkProfiles property', () => {
  it('every sample with a known span gets exactly that span’s attributes; samples without links are untouched', () => {
    fc.assert(
      fc.property(modelArb, ({ spans, knownMask, samples }) => {
        const specs = spans.map((s, i): ModelSpan => ({
          id: spanHex(i),
          parent: s.parent >= 0 ? spanHex(s.parent) : undefined,
          trace: s.trace,
          name: s.name,
          service: s.service,
          kind: s.server ? SpanKind.SERVER : SpanKind.INTERNAL,
          flags: s.remote ? 0x301 : 0x101,
          attrs: s.route ? { 'http.request.method': 'GET', 'http.route': s.route } : ({} as Record<string, string>),
        }));
        const m: Model = { spans: specs, known: new Set(knownMask.flatMap((k, i) => (k ? [i] : []))) };
        const idx = new InMemorySpanIndex();
        const byService: Record<string, SpanSpec[]> = {};
        for (const i of m.known) (byService[specs[i]!.service] ??= []).push(specs[i]!);
        idx.put(traces(byService));

        // Reference model of the local root, straight from the definition.
        const byId = new Map([...m.known].map((i) => [specs[i]!.id, specs[i]!]));
        const rootOf = (i: number) => {
          let cur = specs[i]!;
          for (;;) {
            if (!cur.parent || cur.flags === 0x301) return cur;
            const p = byId.get(cur.parent);
            if (!p || p.service !== cur.service || p.trace !== cur.trace) return cur;
            cur = p;
          }
        };
        const endpointOf = (s: (typeof specs)[number]) =>
          s.kind === SpanKind.SERVER && s.attrs['http.route'] ? `GET ${s.attrs['http.route']}` : s.name!;

        const req = profiles(
          samples.map((x) => {
            const s = specs[x.span]!;
            const attrs = x.extra ? { thread: 't1' } : undefined;
            if (x.kind === 'none') return { attrs };
            if (x.kind === 'attr') return { attrs: { ...attrs, span_id: s.id, trace_id: s.trace! } };
            if (x.kind === 'unknown') return { span: sid(100_000 + x.span), trace: s.trace, attrs };
            return { span: s.id, trace: s.trace, attrs };
          }),
        );
        const before = structuredClone(req);
        const r = linkProfiles(req, (id) => idx.get(id));
        assert.deepEqual(req, before);

        let linked = 0;
        samples.forEach((x, k) => {
          const s = specs[x.span]!;
          const got = sampleAttrs(r.request, k);
          const extra = x.extra ? { thread: 't1' } : {};
          if (x.kind === 'none') {
            assert.deepEqual(samplesOf(r.request)[k], samplesOf(req)[k]);
            assert.deepEqual(got, extra);
            assert.deepEqual(sampleLink(r.request, k), { traceId: ZERO_TRACE, spanId: '0'.repeat(16) });
            return;
          }
          const known = x.kind !== 'unknown' && m.known.has(x.span);
          const ids = x.kind === 'attr' ? { span_id: s.id, trace_id: s.trace! } : {};
          if (!known) {
            assert.deepEqual(got, { ...extra, ...ids });
            assert.ok(r.pending.has(x.kind === 'unknown' ? sid(100_000 + x.span) : s.id));
            return;
          }
          linked++;
          const root = rootOf(x.span);
          assert.deepEqual(got, { ...extra, ...ids, ...joined(s.name!, root.id, endpointOf(root)) });
          assert.deepEqual(sampleLink(r.request, k), { traceId: s.trace, spanId: s.id });
        });
        assert.equal(r.linked, linked);
      }),
      { numRuns: 150 },
    );
  });
});
