// Property: for random valid OTLP profiles (duplicate dictionary entries, inline frames,
// mappings, attributes, links, all three sample shapes), convert -> encode -> independent
// decode preserves each sample type's total, and the value on every distinct stack (a
// sequence of function / file / line, leaf first).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ProfilesDictionary } from '../../src/otlp/model.js';
import { convertProfilesRequest, type TimestampMode } from '../../src/pprof/convert.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { decodePprofIndependent } from '../helpers/pprof-decoded.js';

const fnArb = fc.record({
  name: fc.constantFrom('', 'main', 'run', 'λ handler', 'a::b<T>', 'x'),
  system: fc.constantFrom('', '_Z3runv'),
  file: fc.constantFrom('', 'a.go', 'dir/b.js'),
  startLine: fc.nat(50),
  dup: fc.boolean(),
});
const locArb = fc.record({
  lines: fc.array(fc.record({ fn: fc.nat(), line: fc.nat(300), column: fc.nat(4) }), { maxLength: 3 }),
  mapping: fc.nat(3),
  address: fc.bigInt(0n, 2n ** 64n - 1n),
  dup: fc.boolean(),
});
const sampleArb = fc.record({
  stack: fc.array(fc.nat(), { maxLength: 6 }),
  shape: fc.constantFrom('values', 'timestamps', 'both'),
  values: fc.array(fc.integer({ min: -1000, max: 1_000_000 }), { minLength: 1, maxLength: 4 }),
  attrs: fc.subarray([0, 1, 2, 3]),
  link: fc.nat(2),
});
const profileArb = fc.record({
  type: fc.constantFrom(['samples', 'count'], ['cpu', 'nanoseconds'], ['alloc_space', 'bytes'], ['wall', 'nanoseconds']),
  samples: fc.array(sampleArb, { maxLength: 25 }),
});
const requestArb = fc.record({
  functions: fc.array(fnArb, { minLength: 1, maxLength: 8 }),
  locations: fc.array(locArb, { minLength: 1, maxLength: 10 }),
  profiles: fc.array(profileArb, { minLength: 1, maxLength: 3 }),
  mode: fc.constantFrom<TimestampMode>('aggregate', 'label'),
});

type Spec = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: Spec): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const d = b.dictionary;
  const fnIndex = spec.functions.map((f) => {
    if (!f.dup) return b.function(f.name, f.file, f.startLine, f.system);
    // A raw entry that repeats a value the builder may already hold, with its own strings.
    d.stringTable.push(f.name);
    const name = f.name === '' ? 0 : d.stringTable.length - 1;
    return (
      d.functionTable.push({
        nameStrindex: name,
        systemNameStrindex: f.system ? b.string(f.system) : 0,
        filenameStrindex: f.file ? b.string(f.file) : 0,
        startLine: f.startLine,
      }) - 1
    );
  });
  const mappings = [
    0,
    ...[1, 2, 3].map((i) =>
      b.mapping({ memoryStart: BigInt(i) << 20n, memoryLimit: BigInt(i + 1) << 20n, fileOffset: 0n, filenameStrindex: b.string(`/bin/m${i}`) }),
    ),
  ];
  const locIndex = spec.locations.map((l) => {
    const lines = l.lines.map((ln) => ({ functionIndex: fnIndex[ln.fn % fnIndex.length]!, line: ln.line, column: ln.column }));
    if (!l.dup) return b.location(lines, mappings[l.mapping]!, l.address);
    return d.locationTable.push({ mappingIndex: mappings[l.mapping]!, address: l.address, lines, attributeIndices: [] }) - 1;
  });
  const attrs = [b.attribute('thread.name', 't1'), b.attribute('thread.id', 3), b.attribute('span.name', 'op'), b.attribute('thread.name', 't2')];
  const links = [0, b.link(new Uint8Array(16).fill(7), new Uint8Array(8).fill(9)), b.link(new Uint8Array(16).fill(1), new Uint8Array(8).fill(2))];
  const profiles = spec.profiles.map((p) =>
    makeProfile({
      sampleType: b.valueType(p.type[0]!, p.type[1]!),
      timeUnixNano: 1_700_000_000_000_000_000n,
      samples: p.samples.map((s) => {
        const ts = s.values.map((_, i) => 1_700_000_000_000_000_000n + BigInt(i));
        // thread.name t1 and t2 share a key: keep one per sample (keys are unique per list).
        const attributeIndices = s.attrs.filter((a) => !(a === 3 && s.attrs.includes(0))).map((a) => attrs[a]!);
        return makeSample({
          stackIndex: b.stack(s.stack.map((x) => locIndex[x % locIndex.length]!)),
          values: s.shape === 'timestamps' ? [] : s.values,
          timestampsUnixNano: s.shape === 'values' ? [] : ts,
          attributeIndices,
          linkIndex: links[s.link]!,
        });
      }),
    }),
  );
  return makeProfilesRequest(d, profiles, makeResource({ 'service.name': 'prop' }));
}

