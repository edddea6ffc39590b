// Property: converting request bytes through the columnar decode (samples as typed arrays,
// what the worker tasks run) gives exactly what decoding to objects and converting gives —
// the same pprof bytes, errors, ids, series, windows, endpoint counts and lazily built
// models — and validating the columns keeps, refuses and explains the same profiles. Bytes
// come from random requests (several resources, scopes and profiles, multi-value samples,
// attributes, links, timestamps), some made invalid the ways the validator refuses; then
// re-encoded with each sample's fields split into packed and unpacked runs, repeated and
// interleaved with unknown fields, and each stack's location indices likewise (the stack
// table is decoded as columns too), some stacks in a second dictionary field; or cut and
// overwritten, so that both decoders must fail with the same error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { ExportProfilesServiceRequest, Sample } from '../../src/otlp/model.js';
import { decodeProfilesRequest } from '../../src/otlp/decode.js';
import { encodeProfilesRequest } from '../../src/otlp/encode.js';
import { decodeProfilesRequestColumnar, type ColumnarProfilesRequest } from '../../src/otlp/columns/decode.js';
import { stackAt } from '../../src/otlp/columns/stacks.js';
import { ColumnsPool } from '../../src/otlp/columns/samples.js';
import { encodeInstrumentationScope, encodeProfile, encodeProfilesDictionary, encodeResource } from '../../src/generated/otlp/encode.js';
import { Writer } from '../../src/protobuf/writer.js';
import { encodeProfilesRequestPprof } from '../../src/pprof/encode-direct.js';
import { pprofSummary } from '../../src/pprof/encode.js';
import type { ConvertResult, TimestampMode } from '../../src/pprof/convert.js';
import { checkedProfiles, checkedProfilesColumnar } from '../../src/receivers/otlp/checked.js';
import { exportPprof, pprofOfRequest } from '../../src/workers/tasks.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/otlp/prescan/index.js';
import { arbProfilesRequest } from '../helpers/otlp-arbitraries.js';
import { mulberry32 } from '../helpers/prng.js';

const SPECIAL_STRINGS = ['service.name', 'svc-a', 'svc-b', 'thread.name', 'span_id', 'trace_id', 'cpu', 'wall', 'samples', 'nanoseconds', 'count'];

/** How a sample is made invalid (or an index pushed out of range), by kind. */
type Breakage = { kind: number; at: number };

/** Special strings into the string table and, optionally, one broken sample or index. */
function shape(req: ExportProfilesServiceRequest, specials: [number, string][], breakage: Breakage | undefined): ExportProfilesServiceRequest {
  const d = req.dictionary!;
  for (const [at, s] of specials) if (d.stringTable.length > 1) d.stringTable[1 + (at % (d.stringTable.length - 1))] = s;
  if (breakage) {
    const samples = req.resourceProfiles.flatMap((rp) => rp.scopeProfiles.flatMap((sp) => sp.profiles.flatMap((p) => p.samples)));
    const s = samples.length === 0 ? undefined : samples[breakage.at % samples.length]!;
    if (s) {
      switch (breakage.kind) {
        case 0:
          s.values = [];
          s.timestampsUnixNano = [];
          break;
        case 1:
          s.values = [1, 2];
          s.timestampsUnixNano = [5n];
          break;
        case 2:
          s.values = s.values.length === 0 ? [-3] : s.values.map((v) => -Math.abs(v) - 1);
          s.timestampsUnixNano = s.timestampsUnixNano.length === 0 || s.timestampsUnixNano.length === s.values.length ? s.timestampsUnixNano : [];
          break;
        case 3:
          s.stackIndex = 10_000;
          break;
        case 4:
          s.linkIndex = 10_000;
          break;
        default:
          s.attributeIndices = [...s.attributeIndices, 10_000];
      }
    }
  }
  return req;
}

const specialsArb = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SPECIAL_STRINGS)), { maxLength: 8 });
const breakageArb = fc.option(fc.record({ kind: fc.nat(5), at: fc.nat() }), { nil: undefined });

const prng = mulberry32;

/**
 * A Sample message in a random legal wire form: each repeated field in runs, each run packed
 * or one tag per value, runs of different fields interleaved; scalars sometimes sent as an
 * explicit zero first; unknown fields between. Decodes to the same Sample.
 */
