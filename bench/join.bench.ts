// The span join: how fast spans are indexed and samples joined, and what an indexed span
// costs in memory — by the index's own accounting and by the process heap, next to a plain
// Map of objects holding the same spans, measured in the same run.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest, Span } from '../src/otlp/model.js';
import { decodeProfilesRequest } from '../src/otlp/decode.js';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { planJoin } from '../src/join/linker.js';
import { resolveSpans } from '../src/join/span-index.js';
import { referenceLinkProfiles, referenceSpanIds } from '../test/join/linker-reference.js';
import { estimateRequestBytes } from '../src/join/processor.js';
import { InMemorySpanIndex } from '../src/join/span-index.js';
import { alternate, fmt, table, time, type BenchSuite } from './harness.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const BATCH = 1000;
const NAMES = Array.from({ length: 200 }, (_, i) => `GET /api/v1/resource/${i}`);

function idWords(i: number): [number, number] {
  return [Math.imul(i ^ 0x5bd1e995, 0x9e3779b1) >>> 0, (i + 1) >>> 0];
}

function idHex(i: number): string {
  const [hi, lo] = idWords(i);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** A reusable batch of spans; `fill(base)` writes ids base..base+BATCH-1 into it. */
function spanBatch(): { req: ExportTraceServiceRequest; fill(base: number): void } {
  const spans: Span[] = Array.from({ length: BATCH }, (_, k) =>
    makeSpan({
      traceId: new Uint8Array(16).fill((k % 255) + 1),
      spanId: new Uint8Array(8),
      parentSpanId: new Uint8Array(8),
      name: NAMES[k % NAMES.length]!,
      kind: k % 10 === 0 ? 2 : 1,
      startTimeUnixNano: 1_700_000_000_000_000_000n,
      endTimeUnixNano: 1_700_000_000_100_000_000n,
      flags: 0x101,
    }),
  );
  return {
    req: {
      resourceSpans: [
        { resource: makeResource({ 'service.name': 'bench' }), scopeSpans: [{ scope: makeScope(), spans, schemaUrl: '' }], schemaUrl: '' },
      ],
    },
    fill(base: number) {
      for (let k = 0; k < BATCH; k++) {
        const s = spans[k]!;
        const [hi, lo] = idWords(base + k);
        const v = new DataView(s.spanId.buffer);
        v.setUint32(0, hi);
        v.setUint32(4, lo);
        // Parent: the previous span; every tenth span is a root (chains of depth <= 9).
        const p = new DataView(s.parentSpanId.buffer);
        if (k % 10 === 0) p.setBigUint64(0, 0n);
        else {
          const [phi, plo] = idWords(base + k - 1);
          p.setUint32(0, phi);
          p.setUint32(4, plo);
        }
      }
    },
  };
}

function heapNow(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** What a straightforward index would keep per span. */
interface PlainSpan {
  spanId: string;
  traceId: string;
  parentSpanId: string;
  name: string;
  service: string;
  endpoint: string;
  startUnixNano: bigint;
  endUnixNano: bigint;
  flags: number;
}

function profileRequest(samples: number, distinctSpans: number, spanOffset: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const stacks = Array.from({ length: 64 }, (_, i) => b.stack([b.location([{ functionIndex: b.function(`fn${i}`, 'app.js'), line: i, column: 0 }])]));
  const out = Array.from({ length: samples }, (_, i) =>
    makeSample({
      stackIndex: stacks[i % stacks.length]!,
      values: [1],
      linkIndex: b.link(
        new Uint8Array(16).fill((((spanOffset + (i % distinctSpans)) % BATCH) % 255) + 1),
        Buffer.from(idHex(spanOffset + (i % distinctSpans)), 'hex'),
      ),
    }),
  );
  return makeProfilesRequest(b.dictionary, [makeProfile({ sampleType: b.valueType('samples', 'count'), samples: out })]);
}

export const suite: BenchSuite = {
  title: 'Span join',
  async run() {
    const N = 1_000_000;
    const loadBefore = loadavg()[0]!;
    const rows: (string | number)[][] = [];

    // --- indexing throughput, no eviction
    const batch = spanBatch();
    let index = new InMemorySpanIndex({ maxBytes: 512 * 2 ** 20, ttlMs: 3_600_000 });
    const before = heapNow();
    let t0 = performance.now();
    for (let base = 0; base < N; base += BATCH) {
      batch.fill(base);
      index.put(batch.req);
    }
    const indexMs = performance.now() - t0;
    const indexHeap = heapNow() - before;
    rows.push(['index 1 M spans (no eviction)', `${fmt((N / indexMs) * 1000)} spans/s`]);

    // --- indexing throughput with eviction under 64 MiB (2 M spans through it)
    const bounded = new InMemorySpanIndex({ maxBytes: 64 * 2 ** 20, ttlMs: 3_600_000 });
    t0 = performance.now();
    for (let base = 0; base < 2 * N; base += BATCH) {
      batch.fill(base);
      bounded.put(batch.req);
    }
    const boundedMs = performance.now() - t0;
    rows.push([
      `index 2 M spans under 64 MiB (keeps ${fmt(bounded.size)}, evicts ${fmt(bounded.evictions)})`,
      `${fmt(((2 * N) / boundedMs) * 1000)} spans/s`,
    ]);

    // --- lookups (local-root walk included)
    const ids = Array.from({ length: 100_000 }, (_, i) => idHex((i * 9973) % N));
    const lookupT = await time(
      () => {
        for (const id of ids) index.get(id);
      },
      5,
      1,
    );
    rows.push(['get (with local-root walk), 100 k random ids', `${fmt((ids.length / lookupT.medianMs) * 1000)} lookups/s`]);

    // --- joining samples, as the processor does it: the batched linker (span ids as words,
    // the index answering in columns) and the first, per-sample linker (hex ids, a Map of
    // SpanContext objects), run in alternation so both see the same machine load. Each turn
    // of the batched linker is a block of BLOCK consecutive calls (it is 10x faster; one call
    // is too short to time under load). No GC is forced between turns: a forced full GC
    // shrinks the young generation, and even a forced minor GC made the batched calls after it
    // 1.5x slower, so either would measure the GC rather than the join.
    const BLOCK = 10;
    const joins: { label: string; req: ExportProfilesServiceRequest }[] = [
      { label: '10 k samples, 1 k distinct spans', req: profileRequest(10_000, 1000, N - 5000) },
      { label: '10 k samples, 10 k distinct spans (one span per sample)', req: profileRequest(10_000, 10_000, N - 20_000) },
    ];
    const joinMedians: string[] = [];
    for (const { label, req } of joins) {
      /** Each batched block's ms per call, warm-up included (the first 2). */
      const blocks: number[] = [];
      const batched = async () => {
        const t = performance.now();
        for (let k = 0; k < BLOCK; k++) {
          const plan = planJoin(req);
          const r = plan.apply(await resolveSpans(index, plan.ids));
          if (r.linked !== 10_000) throw new Error(`linked ${r.linked}`);
        }
        blocks.push((performance.now() - t) / BLOCK);
      };
      const perSample = async () => {
        const known = await index.lookup(referenceSpanIds(req));
        const r = referenceLinkProfiles(req, (id) => known.get(id));
        if (r.linked !== 10_000) throw new Error(`linked ${r.linked}`);
      };
      const [blockNew, tOld] = await alternate([batched, perSample], 15, 2);
      const tNew = blockNew! / BLOCK;
      const best = Math.min(...blocks.slice(2));
      rows.push([
        `join a request: ${label} (lookup + link), batched linker`,
        `${fmt((10_000 / tNew) * 1000)} samples/s (best block: ${fmt((10_000 / best) * 1000)} samples/s)`,
      ]);
      rows.push([
        `join a request: ${label}, first per-sample linker (same run, alternated)`,
        `${fmt((10_000 / tOld!) * 1000)} samples/s (batched is ${(tOld! / tNew).toFixed(1)}×)`,
      ]);
      joinMedians.push(`${tNew.toFixed(2)} ms batched / ${tOld!.toFixed(2)} ms per-sample (${label})`);
    }

    // --- memory per span
    const accounted = index.bytes / index.size;
    const measured = indexHeap / index.size;
    const size = index.size;
    index = undefined as unknown as InMemorySpanIndex;
    heapNow();

    const mapBefore = heapNow();
    const plain = new Map<string, PlainSpan>();
    for (let i = 0; i < N; i++) {
      plain.set(idHex(i), {
        spanId: idHex(i),
        traceId: idHex(i) + idHex(i + 1),
        parentSpanId: i % 10 === 0 ? '' : idHex(i - 1),
        name: NAMES[i % NAMES.length]!,
        service: 'bench',
        endpoint: NAMES[i % NAMES.length]!,
        startUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
        endUnixNano: 1_700_000_000_100_000_000n + BigInt(i),
        flags: 0x101,
      });
    }
    const mapHeap = heapNow() - mapBefore;
    const mapPerSpan = mapHeap / plain.size;
    plain.clear();

    // --- the hold bound's request size estimate against the heap of decoded requests
    const wire = encodeProfilesRequest(profileRequest(10_000, 1000, 0));
    const copies = 20;
    const decodedBefore = heapNow();
    const kept: ExportProfilesServiceRequest[] = [];
    for (let i = 0; i < copies; i++) kept.push(decodeProfilesRequest(wire));
    const decodedHeap = (heapNow() - decodedBefore) / copies;
    const estimate = estimateRequestBytes(kept[0]!);
    kept.length = 0;

    const memRows = [
      ['InMemorySpanIndex, own accounting (`bytes` / size)', accounted.toFixed(1), '1.00'],
      ['InMemorySpanIndex, process heap + array buffers delta', measured.toFixed(1), (measured / accounted).toFixed(2)],
      ['plain Map<hex, object> of the same spans, heap delta', mapPerSpan.toFixed(1), (mapPerSpan / accounted).toFixed(2)],
    ];
    return [
      table(['operation', 'throughput'], rows),
      '',
      `Bytes per indexed span, ${fmt(size)} spans, ${NAMES.length} distinct names (ratio to the index's own figure):`,
      '',
      table(['store', 'bytes / span', 'ratio'], memRows),
      '',
      `Hold-bound estimate of a decoded 10 k-sample request (1 k links, ${wire.length} B on the wire): estimateRequestBytes = ${fmt(estimate)} B, heap delta per decoded copy = ${fmt(decodedHeap)} B (ratio ${(estimate / decodedHeap).toFixed(2)}).`,
      '',
      `Index time for 1 M spans: ${indexMs.toFixed(0)} ms; join medians per 10 k-sample request (batched: median block of ${BLOCK} calls / ${BLOCK}): ${joinMedians.join('; ')}.`,
      'In the one-span-per-sample request every span is its own local root (its parent is in another trace), so every sample also gets its own `local_root_span.id` value: the worst case for the join.',
      "Heap deltas are taken after two forced GCs; the index's `bytes` counts allocated (not used) column and hash capacity, so it includes growth headroom.",
      'The plain Map keeps hex strings and bigints per span, with names shared from a pool (the most favourable case for it).',
      `1-minute load average at start / end of this suite: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} (throughputs scale with it; the byte figures do not).`,
    ].join('\n');
  },
};
