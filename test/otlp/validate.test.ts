// Content checks: every rule removes exactly the offending profile / span, counts it, and
// says where and why; everything else is returned untouched.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest, Profile } from '../../src/otlp/model.js';
import { MAX_MESSAGES, validateProfilesRequest, validateTracesRequest } from '../../src/otlp/validate.js';
import { everyFieldProfilesRequest, everyFieldTracesRequest } from '../fixtures/otlp-every-field.js';
import { arbProfilesRequest, arbTracesRequest } from '../helpers/otlp-arbitraries.js';

type Mutation = (req: ExportProfilesServiceRequest, p0: Profile) => void;

/**
 * The every-field fixture, with profile 0 measuring request sizes (a type that may go down)
 * instead of sample counts: its edge values include negative ones, which a count cannot be.
 */
function everyFieldValid(): ExportProfilesServiceRequest {
  const req = everyFieldProfilesRequest();
  req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.sampleType = { typeStrindex: 15, unitStrindex: 14 };
  return req;
}

/** The fixture with `mutate` applied to it (p0 = resource 0 / scope 0 / profile 0). */
function broken(mutate: Mutation): ExportProfilesServiceRequest {
  const req = everyFieldValid();
  mutate(req, req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!);
  return req;
}

/** Validates a request broken in profile 0/0/0 and checks that exactly that profile went, with a message matching `re`. */
function expectProfile0Rejected(mutate: Mutation, re: RegExp): void {
  const req = broken(mutate);
  const before = structuredClone(req);
  const res = validateProfilesRequest(req);
  assert.equal(res.rejected, 1);
  assert.equal(res.messages.length, 1);
  assert.match(res.messages[0]!, /^profile 0\/0\/0: /);
  assert.match(res.messages[0]!, re);
  const profiles = res.request.resourceProfiles[0]!.scopeProfiles[0]!.profiles;
  assert.equal(profiles.length, 1);
  assert.equal(profiles[0], req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1], 'the other profile is kept as is');
  assert.equal(res.request.dictionary, req.dictionary, 'the dictionary is kept as is');
  assert.deepStrictEqual(req, before, 'the input is not modified');
}