function writeSampleVariant(w: Writer, s: Sample, rand: () => number): void {
  // One queue of writes per field: a field's runs keep their order (values append, the last
  // scalar wins), the queues interleave at random.
  const queues: (() => void)[][] = [];
  const runs = <T>(list: readonly T[], packed: (run: T[]) => void, one: (v: T) => void): void => {
    const q: (() => void)[] = [];
    let i = 0;
    while (i < list.length) {
      const n = 1 + Math.floor(rand() * (list.length - i));
      const run = list.slice(i, i + n);
      i += n;
      q.push(rand() < 0.5 ? () => packed(run) : () => run.forEach(one));
    }
    queues.push(q);
  };
  const scalar = (tag: number, v: number): void => {
    const q: (() => void)[] = [];
    const write = (x: number) => () => {
      w.tag(tag);
      w.int32(x);
    };
    if (rand() < 0.3) q.push(write(0));
    if (v !== 0 || rand() < 0.3) q.push(write(v));
    queues.push(q);
  };
  scalar(8, s.stackIndex);
  scalar(24, s.linkIndex);
  runs(
    s.attributeIndices,
    (run) => w.packedInt32(18, run),
    (v) => {
      w.tag(16);
      w.int32(v);
    },
  );
  runs(
    s.values,
    (run) => w.packedInt64Number(34, run),
    (v) => {
      w.tag(32);
      w.int64Number(v);
    },
  );
  runs(
    s.timestampsUnixNano,
    (run) => w.packedFixed64Big(42, run),
    (v) => {
      w.tag(41);
      w.fixed64Big(v);
    },
  );
  // Unknown fields (a varint and a length-delimited one) are skipped.
  const unknown: (() => void)[] = [];
  if (rand() < 0.3)
    unknown.push(() => {
      w.tag(9 << 3);
      w.int32(7);
    });
  if (rand() < 0.3)
    unknown.push(() => {
      w.tag((12 << 3) | 2);
      w.bytes(new Uint8Array([1, 2, 3]));
    });
  queues.push(unknown);
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) break;
    open[Math.floor(rand() * open.length)]!.shift()!();
  }
}

/** The request with every sample in a random wire form (see writeSampleVariant). */
function variantBytes(req: ExportProfilesServiceRequest, seed: number): Uint8Array {
  const rand = prng(seed);
  const w = new Writer();
  for (const rp of req.resourceProfiles) {
    w.tag(10);
    const r0 = w.fork();
    if (rp.resource) {
      w.tag(10);
      const s = w.fork();
      encodeResource(w, rp.resource);
      w.join(s);
    }
    for (const sp of rp.scopeProfiles) {
      w.tag(18);
      const s0 = w.fork();
      if (sp.scope) {
        w.tag(10);
        const s = w.fork();
        encodeInstrumentationScope(w, sp.scope);
        w.join(s);
      }
      for (const p of sp.profiles) {
        w.tag(18);
        const p0 = w.fork();
        encodeProfile(w, { ...p, samples: [] });
        for (const s of p.samples) {
          w.tag(18);
          const at = w.fork();
          writeSampleVariant(w, s, rand);
          w.join(at);
        }
        w.join(p0);
      }
      if (sp.schemaUrl !== '') {
        w.tag(26);
        w.string(sp.schemaUrl);
      }
      w.join(s0);
    }
    if (rp.schemaUrl !== '') {
      w.tag(26);
      w.string(rp.schemaUrl);
    }
    w.join(r0);
  }
  if (req.dictionary) {
    // Stacks in random wire forms too, some of them (or all) in a second dictionary field,
    // whose tables append to the first's.
    const stacks = req.dictionary.stackTable;
    const split = Math.floor(rand() * (stacks.length + 1));
    w.tag(18);
    const s = w.fork();
    encodeProfilesDictionary(w, { ...req.dictionary, stackTable: [] });
    for (const st of stacks.slice(0, split)) writeStackVariant(w, st.locationIndices, rand);
    w.join(s);
    if (split < stacks.length || rand() < 0.2) {
      w.tag(18);
      const s2 = w.fork();
      for (const st of stacks.slice(split)) writeStackVariant(w, st.locationIndices, rand);
      w.join(s2);
    }
  }
  return w.finish();
}

/**
 * `req`, sometimes with one more stack, referenced by no sample, of location indices of every
 * varint width (one and two bytes, up to five, negative: ten): the tables here are small, and
 * the stack decoder reads one- and two-byte varints inline, longer ones apart.
 */
