// Property: samples merge by stack and label multiset, whatever the attribute lists and links
// that give those labels look like. The converter keeps a sample's labels as its link's run
// and its attribute list's run and compares them by interned halves (src/pprof/label-runs.ts);
// here they are checked against a reference that builds every sample's labels with
// sampleLabels and merges by the sorted label texts, on requests made to collide: attribute
// lists with the same labels in another order, repeated indices, equal attributes at several
// indices, repeated keys (the first wins), values that give no label, context attributes
// (span and trace ids, span name, endpoint, root span id) with and without a link, links
// with equal ids at several indices, zero and half-zero links, few stacks (many merges).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AnyValue, ExportProfilesServiceRequest, KeyValueAndUnit, Link, Sample } from '../../src/otlp/model.js';
import { emptyDictionary, makeProfile, makeProfilesRequest, makeResource } from '../../src/otlp/build.js';
import { convertProfilesRequest, type TimestampMode } from '../../src/pprof/convert.js';
import { encodeProfilesRequestPprof } from '../../src/pprof/encode-direct.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { sampleLabels, type LabelSpec, type ResolvedAttribute } from '../../src/pprof/labels.js';
import { decodePprofIndependent, type ResolvedLabel } from '../helpers/pprof-decoded.js';

const HEX16_A = '0123456789abcdef';
const HEX16_B = 'fedcba9876543210';
const HEX32_A = '0123456789abcdef0123456789abcdef';

/** Attributes to draw from; several are equal, share a key, or give no label. */
const ATTRIBUTES: [string, AnyValue, string?][] = [
  ['thread.name', { stringValue: 'main' }],
  ['thread.name', { stringValue: 'main' }],
  ['thread.name', { stringValue: 'worker' }],
  ['thread.id', { intValue: 7n }],
  ['thread.id', { intValue: 7n }],
  ['thread.id', { intValue: 8n }, 'tid'],
  ['k', { stringValue: '' }],
  ['k', { boolValue: true }],
  ['service.name', { stringValue: 'svc' }],
  ['span.name', { stringValue: 'GET /a' }],
  ['trace.endpoint', { stringValue: 'GET /users/:id' }],
  ['local_root_span.id', { stringValue: HEX16_B }],
  ['span_id', { stringValue: HEX16_B }],
  ['trace_id', { stringValue: HEX32_A }],
  ['trace_id', { stringValue: 'not hex' }],
  ['span id', { stringValue: '12345' }],
];

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
/** Links after the zero one: equal ids at several indices, zero ids, a trace id alone. */
const LINKS: Link[] = [
  { traceId: hex(HEX32_A), spanId: hex(HEX16_A) },
  { traceId: hex(HEX32_A), spanId: hex(HEX16_A) },
  { traceId: hex(HEX32_A), spanId: hex(HEX16_B) },
  { traceId: new Uint8Array(16), spanId: new Uint8Array(8) },
  { traceId: hex(HEX32_A), spanId: new Uint8Array(8) },
  { traceId: new Uint8Array(0), spanId: hex(HEX16_B) },
];

interface SampleSpec {
  stack: number;
  attrs: number[];
  link: number;
  value: number;
  time: number;
}

const sampleArb: fc.Arbitrary<SampleSpec> = fc.record({
  stack: fc.nat(2),
  attrs: fc.array(fc.nat(ATTRIBUTES.length - 1), { maxLength: 5 }),
  link: fc.nat(LINKS.length),
  value: fc.integer({ min: 1, max: 9 }),
  time: fc.nat(3),
});
const requestArb = fc.record({
  // Few samples, or enough that a stack has more than the direct encoder merges by a scan
  // (merge-by-stack.ts: those go through a hash table).
  samples: fc.oneof(fc.array(sampleArb, { maxLength: 12 }), fc.array(sampleArb, { minLength: 50, maxLength: 90 })),
  // Contextless lists only: the plain path on its own, then mixed with the context path.
  plainOnly: fc.boolean(),
});