describe('validateProfilesRequest', () => {
  it('passes a valid request through as the same object', () => {
    const req = everyFieldValid();
    const res = validateProfilesRequest(req);
    assert.equal(res.request, req);
    assert.equal(res.rejected, 0);
    assert.deepStrictEqual(res.messages, []);
  });

  it('names profile, sample and reference as documented', () => {
    const req = everyFieldValid();
    req.dictionary!.stackTable.push({ locationIndices: [1] });
    const profiles = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles;
    profiles[1]!.samples = structuredClone(profiles[0]!.samples);
    profiles[1]!.samples[3]!.stackIndex = 99;
    const res = validateProfilesRequest(req);
    assert.deepStrictEqual(res.messages, ['profile 0/0/1: sample 3 stack_index 99 out of range (stack_table has 5 entries)']);
    assert.equal(res.rejected, 1);
  });

  const rules: [string, Mutation, RegExp][] = [
    ['sample stack_index', (_r, p) => void (p.samples[1]!.stackIndex = 4), /sample 1 stack_index 4 out of range \(stack_table has 4 entries\)/],
    ['negative stack_index', (_r, p) => void (p.samples[1]!.stackIndex = -1), /sample 1 stack_index -1 out of range/],
    [
      'stack -> location index',
      (r) => void (r.dictionary!.stackTable[2]!.locationIndices[1] = 9),
      /sample 1 stack_index 2 -> stack_table\[2\]\.location_indices\[1\] 9 out of range \(location_table has 4 entries\)/,
    ],
    [
      'location -> mapping index',
      (r) => void (r.dictionary!.locationTable[3]!.mappingIndex = 3),
      /stack_table\[2\] -> location_table\[3\]\.mapping_index 3 out of range \(mapping_table has 3 entries\)/,
    ],
    [
      'location -> line function index',
      (r) => void (r.dictionary!.locationTable[2]!.lines[2]!.functionIndex = 3),
      /location_table\[2\]\.lines\[2\]\.function_index 3 out of range \(function_table has 3 entries\)/,
    ],
    [
      'location attribute index',
      (r) => void (r.dictionary!.locationTable[2]!.attributeIndices[0] = 5),
      /location_table\[2\]\.attribute_indices\[0\] 5 out of range \(attribute_table has 5 entries\)/,
    ],
    [
      'function name strindex',
      (r) => void (r.dictionary!.functionTable[2]!.nameStrindex = 21),
      /location_table\[2\]\.lines\[0\] -> function_table\[2\]\.name_strindex 21 out of range \(string_table has 21 entries\)/,
    ],
    [
      'function system name strindex',
      (r) => void (r.dictionary!.functionTable[2]!.systemNameStrindex = 50),
      /function_table\[2\]\.system_name_strindex 50/,
    ],
    ['function filename strindex', (r) => void (r.dictionary!.functionTable[1]!.filenameStrindex = -2), /function_table\[1\]\.filename_strindex -2/],
    [
      'mapping filename strindex',
      (r) => void (r.dictionary!.mappingTable[1]!.filenameStrindex = 30),
      /stack_table\[1\] -> location_table\[2\] -> mapping_table\[1\]\.filename_strindex 30/,
    ],
    [
      'mapping attribute index',
      (r) => void (r.dictionary!.mappingTable[2]!.attributeIndices[1] = 7),
      /mapping_table\[2\]\.attribute_indices\[1\] 7 out of range/,
    ],
    [
      'attribute key strindex',
      (r) => void (r.dictionary!.attributeTable[3]!.keyStrindex = 40),
      /location_table\[2\]\.attribute_indices\[0\] 3 -> attribute_table\[3\]\.key_strindex 40 out of range \(string_table has 21 entries\)/,
    ],
    ['attribute unit strindex', (r) => void (r.dictionary!.attributeTable[3]!.unitStrindex = 40), /attribute_table\[3\]\.unit_strindex 40/],
    [
      'attribute nested string_value_strindex',
      (r) => {
        const v = r.dictionary!.attributeTable[4]!.value!.kvlistValue!.values[2]!.value!.arrayValue!.values[1]!;
        v.stringValueStrindex = 77;
      },
      /attribute_table\[4\]\.value\.kvlist_value\[2\]\.value\.array_value\[1\]\.string_value_strindex 77/,
    ],
    [
      'attribute nested key_strindex',
      (r) => void (r.dictionary!.attributeTable[4]!.value!.kvlistValue!.values[0]!.keyStrindex = 21),
      /kvlist_value\[0\]\.key_strindex 21/,
    ],
    [
      'sample attribute index',
      (_r, p) => void p.samples[0]!.attributeIndices.push(5),
      /sample 0 attribute_indices\[2\] 5 out of range \(attribute_table has 5 entries\)/,
    ],
    ['sample link index', (_r, p) => void (p.samples[2]!.linkIndex = 3), /sample 2 link_index 3 out of range \(link_table has 3 entries\)/],
    ['sample_type strindex', (_r, p) => void (p.sampleType!.unitStrindex = 21), /sample_type\.unit_strindex 21 out of range/],
    ['period_type strindex', (_r, p) => void (p.periodType!.typeStrindex = 99), /period_type\.type_strindex 99 out of range/],
    ['profile attribute index', (_r, p) => void (p.attributeIndices = [1, 8]), /^profile 0\/0\/0: attribute_indices\[1\] 8 out of range/],
    ['sample with neither values nor timestamps', (_r, p) => void (p.samples[3]!.values = []), /sample 3 has neither values nor timestamps/],
    ['sample with unequal values and timestamps', (_r, p) => void p.samples[2]!.values.push(3), /sample 2 has 3 values but 2 timestamps/],
  ];
  for (const [name, mutate, re] of rules) {
    it(`rejects: ${name}`, () => expectProfile0Rejected(mutate, re));
  }

  it('rejects negative values in profile types that only accumulate, and only there', () => {
    // samples/count (the fixture's own type), cpu, wall, alloc_space: counts, times, allocations.
    expectProfile0Rejected(
      (_r, p) => void (p.sampleType = { typeStrindex: 1, unitStrindex: 2 }),
      /sample 0 value -3 is negative, which a samples profile cannot be/,
    );
    expectProfile0Rejected((r, p) => {
      r.dictionary!.stringTable[15] = 'CPU';
      p.samples[0]!.values = [5, -1];
    }, /sample 0 value -1 is negative, which a cpu profile cannot be/);
    for (const type of ['wall', 'alloc_space', 'alloc_objects', 'off_cpu']) {
      expectProfile0Rejected((r) => void (r.dictionary!.stringTable[15] = type), new RegExp(`value -3 is negative, which a ${type} profile`));
    }
    // In-use heap and types we do not know may legitimately hold negative values (diffs).
    for (const type of ['inuse_space', 'inuse_objects', 'space', 'request.size', 'goroutine']) {
      const req = everyFieldValid();
      req.dictionary!.stringTable[15] = type;
      assert.equal(validateProfilesRequest(req).rejected, 0, type);
    }
  });

  it('rejects every profile under a resource with a bad key_strindex, and drops the emptied resource', () => {
    const req = everyFieldValid();
    req.resourceProfiles[0]!.resource!.attributes[1]!.keyStrindex = 21;
    req.resourceProfiles.push(structuredClone(everyFieldValid().resourceProfiles[0]!));
    const res = validateProfilesRequest(req);
    assert.equal(res.rejected, 2);
    assert.deepStrictEqual(res.messages, [
      'resource 0: attributes[1].key_strindex 21 out of range (string_table has 21 entries) (2 profiles rejected)',
    ]);
    assert.equal(res.request.resourceProfiles.length, 1);
    assert.equal(res.request.resourceProfiles[0], req.resourceProfiles[1]);
  });

  it('rejects every profile under a scope with a bad string_value_strindex', () => {
    const req = everyFieldValid();
    req.resourceProfiles[0]!.scopeProfiles[0]!.scope!.attributes[0]!.value = { stringValueStrindex: 25 };
    const res = validateProfilesRequest(req);
    assert.equal(res.rejected, 2);
    assert.match(res.messages[0]!, /^scope 0\/0: attributes\[0\]\.value\.string_value_strindex 25 out of range/);
    assert.deepStrictEqual(res.request.resourceProfiles, []);
  });

  it('without a dictionary, index 0 is fine and anything else is not', () => {
    const ok: ExportProfilesServiceRequest = {
      resourceProfiles: [
        {
          scopeProfiles: [
            {
              profiles: [
                {
                  sampleType: { typeStrindex: 0, unitStrindex: 0 },
                  samples: [{ stackIndex: 0, attributeIndices: [0], linkIndex: 0, values: [1], timestampsUnixNano: [] }],
                  timeUnixNano: 0n,
                  durationNano: 0n,
                  period: 0,
                  profileId: new Uint8Array(0),
                  droppedAttributesCount: 0,
                  originalPayloadFormat: '',
                  originalPayload: new Uint8Array(0),
                  attributeIndices: [],
                },
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    };
    assert.equal(validateProfilesRequest(ok).rejected, 0);
    const withEmptyTables = {
      ...ok,
      dictionary: { mappingTable: [], locationTable: [], functionTable: [], linkTable: [], stringTable: [], attributeTable: [], stackTable: [] },
    };
    assert.equal(validateProfilesRequest(withEmptyTables).rejected, 0);
    const bad = structuredClone(ok);
    bad.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples[0]!.linkIndex = 1;
    const res = validateProfilesRequest(bad);
    assert.equal(res.rejected, 1);
    assert.deepStrictEqual(res.messages, ['profile 0/0/0: sample 0 link_index 1 out of range (link_table has 0 entries)']);
  });

  it('checks each dictionary entry once, however many samples reach it', () => {
    const req = everyFieldValid();
    const p = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!;
    p.samples = Array.from({ length: 2000 }, (_, i) => ({
      stackIndex: 1 + (i % 3),
      attributeIndices: [2, 3],
      linkIndex: 1,
      values: [1],
      timestampsUnixNano: [],
    }));
    const reads = new Map<string, number>();
    const counted = <T extends object>(name: string, table: T[]): T[] =>
      new Proxy(table, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads.set(`${name}[${key}]`, (reads.get(`${name}[${key}]`) ?? 0) + 1);
          return Reflect.get(target, key, receiver);
        },
      });
    const d = req.dictionary!;
    d.stackTable = counted('stack', d.stackTable);
    d.locationTable = counted('location', d.locationTable);
    d.functionTable = counted('function', d.functionTable);
    d.attributeTable = counted('attribute', d.attributeTable);
    assert.equal(validateProfilesRequest(req).rejected, 0);
    assert.ok(reads.size > 5);
    for (const [entry, n] of reads) assert.equal(n, 1, `${entry} read ${n} times`);
  });

  it('caps the messages and says how many were left out', () => {
    const req = everyFieldValid();
    const scope = req.resourceProfiles[0]!.scopeProfiles[0]!;
    scope.profiles = Array.from({ length: MAX_MESSAGES + 5 }, () => {
      const p = structuredClone(everyFieldValid().resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!);
      p.samples[0]!.stackIndex = 50;
      return p;
    });
    const res = validateProfilesRequest(req);
    assert.equal(res.rejected, MAX_MESSAGES + 5);
    assert.equal(res.messages.length, MAX_MESSAGES + 1);
    assert.equal(res.messages[MAX_MESSAGES], '... and 5 more problems not listed');
    assert.deepStrictEqual(res.request.resourceProfiles, []);
  });

  it('random valid requests pass unchanged', () => {
    fc.assert(
      fc.property(arbProfilesRequest(), (req) => {
        const res = validateProfilesRequest(req);
        assert.deepStrictEqual(res.messages, []);
        assert.equal(res.request, req);
      }),
      { numRuns: 200 },
    );
  });

  it('random requests with one index broken lose exactly the affected profiles', () => {
    fc.assert(
      fc.property(arbProfilesRequest(), fc.nat(), (req, pick) => {
        const all = req.resourceProfiles.flatMap((rp) => rp.scopeProfiles.flatMap((sp) => sp.profiles));
        const withSamples = all.filter((p) => p.samples.length > 0);
        if (withSamples.length === 0) return;
        const victim = withSamples[pick % withSamples.length]!;
        victim.samples[pick % victim.samples.length]!.linkIndex = req.dictionary!.linkTable.length;
        const res = validateProfilesRequest(req);
        assert.equal(res.rejected, 1);
        const kept = res.request.resourceProfiles.flatMap((rp) => rp.scopeProfiles.flatMap((sp) => sp.profiles));
        assert.equal(kept.length, all.length - 1);
        assert.ok(!kept.includes(victim));
      }),
      { numRuns: 100 },
    );
  });
});

describe('validateTracesRequest', () => {
  const withSpan = (patch: (s: ExportTraceServiceRequest['resourceSpans'][0]['scopeSpans'][0]['spans'][0]) => void): ExportTraceServiceRequest => {
    const req = everyFieldTracesRequest();
    patch(req.resourceSpans[0]!.scopeSpans[0]!.spans[1]!);
    return req;
  };
  const rules: [string, Parameters<typeof withSpan>[0], string][] = [
    ['short trace id', (s) => void (s.traceId = new Uint8Array(8).fill(1)), 'span 0/0/1: trace_id must be 16 bytes, got 8'],
    ['empty trace id', (s) => void (s.traceId = new Uint8Array(0)), 'span 0/0/1: trace_id must be 16 bytes, got 0'],
    ['zero trace id', (s) => void (s.traceId = new Uint8Array(16)), 'span 0/0/1: trace_id is all zeros'],
    ['long span id', (s) => void (s.spanId = new Uint8Array(9).fill(1)), 'span 0/0/1: span_id must be 8 bytes, got 9'],
    ['zero span id', (s) => void (s.spanId = new Uint8Array(8)), 'span 0/0/1: span_id is all zeros'],
    ['3-byte parent', (s) => void (s.parentSpanId = Uint8Array.from([1, 2, 3])), 'span 0/0/1: parent_span_id must be empty or 8 bytes, got 3'],
  ];
  for (const [name, patch, message] of rules) {
    it(`rejects: ${name}`, () => {
      const req = withSpan(patch);
      const res = validateTracesRequest(req);
      assert.equal(res.rejected, 1);
      assert.deepStrictEqual(res.messages, [message]);
      const spans = res.request.resourceSpans[0]!.scopeSpans[0]!.spans;
      assert.deepStrictEqual(spans, [req.resourceSpans[0]!.scopeSpans[0]!.spans[0], req.resourceSpans[0]!.scopeSpans[0]!.spans[2]]);
      assert.equal(req.resourceSpans[0]!.scopeSpans[0]!.spans.length, 3, 'the input is not modified');
    });
  }

  it('passes valid requests through as the same object; a zero parent id of 8 bytes is allowed', () => {
    const req = withSpan((s) => void (s.parentSpanId = new Uint8Array(8)));
    const res = validateTracesRequest(req);
    assert.equal(res.request, req);
    assert.equal(res.rejected, 0);
    fc.assert(
      fc.property(arbTracesRequest(), (r) => {
        assert.equal(validateTracesRequest(r).request, r);
      }),
      { numRuns: 100 },
    );
  });

  it('drops scopes and resources emptied by the removal, keeps ones that were empty', () => {
    const req = everyFieldTracesRequest();
    for (const s of req.resourceSpans[0]!.scopeSpans[0]!.spans) s.spanId = new Uint8Array(0);
    const res = validateTracesRequest(req);
    assert.equal(res.rejected, 3);
    assert.equal(res.request.resourceSpans.length, 2);
    assert.deepStrictEqual(res.request.resourceSpans[0]!.scopeSpans, [req.resourceSpans[0]!.scopeSpans[1]]);
  });
});
