// Property: the direct encoder (OTLP -> pprof bytes) gives, for every random request, exactly
// what the model converter and its encoder give: the same pprof bytes, the same per-profile
// errors, the same series, window, ids and endpoint counts; and its lazily built model is the
// converter's. Requests come from the generic OTLP arbitraries, with some strings replaced by
// the keys the converter treats specially (service.name, span and trace ids, span name,
// endpoint, root span id, build ids, sample types) and id-shaped values, and some indices pushed out of
// range, so splitting, context labels and rejections are all exercised.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { convertProfilesRequest, type ConvertResult, type TimestampMode } from '../../src/pprof/convert.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeEach, encodeProfilesRequestPprof, gzipProfilesRequestPprof } from '../../src/pprof/encode-direct.js';
import { encodePprof, PPROF_GZIP_OPTIONS, pprofBytesOf, pprofSummary } from '../../src/pprof/encode.js';
import { ConvertError } from '../../src/errors.js';
import { arbProfilesRequest } from '../helpers/otlp-arbitraries.js';
import { richRequest } from '../helpers/profile-fixtures.js';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample } from '../../src/otlp/build.js';

const SPECIAL_STRINGS = [
  'service.name',
  'process.executable.name',
  'span_id',
  'span.id',
  'span id',
  'trace_id',
  'trace.id',
  'span.name',
  'trace.endpoint',
  'trace endpoint',
  'local_root_span.id',
  'local root span id',
  'process.executable.build_id.gnu',
  'thread.name',
  'end_timestamp_ns',
  '0123456789abcdef',
  '0123456789abcdef0123456789abcdef',
  '12345678901234567890',
  'GET /users/:id',
  'svc-a',
  'svc-b',
  // Sample types: a sample count next to the wall or cpu time it counts is typed apart.
  'sample',
  'samples',
  'count',
  'wall',
  'cpu',
  'nanoseconds',
];

type Corruption = { table: number; at: number; value: number };

const specialsArb = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SPECIAL_STRINGS)), { maxLength: 10 });
const corruptArb = fc.option(fc.record({ table: fc.nat(6), at: fc.nat(), value: fc.constantFrom(-1, 1.5, 10_000) }), { nil: undefined });

/** Puts special strings into the string table and, optionally, one out-of-range index. */
function shape(req: ExportProfilesServiceRequest, specials: [number, string][], corrupt: Corruption | undefined): ExportProfilesServiceRequest {
  const d = req.dictionary!;
  for (const [at, s] of specials) if (d.stringTable.length > 1) d.stringTable[1 + (at % (d.stringTable.length - 1))] = s;
  if (corrupt) {
    const samples = req.resourceProfiles.flatMap((rp) => rp.scopeProfiles.flatMap((sp) => sp.profiles.flatMap((p) => p.samples)));
    const pick = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[corrupt.at % list.length]);
    const v = corrupt.value;
    switch (corrupt.table) {
      case 0: {
        const s = pick(samples);
        if (s) s.stackIndex = v;
        break;
      }
      case 1: {
        const s = pick(samples);
        if (s) s.linkIndex = v;
        break;
      }
      case 2: {
        const s = pick(samples);
        if (s) s.attributeIndices.push(v);
        break;
      }
      case 3: {
        const st = pick(d.stackTable.slice(1));
        if (st) st.locationIndices.push(v);
        break;
      }
      case 4: {
        const l = pick(d.locationTable.slice(1).flatMap((x) => x.lines));
        if (l) l.functionIndex = v;
        break;
      }
      case 5: {
        const f = pick(d.functionTable.slice(1));
        if (f) f.nameStrindex = v;
        break;
      }
      default: {
        const l = pick(d.locationTable.slice(1));
        if (l) l.mappingIndex = v;
      }
    }
  }
  return req;
}

function assertSame(direct: ConvertResult, model: ConvertResult): void {
  assert.deepEqual(
    direct.errors.map((e) => [e.code, e.message]),
    model.errors.map((e) => [e.code, e.message]),
  );
  assert.equal(direct.profiles.length, model.profiles.length);
  direct.profiles.forEach((d, i) => {
    const m = model.profiles[i]!;
    assert.ok(d.pprof, 'the direct result carries its bytes');
    assert.deepEqual(Buffer.from(d.pprof), Buffer.from(encodePprof(m.profile)), `profile ${i}: pprof bytes`);
    assert.equal(d.profileType, m.profileType);
    assert.deepEqual(d.seriesLabels, m.seriesLabels);
    assert.equal(d.startUnixNano, m.startUnixNano);
    assert.equal(d.durationNano, m.durationNano);
    assert.equal(d.profileId, m.profileId);
    assert.deepEqual(d.endpointCounts, m.endpointCounts);
    assert.deepEqual(pprofSummary(d), pprofSummary(m));
  });
}