/** Frames of an OTLP stack resolved by value, leaf first. */
function otlpFrames(d: ProfilesDictionary, stackIndex: number): string {
  const out: string[] = [];
  for (const li of d.stackTable[stackIndex]!.locationIndices) {
    for (const ln of d.locationTable[li]!.lines) {
      // Function index 0 names no function (the builder interns an all-empty function to
      // it): such lines are left out of the pprof, as convert.ts documents.
      if (ln.functionIndex === 0) continue;
      const f = d.functionTable[ln.functionIndex]!;
      const name = d.stringTable[f.nameStrindex] || d.stringTable[f.systemNameStrindex]!;
      out.push(`${name}|${d.stringTable[f.filenameStrindex]}|${ln.line}`);
    }
  }
  return out.join(' <- ');
}

function add(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

describe('convert: property', () => {
  it('totals and per-stack values survive convert -> encode -> independent decode', () => {
    fc.assert(
      fc.property(requestArb, (spec) => {
        const req = build(spec);
        const d = req.dictionary!;
        const { profiles, errors } = convertProfilesRequest(req, { timestamps: spec.mode });
        assert.deepEqual(errors, []);
        const otlp = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles;
        assert.equal(profiles.length, otlp.length);
        otlp.forEach((p, i) => {
          const want = new Map<string, number>();
          for (const s of p.samples) {
            const v = s.values.length ? s.values.reduce((a, x) => a + x, 0) : s.timestampsUnixNano.length;
            add(want, otlpFrames(d, s.stackIndex), v);
          }
          const decoded = decodePprofIndependent(encodePprof(profiles[i]!.profile));
          assert.deepEqual(decoded.sampleTypes, [
            { type: d.stringTable[p.sampleType!.typeStrindex], unit: d.stringTable[p.sampleType!.unitStrindex] },
          ]);
          const got = new Map<string, number>();
          for (const s of decoded.samples) {
            const frames = s.locations.flatMap((l) => l.lines.map((ln) => `${ln.function!.name}|${ln.function!.filename}|${ln.line}`));
            add(got, frames.join(' <- '), s.values[0]!);
          }
          // Compare totals per stack, ignoring stacks whose values cancel out to zero on both sides.
          const nonZero = (m: Map<string, number>) => new Map([...m].filter(([, v]) => v !== 0));
          assert.deepEqual(nonZero(got), nonZero(want));
          const total = (m: Map<string, number>) => [...m.values()].reduce((a, x) => a + x, 0);
          assert.equal(total(got), total(want));
          // Identical (stack, labels) never appear twice.
          const identities = decoded.samples.map((s) =>
            JSON.stringify([s.locations.map((l) => l.id), s.labels], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
          );
          assert.equal(new Set(identities).size, identities.length);
        });
      }),
      { numRuns: 150 },
    );
  });
});
