// Millions of spans through a bounded index: it must stay within its byte bound and keep
// exactly the newest spans. Ids are written into reused span objects (the index copies
// them), so generating 5 M spans costs little.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeResource, makeScope, makeSpan } from '../../src/otlp/build.js';
import type { ExportTraceServiceRequest, Span } from '../../src/otlp/model.js';
import { InMemorySpanIndex } from '../../src/join/span-index.js';

const TOTAL = 5_000_000;
const BATCH = 1000;
const MAX_BYTES = 64 * 2 ** 20;

/** Span id of the i-th span: a mixed high word (so ids spread over the hash) and i + 1 low. */
function idWords(i: number): [number, number] {
  return [Math.imul(i ^ 0x5bd1e995, 0x9e3779b1) >>> 0, (i + 1) >>> 0];
}

function idHex(i: number): string {
  const [hi, lo] = idWords(i);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

describe('span index bounds', () => {
  it(`indexes ${TOTAL / 1e6} M spans within ${MAX_BYTES / 2 ** 20} MiB, evicting oldest first`, () => {
    const idx = new InMemorySpanIndex({ maxBytes: MAX_BYTES, ttlMs: 3_600_000 });
    const spans: Span[] = Array.from({ length: BATCH }, (_, k) =>
      makeSpan({
        traceId: new Uint8Array(16).fill(7),
        spanId: new Uint8Array(8),
        parentSpanId: new Uint8Array(8),
        name: `GET /route/${k % 50}`,
        startTimeUnixNano: 1n,
        endTimeUnixNano: 2n,
        flags: 0x101,
      }),
    );
    const req: ExportTraceServiceRequest = {
      resourceSpans: [
        { resource: makeResource({ 'service.name': 'load' }), scopeSpans: [{ scope: makeScope(), spans, schemaUrl: '' }], schemaUrl: '' },
      ],
    };
    const idViews = spans.map((s) => new DataView(s.spanId.buffer));
    const parentViews = spans.map((s) => new DataView(s.parentSpanId.buffer));
    let maxSeen = 0;
    for (let base = 0; base < TOTAL; base += BATCH) {
      // Parent: the first span of the batch (which has none).
      const [phi, plo] = idWords(base);
      for (let k = 0; k < BATCH; k++) {
        const [hi, lo] = idWords(base + k);
        idViews[k]!.setUint32(0, hi);
        idViews[k]!.setUint32(4, lo);
        parentViews[k]!.setUint32(0, k === 0 ? 0 : phi);
        parentViews[k]!.setUint32(4, k === 0 ? 0 : plo);
      }
      assert.equal(idx.put(req), BATCH);
      maxSeen = Math.max(maxSeen, idx.bytes);
    }
    assert.ok(maxSeen <= MAX_BYTES, `bytes peaked at ${maxSeen}, over ${MAX_BYTES}`);
    const kept = idx.size;
    assert.ok(kept > 500_000, `only ${kept} spans fit`);
    assert.equal(kept + idx.evictions, TOTAL);
    const oldestKept = TOTAL - kept;
    for (const i of [0, 1, oldestKept - 1]) assert.equal(idx.get(idHex(i)), undefined, `span ${i} should be evicted`);
    for (let i = oldestKept; i < TOTAL; i += 997) assert.ok(idx.get(idHex(i)), `span ${i} should be kept`);
    for (const i of [oldestKept, TOTAL - 1]) assert.ok(idx.get(idHex(i)), `span ${i} should be kept`);
    // Local roots still resolve within a batch at the end.
    const last = idx.get(idHex(TOTAL - 1))!;
    assert.equal(last.localRootSpanId, idHex(TOTAL - BATCH));
    assert.equal(last.missingAncestorId, '');
  });
});
