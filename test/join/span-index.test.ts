import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SpanKind } from '../../src/otlp/model.js';
import { makeSpan } from '../../src/otlp/build.js';
import { endpointOf, InMemorySpanIndex } from '../../src/join/span-index.js';
import { planJoin } from '../../src/join/linker.js';
import { SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR } from '../../src/join/attributes.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { profiles, sid, traces, TRACE_A, TRACE_B } from './data.js';

const ROOT = 'aaaaaaaaaaaaaaa1';
const CHILD = 'bbbbbbbbbbbbbbb2';
const GRANDCHILD = 'ccccccccccccccc3';

function httpTrace() {
  return traces({
    shop: [
      {
        id: ROOT,
        name: 'GET',
        kind: SpanKind.SERVER,
        attrs: { 'http.request.method': 'GET', 'http.route': '/users/:id' },
      },
      { id: CHILD, parent: ROOT, name: 'load user' },
      { id: GRANDCHILD, parent: CHILD, name: 'SELECT users' },
    ],
  });
}

describe('span index: local root and trace endpoint', () => {
  it('walks up to the HTTP server root and takes "METHOD route" as the endpoint', () => {
    const idx = new InMemorySpanIndex();
    assert.equal(idx.put(httpTrace()), 3);
    const ctx = idx.get(GRANDCHILD)!;
    assert.equal(ctx.spanId, GRANDCHILD);
    assert.equal(ctx.traceId, TRACE_A);
    assert.equal(ctx.parentSpanId, CHILD);
    assert.equal(ctx.name, 'SELECT users');
    assert.equal(ctx.service, 'shop');
    assert.equal(ctx.localRootSpanId, ROOT);
    assert.equal(ctx.traceEndpoint, 'GET /users/:id');
    assert.equal(ctx.missingAncestorId, '');
    assert.equal(ctx.startUnixNano, 1_700_000_000_000_000_000n);
    const root = idx.get(ROOT)!;
    assert.equal(root.localRootSpanId, ROOT);
    assert.equal(root.parentSpanId, '');
    assert.equal(root.traceEndpoint, 'GET /users/:id');
  });

  it('reads the older http.method convention, and falls back to the name without a route or off a server span', () => {
    const attrs = (a: Record<string, string>) =>
      makeSpan({
        traceId: new Uint8Array(16),
        spanId: new Uint8Array(8),
        name: 'n',
        kind: SpanKind.SERVER,
        attributes: Object.entries(a).map(([key, v]) => ({ key, value: { stringValue: v }, keyStrindex: 0 })),
      });
    assert.equal(endpointOf(attrs({ 'http.method': 'POST', 'http.route': '/orders' })), 'POST /orders');
    assert.equal(endpointOf(attrs({ 'http.request.method': 'GET' })), 'n');
    assert.equal(endpointOf(attrs({ 'http.route': '/x' })), 'n');
    assert.equal(endpointOf({ ...attrs({ 'http.request.method': 'GET', 'http.route': '/x' }), kind: SpanKind.CLIENT }), 'n');
  });

  it('stops at a span whose flags say its parent is remote', () => {
    const idx = new InMemorySpanIndex();
    idx.put(
      traces({
        shop: [
          { id: CHILD, parent: ROOT, name: 'consume', flags: 0x301 },
          { id: GRANDCHILD, parent: CHILD },
        ],
      }),
    );
    const ctx = idx.get(GRANDCHILD)!;
    assert.equal(ctx.localRootSpanId, CHILD);
    assert.equal(ctx.traceEndpoint, 'consume');
    assert.equal(ctx.missingAncestorId, '');
  });

  it('does not cross into a parent of another service', () => {
    const idx = new InMemorySpanIndex();
    idx.put(
      traces({
        frontend: [{ id: ROOT, name: 'frontend root', kind: SpanKind.SERVER, attrs: { 'http.request.method': 'GET', 'http.route': '/' } }],
        // No remote flags at all (an older SDK): the service boundary decides.
        backend: [
          { id: CHILD, parent: ROOT, name: 'backend handler', flags: 0x01 },
          { id: GRANDCHILD, parent: CHILD, name: 'work' },
        ],
      }),
    );
    const ctx = idx.get(GRANDCHILD)!;
    assert.equal(ctx.service, 'backend');
    assert.equal(ctx.localRootSpanId, CHILD);
    assert.equal(ctx.traceEndpoint, 'backend handler');
    assert.equal(idx.get(ROOT)!.localRootSpanId, ROOT);
  });

  it('resolves the local root lazily when the root arrives after its children', () => {
    const idx = new InMemorySpanIndex();
    const all = httpTrace().resourceSpans[0]!;
    const [rootSpan, child, grandchild] = all.scopeSpans[0]!.spans;
    const only = (...spans: (typeof rootSpan)[]) => ({ resourceSpans: [{ ...all, scopeSpans: [{ ...all.scopeSpans[0]!, spans }] }] });
    idx.put(only(grandchild!, child!));
    const early = idx.get(GRANDCHILD)!;
    assert.equal(early.missingAncestorId, ROOT, 'the walk says what it is missing');
    assert.equal(early.localRootSpanId, CHILD, 'best guess: the outermost ancestor present');
    assert.equal(early.traceEndpoint, 'load user');
    idx.put(only(rootSpan!));
    const late = idx.get(GRANDCHILD)!;
    assert.equal(late.missingAncestorId, '');
    assert.equal(late.localRootSpanId, ROOT);
    assert.equal(late.traceEndpoint, 'GET /users/:id');
  });

  it('does not follow a parent id that belongs to another trace', () => {
    const idx = new InMemorySpanIndex();
    idx.put(
      traces({
        shop: [
          { id: ROOT, trace: TRACE_B, name: 'other trace' },
          { id: CHILD, parent: ROOT, name: 'mine' },
        ],
      }),
    );
    assert.equal(idx.get(CHILD)!.localRootSpanId, CHILD);
  });

  it('bounds the walk on a parent cycle', () => {
    const idx = new InMemorySpanIndex({ maxAncestorDepth: 8 });
    idx.put(
      traces({
        shop: [
          { id: ROOT, parent: CHILD },
          { id: CHILD, parent: ROOT },
        ],
      }),
    );
    const ctx = idx.get(ROOT)!;
    assert.ok([ROOT, CHILD].includes(ctx.localRootSpanId));
  });

  it('skips invalid spans, answers undefined for unknown or malformed ids, and refreshes a re-sent span', async () => {
    const idx = new InMemorySpanIndex();
    const req = traces({ shop: [{ id: ROOT, name: 'first' }] });
    const spans = req.resourceSpans[0]!.scopeSpans[0]!.spans;
    spans.push(
      { ...spans[0]!, spanId: new Uint8Array(8) },
      { ...spans[0]!, spanId: new Uint8Array(4).fill(1) },
      { ...spans[0]!, spanId: new Uint8Array(8).fill(2), traceId: new Uint8Array(16) },
    );
    assert.equal(idx.put(req), 1);
    assert.equal(idx.get('0000000000000000'), undefined);
    assert.equal(idx.get('nothex!!nothex!!'), undefined);
    assert.equal(idx.get(CHILD), undefined);
    idx.put(traces({ shop: [{ id: ROOT, name: 'second' }] }));
    assert.equal(idx.size, 1);
    assert.equal(idx.get(ROOT)!.name, 'second');
    const found = await idx.lookup([ROOT, CHILD, ROOT.toUpperCase()]);
    assert.deepEqual([...found.keys()], [ROOT, ROOT.toUpperCase()]);
  });

  it('names spans without a service.name "unknown_service"', () => {
    const idx = new InMemorySpanIndex();
    const req = traces({ x: [{ id: ROOT }] });
    req.resourceSpans[0]!.resource = undefined;
    idx.put(req);
    assert.equal(idx.get(ROOT)!.service, 'unknown_service');
  });
});