function withWideStack(req: ExportProfilesServiceRequest, seed: number): ExportProfilesServiceRequest {
  const rand = prng(seed ^ 0x5eed);
  if (!req.dictionary || rand() < 0.5) return req;
  const widths = [2 ** 7, 2 ** 14, 2 ** 21, 2 ** 28, 2 ** 31];
  const locationIndices = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => {
    if (rand() < 0.1) return -1 - Math.floor(rand() * 2 ** 31);
    return Math.floor(rand() * widths[Math.floor(rand() * widths.length)]!);
  });
  return { ...req, dictionary: { ...req.dictionary, stackTable: [...req.dictionary.stackTable, { locationIndices }] } };
}

/**
 * One stack_table entry (tag included) in a random legal wire form: its location indices in
 * runs, each packed or one tag per index, with unknown fields (and field 1 in a wire type
 * it does not have, which is skipped) between. Decodes to the same Stack.
 */
function writeStackVariant(w: Writer, indices: readonly number[], rand: () => number): void {
  w.tag(58);
  const at = w.fork();
  let i = 0;
  while (i < indices.length) {
    const n = 1 + Math.floor(rand() * (indices.length - i));
    const run = indices.slice(i, i + n);
    i += n;
    if (rand() < 0.5) w.packedInt32(10, run);
    else
      for (const v of run) {
        w.tag(8);
        w.int32(v);
      }
    if (rand() < 0.2) {
      w.tag(9 << 3);
      w.int32(7);
    }
    if (rand() < 0.1) {
      w.tag((1 << 3) | 5);
      w.fixed32(3);
    }
  }
  w.join(at);
}

function assertSameConversion(columnar: ConvertResult, objects: ConvertResult): void {
  assert.deepEqual(
    columnar.errors.map((e) => [e.code, e.message, e.position]),
    objects.errors.map((e) => [e.code, e.message, e.position]),
  );
  assert.equal(columnar.profiles.length, objects.profiles.length);
  columnar.profiles.forEach((c, i) => {
    const o = objects.profiles[i]!;
    assert.deepEqual(Buffer.from(c.pprof!), Buffer.from(o.pprof!), `profile ${i}: pprof bytes`);
    assert.equal(c.profileId, o.profileId);
    assert.equal(c.profileType, o.profileType);
    assert.deepEqual(c.seriesLabels, o.seriesLabels);
    assert.equal(c.startUnixNano, o.startUnixNano);
    assert.equal(c.durationNano, o.durationNano);
    assert.deepEqual(c.endpointCounts, o.endpointCounts);
    assert.deepEqual(pprofSummary(c), pprofSummary(o));
  });
}

/** The same tables, the columnar stack table holding the same stacks. */
function assertSameDictionary(columns: ColumnarProfilesRequest, objects: ExportProfilesServiceRequest): void {
  assert.equal(columns.dictionary === undefined, objects.dictionary === undefined);
  if (columns.dictionary === undefined || objects.dictionary === undefined) return;
  const { stackTable, ...rest } = columns.dictionary;
  const { stackTable: objectStacks, ...objectRest } = objects.dictionary;
  assert.deepEqual(rest, objectRest);
  assert.equal(stackTable.length, objectStacks.length);
  assert.deepEqual(
    Array.from({ length: stackTable.length }, (_, i) => stackAt(stackTable, i)),
    objectStacks,
  );
}

/** Both decoders on `bytes`: the same DecodeError, or requests that convert and validate alike. */
function assertSameFromBytes(bytes: Uint8Array, mode: TimestampMode): void {
  let objects: ExportProfilesServiceRequest | undefined;
  let objectError: Error | undefined;
  try {
    objects = decodeProfilesRequest(bytes);
  } catch (e) {
    objectError = e as Error;
  }
  if (objectError) {
    assert.throws(
      () => decodeProfilesRequestColumnar(bytes),
      (e: Error) => e.constructor === objectError.constructor && e.message === objectError.message,
    );
    return;
  }
  const columns = decodeProfilesRequestColumnar(bytes);
  assertSameDictionary(columns, objects!);
  const fromColumns = encodeProfilesRequestPprof(columns, { timestamps: mode });
  assertSameConversion(fromColumns, encodeProfilesRequestPprof(objects!, { timestamps: mode }));
  // The same columns once more, in the scratch the first build left: the encoder must leave
  // both as a new build finds them (the bench times it on columns decoded once).
  assertSameConversion(encodeProfilesRequestPprof(columns, { timestamps: mode }), fromColumns);
  const checkedObjects = checkedProfiles(bytes, 'proto');
  const checkedColumns = checkedProfilesColumnar(bytes);
  assert.equal(checkedColumns.rejected, checkedObjects.rejected);
  assert.deepEqual(checkedColumns.messages, checkedObjects.messages);
  assertSameConversion(
    encodeProfilesRequestPprof(checkedColumns.request, { timestamps: mode }),
    encodeProfilesRequestPprof(checkedObjects.request, { timestamps: mode }),
  );
}