describe('direct pprof encoder', () => {
  it('matches the model converter + encoder on random requests, in both timestamp modes', () => {
    fc.assert(
      fc.property(
        arbProfilesRequest(),
        specialsArb,
        corruptArb,
        fc.constantFrom<TimestampMode>('aggregate', 'label'),
        (req, specials, corrupt, mode) => {
          const r = shape(req, specials, corrupt);
          assertSame(encodeProfilesRequestPprof(r, { timestamps: mode }), convertProfilesRequest(r, { timestamps: mode }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gzips, from its kept output buffer, the same pprof with the same metadata and errors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbProfilesRequest(), specialsArb, corruptArb), { minLength: 1, maxLength: 3 }),
        fc.constantFrom<TimestampMode>('aggregate', 'label'),
        (cases, mode) => {
          // Several requests in a row, plain and gzip'd alternating, so that each reuses the
          // buffers the one before left (bigger or smaller, or dropped by a refused profile).
          const plain = cases.map(([req, specials, corrupt]) => {
            const r = shape(req, specials, corrupt);
            const direct = encodeProfilesRequestPprof(r, { timestamps: mode });
            const gzipped = gzipProfilesRequestPprof(r, { timestamps: mode });
            assert.deepEqual(
              gzipped.errors.map((e) => [e.code, e.message]),
              direct.errors.map((e) => [e.code, e.message]),
            );
            assert.equal(gzipped.profiles.length, direct.profiles.length);
            gzipped.profiles.forEach((g, i) => {
              const d = direct.profiles[i]!;
              assert.deepEqual(Buffer.from(g.gzip), gzipSync(d.pprof!, PPROF_GZIP_OPTIONS), `profile ${i}: gzip bytes`);
              assert.equal(g.gzip.byteOffset, 0);
              assert.equal(g.profileType, d.profileType);
              assert.deepEqual(g.seriesLabels, d.seriesLabels);
              assert.equal(g.startUnixNano, d.startUnixNano);
              assert.equal(g.durationNano, d.durationNano);
              assert.equal(g.profileId, d.profileId);
              assert.deepEqual(g.endpointCounts, d.endpointCounts);
              assert.deepEqual(g.summary, pprofSummary(d));
            });
            return { r, direct, gzips: gzipped.profiles.map((g) => g.gzip) };
          });
          // What was handed out earlier is untouched by the later builds.
          for (const { r, direct, gzips } of plain) {
            const model = convertProfilesRequest(r, { timestamps: mode });
            direct.profiles.forEach((d, i) => {
              assert.deepEqual(Buffer.from(d.pprof!), Buffer.from(encodePprof(model.profiles[i]!.profile)));
              assert.deepEqual(gunzipSync(gzips[i]!), Buffer.from(d.pprof!));
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('builds, on demand, the same model the converter builds', () => {
    fc.assert(
      fc.property(arbProfilesRequest(), specialsArb, (req, specials) => {
        const r = shape(req, specials, undefined);
        const direct = encodeProfilesRequestPprof(r);
        const model = convertProfilesRequest(r);
        direct.profiles.forEach((d, i) => {
          assert.deepEqual(d.profile, model.profiles[i]!.profile);
          assert.deepEqual(Buffer.from(pprofBytesOf(d)), Buffer.from(encodePprof(d.profile)));
        });
      }),
      { numRuns: 150 },
    );
  });

  it("keeps each sample's own label order when equal label sets list their attributes differently", () => {
    const b = new DictionaryBuilder();
    const fn = b.function('work', '/app/work.js', 1);
    const stack = b.stack([b.location([{ functionIndex: fn, line: 2, column: 0 }])]);
    const thread = b.attribute('thread.name', 'main');
    const tid = b.attribute('thread.id', 7n);
    const req = makeProfilesRequest(
      b.dictionary,
      [
        makeProfile({
          sampleType: b.valueType('cpu', 'nanoseconds'),
          samples: [
            makeSample({ stackIndex: stack, attributeIndices: [thread, tid], values: [1], timestampsUnixNano: [1n] }),
            makeSample({ stackIndex: stack, attributeIndices: [tid, thread], values: [2], timestampsUnixNano: [2n] }),
            makeSample({ stackIndex: stack, attributeIndices: [tid, thread], values: [3], timestampsUnixNano: [1n] }),
          ],
        }),
      ],
      makeResource({ 'service.name': 'svc' }),
    );
    for (const mode of ['aggregate', 'label'] as const)
      assertSame(encodeProfilesRequestPprof(req, { timestamps: mode }), convertProfilesRequest(req, { timestamps: mode }));
  });

  it('matches on the fixtures the conversion tests pin, and streams in the same order', () => {
    const { request } = richRequest();
    for (const mode of ['aggregate', 'label'] as const) {
      assertSame(encodeProfilesRequestPprof(request, { timestamps: mode }), convertProfilesRequest(request, { timestamps: mode }));
      const streamed = [...encodeEach(request, { timestamps: mode })];
      assert.equal(streamed.filter((x) => x instanceof ConvertError).length, 0);
      assert.ok(streamed.length >= 3);
    }
  });
});