function request(samples: SampleSpec[], plainOnly: boolean): ExportProfilesServiceRequest {
  const d = emptyDictionary();
  d.stringTable.push('');
  const str = (s: string): number => {
    const i = d.stringTable.indexOf(s);
    return i >= 0 ? i : d.stringTable.push(s) - 1;
  };
  d.attributeTable.push({ keyStrindex: 0, unitStrindex: 0 });
  for (const [key, value, unit] of ATTRIBUTES) {
    const a: KeyValueAndUnit = { keyStrindex: str(key), value, unitStrindex: unit ? str(unit) : 0 };
    d.attributeTable.push(a);
  }
  d.linkTable.push({ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }, ...LINKS);
  d.mappingTable.push({ memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] });
  d.functionTable.push({ nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 });
  d.locationTable.push({ mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] });
  d.stackTable.push({ locationIndices: [] });
  for (let k = 0; k < 3; k++) {
    d.functionTable.push({ nameStrindex: str(`f${k}`), systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 });
    d.locationTable.push({ mappingIndex: 0, address: 0n, lines: [{ functionIndex: k + 1, line: 1, column: 0 }], attributeIndices: [] });
    d.stackTable.push({ locationIndices: [k + 1] });
  }
  const contextFree = (i: number): boolean => ['thread.name', 'thread.id', 'k', 'service.name'].includes(ATTRIBUTES[i]![0]);
  const otlp: Sample[] = samples.map((s) => ({
    stackIndex: s.stack + 1,
    attributeIndices: s.attrs.filter((i) => !plainOnly || contextFree(i)).map((i) => i + 1),
    linkIndex: s.link,
    values: [s.value],
    timestampsUnixNano: [1_000n + BigInt(s.time)],
  }));
  const profile = makeProfile({ sampleType: { typeStrindex: str('cpu'), unitStrindex: str('nanoseconds') }, samples: otlp });
  return makeProfilesRequest(d, [profile], makeResource({ 'service.name': 'svc' }));
}

const specText = (l: LabelSpec): string => ('str' in l ? `${l.key}=s:${l.str}` : `${l.key}=n:${l.num}:${l.numUnit}`);
const decodedText = (l: ResolvedLabel): string => (l.str !== undefined ? `${l.key}=s:${l.str}` : `${l.key}=n:${l.num ?? 0}:${l.numUnit ?? ''}`);

/**
 * What the pprof's samples must be: each OTLP sample's labels from sampleLabels, merged by
 * (stack, sorted label texts[, event time]) in order of first occurrence, in that
 * occurrence's label order, values summed.
 */
function reference(
  req: ExportProfilesServiceRequest,
  mode: TimestampMode,
): { samples: [string, string[], number][]; endpoints: Record<string, number> } {
  const d = req.dictionary!;
  const merged = new Map<string, [string, string[], number]>();
  const requests = new Map<string, Set<string>>();
  for (const s of req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples) {
    const attrs: ResolvedAttribute[] = s.attributeIndices
      .map((i) => d.attributeTable[i]!)
      .map((a) => ({ key: d.stringTable[a.keyStrindex]!, value: a.value, unit: d.stringTable[a.unitStrindex]! }))
      .filter((a) => a.key !== 'service.name');
    const spec = sampleLabels(s.linkIndex === 0 ? undefined : d.linkTable[s.linkIndex], attrs, d.stringTable);
    const labels = spec.labels.map(specText);
    if (spec.endpoint !== undefined) {
      if (!requests.has(spec.endpoint)) requests.set(spec.endpoint, new Set());
      requests.get(spec.endpoint)!.add(spec.localRootSpanId ?? spec.traceId ?? '');
    }
    const fn = `f${s.stackIndex - 1}`;
    if (mode === 'label') labels.push(`end_timestamp_ns=n:${s.timestampsUnixNano[0]!}:`);
    const key = `${fn}|${[...labels].sort().join('\u0000')}`;
    const hit = merged.get(key);
    if (hit) hit[2] += s.values[0]!;
    else merged.set(key, [fn, labels, s.values[0]!]);
  }
  return { samples: [...merged.values()], endpoints: Object.fromEntries([...requests].map(([e, r]) => [e, r.size])) };
}

describe('label runs: merging by label multiset', () => {
  it('merges and orders samples as the sampleLabels reference does, direct and model alike', () => {
    fc.assert(
      fc.property(requestArb, fc.constantFrom<TimestampMode>('aggregate', 'label'), ({ samples, plainOnly }, mode) => {
        const req = request(samples, plainOnly);
        const direct = encodeProfilesRequestPprof(req, { timestamps: mode });
        const model = convertProfilesRequest(req, { timestamps: mode });
        assert.deepEqual(direct.errors, []);
        assert.equal(direct.profiles.length, 1);
        const bytes = direct.profiles[0]!.pprof!;
        assert.deepEqual(Buffer.from(bytes), Buffer.from(encodePprof(model.profiles[0]!.profile)));
        const got = decodePprofIndependent(bytes).samples.map((s): [string, string[], number] => [
          s.locations[0]!.lines[0]!.function!.name,
          s.labels.map(decodedText),
          s.values[0]!,
        ]);
        const want = reference(req, mode);
        assert.deepEqual(got, want.samples);
        assert.deepEqual(direct.profiles[0]!.endpointCounts, want.endpoints);
      }),
      { numRuns: 400 },
    );
  });
});