const requestArb = fc.tuple(arbProfilesRequest(), specialsArb, breakageArb).map(([req, specials, breakage]) => shape(req, specials, breakage));

describe('columnar decode of profiles requests', () => {
  it('converts to the same pprof bytes and validates alike, in both timestamp modes', () => {
    fc.assert(
      fc.property(requestArb, fc.constantFrom<TimestampMode>('aggregate', 'label'), (req, mode) => {
        assertSameFromBytes(encodeProfilesRequest(req), mode);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes samples and stacks sent in any legal wire form (packed or not, split, repeated, unknown fields) the same', () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), (arbReq, seed) => {
        const req = withWideStack(arbReq, seed);
        const bytes = variantBytes(req, seed);
        // The variant is the same message: the object decoder reads it as the canonical form.
        assert.deepEqual(decodeProfilesRequest(bytes), decodeProfilesRequest(encodeProfilesRequest(req)));
        assertSameFromBytes(bytes, 'aggregate');
      }),
      { numRuns: 200 },
    );
  });

  it('fails on cut or overwritten bytes exactly as the object decoder does', () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (req, seed, at, byte, cut) => {
        const good = variantBytes(withWideStack(req, seed), seed);
        if (good.length === 0) return;
        const i = at % good.length;
        const bad = cut ? good.subarray(0, i) : Uint8Array.from(good, (b, k) => (k === i ? byte : b));
        assertSameFromBytes(bad, 'aggregate');
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same lazily built pprof-format models', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const bytes = encodeProfilesRequest(req);
        const columns = encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes));
        const objects = encodeProfilesRequestPprof(decodeProfilesRequest(bytes));
        columns.profiles.forEach((c, i) => assert.deepEqual(c.profile, objects.profiles[i]!.profile));
      }),
      { numRuns: 100 },
    );
  });

  it('decodes into pooled columns, request after request, what it decodes into its own', () => {
    const pool = new ColumnsPool();
    fc.assert(
      fc.property(fc.array(fc.tuple(requestArb, fc.nat(), fc.boolean()), { minLength: 1, maxLength: 4 }), (cases) => {
        for (const [req, seed, variant] of cases) {
          const bytes = variant ? variantBytes(req, seed) : encodeProfilesRequest(req);
          try {
            assertSameConversion(
              encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes, pool)),
              encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes)),
            );
            const pooled = checkedProfilesColumnar(bytes, pool);
            const own = checkedProfilesColumnar(bytes);
            assert.deepEqual(pooled.messages, own.messages);
            assertSameConversion(encodeProfilesRequestPprof(pooled.request), encodeProfilesRequestPprof(own.request));
          } finally {
            pool.release();
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('runs in the worker tasks with the outputs of the object path', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const bytes = encodeProfilesRequest(req);
        const checked = checkedProfiles(bytes, 'proto');
        const inline = encodeProfilesRequestPprof(checked.request);
        const viaTask = pprofOfRequest({ format: 'proto', body: bytes, limits: { values: DEFAULT_REQUEST_LIMITS, configKey: 'limits' } });
        assert.equal(viaTask.rejected, checked.rejected + inline.errors.length);
        assert.equal(viaTask.profiles.length, inline.profiles.length);
        // The tasks reuse this thread's columns and encoder buffers from one request to the next.
        viaTask.profiles.forEach((g, i) => assert.deepEqual(gunzipSync(g), Buffer.from(inline.profiles[i]!.pprof!), `pprof task, profile ${i}`));
        assert.equal(
          viaTask.samples,
          inline.profiles.reduce((n, p) => n + p.summary!.sampleCount, 0),
        );
        const exported = exportPprof({ body: bytes });
        const all = encodeProfilesRequestPprof(decodeProfilesRequest(bytes));
        assert.deepEqual(
          exported.errors,
          all.errors.map((e) => e.message),
        );
        assert.deepEqual(
          exported.meta.map((m) => m.profileId),
          all.profiles.map((p) => p.profileId),
        );
        exported.gzips.forEach((g, i) => assert.deepEqual(gunzipSync(g), Buffer.from(all.profiles[i]!.pprof!), `exportPprof task, profile ${i}`));
      }),
      { numRuns: 100 },
    );
  });
});