describe('span index: eviction', () => {
  it('evicts by age, oldest first, between ttl and ttl + ttl/64', () => {
    let now = 1_000_000;
    const ttl = 64_000;
    const idx = new InMemorySpanIndex({ ttlMs: ttl, now: () => now });
    idx.put(traces({ s: [{ id: sid(1) }, { id: sid(2) }] }));
    now += ttl / 2;
    idx.put(traces({ s: [{ id: sid(3) }] }));
    now += ttl / 2 - 1;
    assert.ok(idx.get(sid(1)), 'not evicted before the ttl');
    now += 1 + ttl / 64;
    assert.equal(idx.get(sid(1)), undefined);
    assert.equal(idx.get(sid(2)), undefined);
    assert.ok(idx.get(sid(3)));
    assert.equal(idx.size, 1);
    assert.equal(idx.evictions, 2);
    now += ttl;
    assert.equal(idx.get(sid(3)), undefined);
    assert.equal(idx.size, 0);
    // And it keeps working afterwards.
    idx.put(traces({ s: [{ id: sid(4) }] }));
    assert.ok(idx.get(sid(4)));
  });

  it('evicts by bytes, oldest first, and stays within the bound', () => {
    const maxBytes = 64 * 1024;
    const idx = new InMemorySpanIndex({ maxBytes });
    const n = 5000;
    for (let i = 0; i < n; i += 10) {
      idx.put(traces({ s: Array.from({ length: 10 }, (_, k) => ({ id: sid(i + k), name: `op-${(i + k) % 7}` })) }));
      assert.ok(idx.bytes <= maxBytes, `bytes ${idx.bytes} over ${maxBytes} after ${i + 10} spans`);
    }
    assert.ok(idx.size > 100 && idx.size < n, `size ${idx.size}`);
    assert.equal(idx.size + idx.evictions, n);
    // The survivors are exactly the newest `size` spans.
    for (let i = 0; i < n; i++) assert.equal(idx.get(sid(i)) !== undefined, i >= n - idx.size, `span ${i}`);
  });

  it('shrinks the ring to make room when distinct strings grow, and stays within the bound', () => {
    const maxBytes = 64 * 1024;
    const idx = new InMemorySpanIndex({ maxBytes });
    for (let i = 0; i < 3000; i++) {
      idx.put(traces({ s: [{ id: sid(i), name: `SELECT * FROM t WHERE id = ${i} -- a long, unique span name` }] }));
      assert.ok(idx.bytes <= maxBytes, `bytes ${idx.bytes} over ${maxBytes} after ${i + 1} spans`);
    }
    assert.ok(idx.size > 50, `size ${idx.size}`);
    assert.equal(idx.get(sid(2999))!.name, 'SELECT * FROM t WHERE id = 2999 -- a long, unique span name');
    assert.equal(idx.get(sid(0)), undefined);
    // Evicted spans released their strings.
    assert.ok(idx.distinctStrings <= idx.size + 2, `${idx.distinctStrings} strings for ${idx.size} spans`);
  });

  it('a span whose strings alone exceed the bound is not kept, and the index recovers', () => {
    const idx = new InMemorySpanIndex({ maxBytes: 16 * 1024 });
    idx.put(traces({ s: [{ id: sid(1), name: 'x'.repeat(40_000) }] }));
    assert.equal(idx.get(sid(1)), undefined);
    assert.ok(idx.bytes <= 16 * 1024);
    idx.put(traces({ s: [{ id: sid(2), name: 'small' }] }));
    assert.equal(idx.get(sid(2))!.name, 'small');
  });

  it('keeps every field of every span when a wrapped ring grows', () => {
    // Age eviction moves the ring's start forward; refilling wraps it round the end of the
    // columns; growing then re-lays the two runs from slot 0.
    let now = 1_000_000;
    const ttl = 64_000;
    const idx = new InMemorySpanIndex({ ttlMs: ttl, now: () => now });
    const batch = (from: number, n: number) =>
      traces({
        svc: Array.from({ length: n }, (_, k) => ({
          id: sid(from + k),
          parent: k % 4 === 0 ? undefined : sid(from + k - 1),
          name: `op-${(from + k) % 5}`,
          trace: (from + k) % 2 === 0 ? TRACE_A : TRACE_B,
        })),
      });
    idx.put(batch(0, 600)); // fills 600 of the first 1024 slots
    now += ttl + ttl / 32; // ...which age out
    idx.put(batch(600, 1024)); // the ring now starts at slot 600 and wraps
    idx.put(batch(1624, 900)); // full: grows from 1024 slots
    assert.equal(idx.size, 1924);
    assert.equal(idx.evictions, 600);
    for (let i = 0; i < 600; i++) assert.equal(idx.get(sid(i)), undefined);
    for (let i = 600; i < 2524; i++) {
      const ctx = idx.get(sid(i))!;
      assert.ok(ctx, `span ${i}`);
      assert.equal(ctx.name, `op-${i % 5}`);
      assert.equal(ctx.traceId, i % 2 === 0 ? TRACE_A : TRACE_B);
      const first = i < 1624 ? 600 : 1624;
      const own = (i - first) % 4 === 0;
      assert.equal(ctx.parentSpanId, own ? '' : sid(i - 1));
      // Parents are in the other trace: every span is its own local root.
      assert.equal(ctx.localRootSpanId, sid(i));
      assert.equal(ctx.missingAncestorId, '');
      assert.equal(ctx.startUnixNano, 1_700_000_000_000_000_000n);
      assert.equal(ctx.endUnixNano, 1_700_000_000_500_000_000n);
    }
  });

  it('a batched answer keeps its names when the index changes before the join applies it', () => {
    let now = 1_000_000;
    const idx = new InMemorySpanIndex({ ttlMs: 1000, now: () => now });
    idx.put(
      traces({
        shop: [
          { id: sid(1), name: 'checkout' },
          { id: sid(2), name: 'pay' },
        ],
      }),
    );
    const req: ExportProfilesServiceRequest = profiles([{ span: sid(1) }, { span: sid(2) }]);
    const plan = planJoin(req);
    const answer = idx.resolve(plan.ids);
    // Both spans age out (their strings are released) and new spans with other names take
    // the freed string ids.
    now += 2000;
    idx.put(
      traces({
        other: [
          { id: sid(3), name: 'render' },
          { id: sid(4), name: 'sleep' },
        ],
      }),
    );
    assert.equal(idx.get(sid(1)), undefined);
    const out = plan.apply(answer);
    assert.equal(out.linked, 2);
    const d = out.request.dictionary!;
    const valuesOf = (key: string) => d.attributeTable.filter((a) => d.stringTable[a.keyStrindex] === key).map((a) => a.value?.stringValue);
    assert.deepEqual(valuesOf(SPAN_NAME_ATTR), ['checkout', 'pay']);
    assert.deepEqual(valuesOf(TRACE_ENDPOINT_ATTR), ['checkout', 'pay']);
  });

  it('behaves like a FIFO map under random puts, re-puts and evictions (hash deletion stays consistent)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 1500 }), (ops) => {
        const idx = new InMemorySpanIndex({ maxBytes: 16 * 1024 });
        const order: number[] = []; // first-insertion order of live ids
        const names = new Map<number, string>();
        for (const [id, v] of ops) {
          idx.put(traces({ s: [{ id: sid(id), name: `n${v}` }] }));
          if (!names.has(id)) order.push(id);
          names.set(id, `n${v}`);
          // Model eviction: the index keeps the newest `size` distinct ids.
          while (order.length > idx.size) names.delete(order.shift()!);
        }
        for (const [id, name] of names) assert.equal(idx.get(sid(id))?.name, name);
        assert.equal(names.size, idx.size);
        for (let id = 0; id <= 3000; id++) if (!names.has(id)) assert.equal(idx.get(sid(id)), undefined);
      }),
      { numRuns: 25 },
    );
  });
});
