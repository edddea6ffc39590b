// The batched linker (span ids as words, the index answering in columns) must give exactly
// what the first, per-sample linker gave — same request out, same counts, same pending set —
// on random valid requests whose samples name spans through links and through attributes,
// against an index that knows some of those spans (some in another trace, some with
// missing or cross-service ancestors).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hexOf } from '../../src/otlp/ids.js';
import { SpanKind, type ExportProfilesServiceRequest, type KeyValueAndUnit } from '../../src/otlp/model.js';
import { linkProfiles, planJoin, referencedSpanIds } from '../../src/join/linker.js';
import { resolveSpans } from '../../src/join/span-index.js';
import { InMemorySpanIndex, type SpanIndex } from '../../src/join/span-index.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_NAME_ATTR } from '../../src/join/attributes.js';
import { arbProfilesRequest } from '../helpers/otlp-arbitraries.js';
import { referenceLinkProfiles, referenceSpanIds } from './linker-reference.js';
import { traces, TRACE_A, type SpanSpec } from './data.js';

interface SpanChoice {
  known: boolean;
  /** -1: no parent; -2: a parent the index never sees; else another referenced span. */
  parent: number;
  otherTrace: boolean;
  service: 'a' | 'b';
  server: boolean;
  name: string;
}

interface AttrChoice {
  /** Which referenced span (mod their count) the attribute names. */
  span: number;
  key: 'span_id' | 'span.id' | 'span id' | 'trace_id' | typeof SPAN_NAME_ATTR | typeof LOCAL_ROOT_SPAN_ID_ATTR;
  upper: boolean;
}

const arbCase = fc.record({
  request: arbProfilesRequest(),
  spans: fc.array(
    fc.record({
      known: fc.boolean(),
      parent: fc.integer({ min: -2, max: 6 }),
      otherTrace: fc.boolean(),
      service: fc.constantFrom<'a' | 'b'>('a', 'b'),
      server: fc.boolean(),
      name: fc.constantFrom('GET', 'SELECT', 'render'),
    }),
    { minLength: 7, maxLength: 7 },
  ),
  attrs: fc.array(
    fc.record({
      span: fc.nat(20),
      key: fc.constantFrom<AttrChoice['key']>('span_id', 'span.id', 'span id', 'trace_id', SPAN_NAME_ATTR, LOCAL_ROOT_SPAN_ID_ATTR),
      upper: fc.boolean(),
    }),
    { maxLength: 6 },
  ),
  /** Per sample (by position, cycled): which added attributes it gets. */
  picks: fc.array(fc.array(fc.nat(5), { maxLength: 3 }), { maxLength: 8 }),
});

/** Adds span-id / trace-id / join-key attributes naming the request's own link spans, and hands them to samples. */
function withIdAttributes(req: ExportProfilesServiceRequest, attrs: AttrChoice[], picks: number[][]): ExportProfilesServiceRequest {
  const d = req.dictionary!;
  const links = d.linkTable.filter((l) => l.spanId.length === 8);
  if (links.length === 0 || attrs.length === 0) return req;
  const added: number[] = [];
  for (const a of attrs) {
    const link = links[a.span % links.length]!;
    const keyStrindex = d.stringTable.push(a.key) - 1;
    let text: string;
    if (a.key === 'span id') text = BigInt('0x' + (hexOf(link.spanId) || '0')).toString();
    else if (a.key === 'trace_id') text = hexOf(link.traceId);
    else text = hexOf(link.spanId);
    const kv: KeyValueAndUnit = { keyStrindex, unitStrindex: 0, value: { stringValue: a.upper ? text.toUpperCase() : text } };
    added.push(d.attributeTable.push(kv) - 1);
  }
  let k = 0;
  for (const rp of req.resourceProfiles)
    for (const sp of rp.scopeProfiles)
      for (const p of sp.profiles)
        for (const s of p.samples) {
          const pick = picks.length ? picks[k++ % picks.length]! : [];
          for (const i of pick) if (i < added.length) s.attributeIndices.push(added[i]!);
        }
  return req;
}

/** An index holding the chosen spans among those the request references. */
function indexFor(req: ExportProfilesServiceRequest, choices: SpanChoice[]): InMemorySpanIndex {
  const ids = [...referenceSpanIds(req)].sort();
  const traceOf = new Map<string, string>();
  for (const l of req.dictionary!.linkTable) if (l.spanId.length === 8 && l.traceId.length === 16) traceOf.set(hexOf(l.spanId), hexOf(l.traceId));
  const byService: Record<string, SpanSpec[]> = {};
  ids.forEach((id, i) => {
    const c = choices[i % choices.length]!;
    if (!c.known) return;
    const own = traceOf.get(id);
    const trace = c.otherTrace || !own || /^0+$/.test(own) ? TRACE_A : own;
    const parent = c.parent === -1 ? undefined : c.parent === -2 ? 'feedfacefeedface' : ids[c.parent % ids.length];
    (byService[c.service] ??= []).push({
      id,
      trace,
      parent: parent === id ? undefined : parent,
      name: c.name,
      kind: c.server ? SpanKind.SERVER : SpanKind.INTERNAL,
      attrs: c.server ? { 'http.request.method': 'GET', 'http.route': '/r' } : {},
    });
  });
  const idx = new InMemorySpanIndex();
  idx.put(traces(byService));
  return idx;
}

describe('batched linker', () => {
  it('joins random requests exactly as the per-sample reference linker does, through both lookup forms', async () => {
    let joined = 0;
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ request, spans, attrs, picks }) => {
        const req = withIdAttributes(structuredClone(request), attrs, picks);
        const idx = indexFor(req, spans);
        const before = structuredClone(req);
        const expected = referenceLinkProfiles(req, (id) => idx.get(id));
        assert.deepEqual([...referencedSpanIds(req)].sort(), [...referenceSpanIds(req)].sort());

        // The index's batched form (what the processor uses with the in-memory index).
        const plan = planJoin(req);
        const batched = plan.apply(await resolveSpans(idx, plan.ids));
        assert.deepEqual(batched, expected);
        // An index with only `lookup` (e.g. a shared one): hex ids in, contexts out.
        const lookupOnly: SpanIndex = { put: () => 0, lookup: (ids) => idx.lookup(ids), size: 0, bytes: 0, evictions: 0 };
        const plan2 = planJoin(req);
        assert.deepEqual(plan2.apply(await resolveSpans(lookupOnly, plan2.ids)), expected);
        // The public one-call form.
        assert.deepEqual(
          linkProfiles(req, (id) => idx.get(id)),
          expected,
        );
        assert.deepEqual(req, before, 'the input request must not change');
        joined += expected.linked;
      }),
      { numRuns: 300 },
    );
    assert.ok(joined > 0, 'the generated cases must join some samples');
  });
});
