// The OTLP/JSON mapping: round trips, hex ids, 64-bit integers as strings or numbers,
// snake_case input, and DecodeErrors that name the JSON path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.js';
import {
  profilesRequestFromJson,
  profilesRequestToJson,
  profilesResponseFromJson,
  profilesResponseToJson,
  rpcStatusFromJson,
  rpcStatusToJson,
  tracesRequestFromJson,
  tracesRequestToJson,
  tracesResponseFromJson,
  tracesResponseToJson,
} from '../../src/otlp/json.js';
import type { AnyValue } from '../../src/otlp/model.js';
import { everyFieldProfilesRequest, everyFieldTracesRequest, SPAN_ID, TRACE_ID } from '../fixtures/otlp-every-field.js';
import { arbProfilesRequest, arbTracesRequest } from '../helpers/otlp-arbitraries.js';

/** Through text, as over the wire. */
const viaText = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected a DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_OTLP_DECODE');
    return e;
  }
  assert.fail('expected a DecodeError');
}

type Obj = Record<string, any>;

function span(extra: Obj = {}): Obj {
  return { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', ...extra }] }] }] };
}

function sample(extra: Obj): Obj {
  return {
    resourceProfiles: [{ scopeProfiles: [{ profiles: [{}, {}, { samples: [{}, {}, {}, {}, {}, { values: ['1'], ...extra }] }] }] }],
  };
}

describe('round trips', () => {
  it('traces request with every field', () => {
    const req = everyFieldTracesRequest();
    assert.deepStrictEqual(tracesRequestFromJson(viaText(tracesRequestToJson(req))), req);
  });

  it('profiles request with every field', () => {
    const req = everyFieldProfilesRequest();
    assert.deepStrictEqual(profilesRequestFromJson(viaText(profilesRequestToJson(req))), req);
  });

  it('responses and rpc status', () => {
    const t = { partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' } };
    assert.deepStrictEqual(tracesResponseFromJson(viaText(tracesResponseToJson(t))), t);
    const p = { partialSuccess: { rejectedProfiles: 0, errorMessage: 'warning only' } };
    assert.deepStrictEqual(profilesResponseFromJson(viaText(profilesResponseToJson(p))), p);
    assert.deepStrictEqual(tracesResponseToJson({}), {});
    assert.deepStrictEqual(viaText(tracesResponseToJson(t)), { partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' } });
    const s = { code: 3, message: 'bad', details: [Uint8Array.from([10, 3, 97, 98, 99, 18, 2, 1, 2])] };
    const json = viaText(rpcStatusToJson(s));
    assert.deepStrictEqual(json, { code: 3, message: 'bad', details: [{ '@type': 'abc', value: 'AQI=' }] });
    assert.deepStrictEqual(rpcStatusFromJson(json), s);
  });

  it('random valid traces requests', () => {
    fc.assert(
      fc.property(arbTracesRequest(), (req) => {
        assert.deepStrictEqual(tracesRequestFromJson(viaText(tracesRequestToJson(req))), req);
      }),
      { numRuns: 100 },
    );
  });

  it('random valid profiles requests', () => {
    fc.assert(
      fc.property(arbProfilesRequest(), (req) => {
        assert.deepStrictEqual(profilesRequestFromJson(viaText(profilesRequestToJson(req))), req);
      }),
      { numRuns: 100 },
    );
  });
});

describe('decoded arrays', () => {
  it('every repeated field is its own mutable array, present or not in the JSON', () => {
    const got = profilesRequestFromJson({
      resourceProfiles: [{ scopeProfiles: [{ profiles: [{ samples: [{}, { values: ['1'] }] }] }] }],
      dictionary: { stackTable: [{}, { locationIndices: [1] }], locationTable: [{}, { lines: [{}] }], mappingTable: [{}] },
    });
    const d = got.dictionary!;
    const p = got.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!;
    const arrays: unknown[][] = [
      p.attributeIndices,
      ...p.samples.flatMap((s) => [s.attributeIndices, s.values, s.timestampsUnixNano]),
      ...d.stackTable.map((x) => x.locationIndices),
      ...d.locationTable.flatMap((x) => [x.attributeIndices, x.lines]),
      ...d.mappingTable.map((x) => x.attributeIndices),
    ];
    assert.equal(new Set(arrays).size, arrays.length);
    for (const a of arrays) assert.ok(!Object.isFrozen(a));
  });
});

describe('output form', () => {
  it('ids as lowercase hex, 64-bit integers as decimal strings, enums as integers, defaults left out', () => {
    const json = viaText(tracesRequestToJson(everyFieldTracesRequest())) as Obj;
    const s = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(s.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(s.spanId, 'eee19b7ec3c1b174');
    assert.equal(s.parentSpanId, '00f067aa0ba902b7');
    assert.equal(s.kind, 2);
    assert.equal(s.startTimeUnixNano, '1764000000123456789');
    assert.equal(s.endTimeUnixNano, '18446744073709551615');
    assert.equal(s.flags, 0x301);
    const root = json.resourceSpans[0].scopeSpans[0].spans[1];
    assert.equal(root.parentSpanId, undefined);
    assert.deepStrictEqual(root.status, {});
    assert.equal(root.kind, undefined);
    const attrs = s.attributes as Obj[];
    const byKey = new Map(attrs.map((a) => [a.key, a.value]));
    assert.deepStrictEqual(byKey.get('span.0'), {});
    assert.deepStrictEqual(byKey.get('span.6'), { intValue: '0' });
    assert.deepStrictEqual(byKey.get('span.11'), { doubleValue: '-0' });
    assert.deepStrictEqual(byKey.get('span.12'), { doubleValue: 'NaN' });
    assert.deepStrictEqual(byKey.get('span.15'), { bytesValue: 'AAH+/w==' });
    assert.deepStrictEqual(byKey.get('span.16'), { arrayValue: {} });
  });

  it('profiles: values and timestamps as strings, profileId as hex, payload as base64', () => {
    const json = viaText(profilesRequestToJson(everyFieldProfilesRequest())) as Obj;
    const p = json.resourceProfiles[0].scopeProfiles[0].profiles[0];
    assert.deepStrictEqual(p.samples[0].values, ['10', '-3', '9007199254740991', '-9007199254740991']);
    assert.deepStrictEqual(p.samples[1].timestampsUnixNano, ['1764000000123456789', '1764000000123456790', '18446744073709551615']);
    assert.equal(p.profileId, '0102030405060708090a0b0c0d0e0f10');
    assert.equal(p.period, '10000000');
    assert.equal(typeof p.originalPayload, 'string');
    assert.deepStrictEqual(json.dictionary.linkTable[1], { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' });
    assert.deepStrictEqual(json.dictionary.locationTable[3].address, '18446744073709551600');
  });
});

describe('input leniency', () => {
  it('hex ids in either case', () => {
    const req = tracesRequestFromJson({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19b7ec3c1b174' }] }] }],
    });
    const got = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.deepStrictEqual(got.traceId, TRACE_ID);
    assert.deepStrictEqual(got.spanId, SPAN_ID);
  });

  it('64-bit integers as strings or numbers, exponent forms that are integers', () => {
    const forms = ['1764000000123456789', '10', 10, '1e3', 1e3, '-0', '18446744073709551615'];
    const want = [1764000000123456789n, 10n, 10n, 1000n, 1000n, 0n, 18446744073709551615n];
    forms.forEach((f, i) => {
      const got = tracesRequestFromJson(span({ startTimeUnixNano: f })).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
      assert.equal(got.startTimeUnixNano, want[i], String(f));
    });
    const p = profilesRequestFromJson(sample({ values: [1, '-2', '9007199254740991', 3e2] }));
    assert.deepStrictEqual(p.resourceProfiles[0]!.scopeProfiles[0]!.profiles[2]!.samples[5]!.values, [1, -2, 9007199254740991, 300]);
  });

  it('snake_case keys', () => {
    const req = profilesRequestFromJson({
      resource_profiles: [
        {
          scope_profiles: [
            {
              profiles: [
                {
                  sample_type: { type_strindex: 1, unit_strindex: '2' },
                  samples: [{ stack_index: 1, attribute_indices: [1], link_index: 1, values: ['5'], timestamps_unix_nano: ['7'] }],
                  time_unix_nano: '9',
                  profile_id: 'AQIDBAUGBwgJCgsMDQ4PEA==',
                  original_payload_format: 'pprof',
                  original_payload: 'AQI',
                },
              ],
              schema_url: 'u',
            },
          ],
        },
      ],
      dictionary: {
        string_table: ['', 'samples', 'count'],
        stack_table: [{}, { location_indices: [0] }],
        link_table: [{}, { trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b174' }],
        attribute_table: [{}, { key_strindex: 1, value: { string_value_strindex: 2 }, unit_strindex: 0 }],
      },
    });
    const p = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!;
    assert.deepStrictEqual(p.sampleType, { typeStrindex: 1, unitStrindex: 2 });
    assert.deepStrictEqual(p.samples[0], { stackIndex: 1, attributeIndices: [1], linkIndex: 1, values: [5], timestampsUnixNano: [7n] });
    assert.deepStrictEqual(
      p.profileId,
      Uint8Array.from({ length: 16 }, (_, i) => i + 1),
    );
    assert.deepStrictEqual(p.originalPayload, Uint8Array.from([1, 2]));
    assert.equal(req.resourceProfiles[0]!.scopeProfiles[0]!.schemaUrl, 'u');
    assert.deepStrictEqual(req.dictionary!.linkTable[1]!.spanId, SPAN_ID);
    assert.deepStrictEqual(req.dictionary!.attributeTable[1]!.value, { stringValueStrindex: 2 });
  });

  it('profileId as 32 hex digits or base64 (standard or URL-safe)', () => {
    const id = (v: string): Uint8Array =>
      profilesRequestFromJson({ resourceProfiles: [{ scopeProfiles: [{ profiles: [{ profileId: v }] }] }] }).resourceProfiles[0]!.scopeProfiles[0]!
        .profiles[0]!.profileId;
    const want = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    assert.deepStrictEqual(id('0102030405060708090A0B0C0D0E0F10'), want);
    assert.deepStrictEqual(id('AQIDBAUGBwgJCgsMDQ4PEA=='), want);
    assert.deepStrictEqual(id('AQIDBAUGBwgJCgsMDQ4PEA'), want);
    const fb = Uint8Array.from([0xfb, 0xff]);
    assert.deepStrictEqual(id('-_8'), fb);
    assert.deepStrictEqual(id('+/8='), fb);
    const small = id('AQIDBAUGBwgJCgsMDQ4PEA==');
    assert.equal(small.buffer.byteLength, small.byteLength, 'decoded bytes own their memory');
    assert.equal(Object.getPrototypeOf(small), Uint8Array.prototype);
  });

  it('null means absent, unknown keys are ignored, {} is the empty AnyValue, enum names are accepted', () => {
    const req = tracesRequestFromJson({
      resourceSpans: [
        {
          resource: null,
          extra: { anything: [1, 2] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  parentSpanId: null,
                  kind: 'SPAN_KIND_CLIENT',
                  status: { code: 'STATUS_CODE_ERROR', message: null },
                  attributes: [
                    { key: 'empty', value: {} },
                    { key: 'absent', value: null },
                    { key: 'unknown-member', value: { futureValue: 1 } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const rs = req.resourceSpans[0]!;
    assert.equal(rs.resource, undefined);
    assert.ok(!('resource' in rs));
    const s = rs.scopeSpans[0]!.spans[0]!;
    assert.equal(s.kind, 3);
    assert.deepStrictEqual(s.status, { message: '', code: 2 });
    assert.deepStrictEqual(s.parentSpanId, new Uint8Array(0));
    assert.deepStrictEqual(s.attributes, [
      { key: 'empty', keyStrindex: 0, value: {} },
      { key: 'absent', keyStrindex: 0 },
      { key: 'unknown-member', keyStrindex: 0, value: {} },
    ]);
  });

  it('doubles as numbers or as the strings NaN / Infinity / -Infinity / numerals', () => {
    const dv = (v: unknown): AnyValue =>
      tracesRequestFromJson(span({ attributes: [{ key: 'd', value: { doubleValue: v } }] })).resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0]!
        .value!;
    assert.deepStrictEqual(dv(1.5), { doubleValue: 1.5 });
    assert.deepStrictEqual(dv('NaN'), { doubleValue: NaN });
    assert.deepStrictEqual(dv('-Infinity'), { doubleValue: -Infinity });
    assert.deepStrictEqual(dv('2.5e3'), { doubleValue: 2500 });
  });
});

describe('errors name the JSON path', () => {
  it('a non-integer sample value', () => {
    const e = decodeError(() => profilesRequestFromJson(sample({ values: [1.5] })));
    assert.equal(e.message, 'resourceProfiles[0].scopeProfiles[0].profiles[2].samples[5].values[0]: expected an integer, got a number');
    const e2 = decodeError(() => profilesRequestFromJson(sample({ values: ['12abc'] })));
    assert.match(e2.message, /^resourceProfiles\[0\]\.scopeProfiles\[0\]\.profiles\[2\]\.samples\[5\]\.values\[0\]: expected an integer/);
  });

  it('out of range', () => {
    assert.match(
      decodeError(() => profilesRequestFromJson(sample({ stackIndex: 2 ** 31 }))).message,
      /samples\[5\]\.stackIndex: 2147483648 is out of range for int32/,
    );
    assert.match(
      decodeError(() => profilesRequestFromJson(sample({ values: ['9223372036854775808'] }))).message,
      /values\[0\]: .* out of range for int64/,
    );
    assert.match(
      decodeError(() => tracesRequestFromJson(span({ startTimeUnixNano: '-1' }))).message,
      /spans\[0\]\.startTimeUnixNano: -1 is out of range for uint64/,
    );
    assert.match(decodeError(() => tracesRequestFromJson(span({ endTimeUnixNano: '18446744073709551616' }))).message, /out of range for uint64/);
    assert.match(
      decodeError(() => tracesRequestFromJson(span({ droppedAttributesCount: -1 }))).message,
      /droppedAttributesCount: -1 is out of range for uint32/,
    );
  });

  it('wrong JSON types', () => {
    const cases: [Obj, RegExp][] = [
      [{ resourceSpans: 'x' }, /^resourceSpans: expected an array, got a string$/],
      [{ resourceSpans: [5] }, /^resourceSpans\[0\]: expected an object, got a number$/],
      [{ resourceSpans: [{ scopeSpans: {} }] }, /^resourceSpans\[0\]\.scopeSpans: expected an array, got an object$/],
      [span({ name: 7 }), /spans\[0\]\.name: expected a string, got a number$/],
      [span({ attributes: [{ key: 'k', value: { boolValue: 'true' } }] }), /attributes\[0\]\.value\.boolValue: expected a boolean, got a string$/],
      [span({ attributes: [{ key: 'k', value: { arrayValue: { values: 'x' } } }] }), /attributes\[0\]\.value\.arrayValue\.values: expected an array/],
      [span({ status: [] }), /spans\[0\]\.status: expected an object, got an array$/],
      [span({ kind: 'SPAN_KIND_BOGUS' }), /spans\[0\]\.kind: unknown enum value "SPAN_KIND_BOGUS"/],
    ];
    for (const [value, re] of cases) assert.match(decodeError(() => tracesRequestFromJson(value)).message, re);
    assert.match(decodeError(() => tracesRequestFromJson('{}')).message, /^\(root\): expected an object, got a string$/);
    assert.match(
      decodeError(() => profilesRequestFromJson({ dictionary: { stringTable: [1] } })).message,
      /^dictionary\.stringTable\[0\]: expected a string/,
    );
  });

  it('invalid hex ids and base64', () => {
    assert.match(
      decodeError(() => tracesRequestFromJson(span({ traceId: 'zz' }))).message,
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: invalid hex id "zz"/,
    );
    assert.match(decodeError(() => tracesRequestFromJson(span({ spanId: 'abc' }))).message, /spanId: invalid hex id "abc": odd number of digits/);
    assert.match(decodeError(() => tracesRequestFromJson(span({ links: [{ spanId: 'x1' }] }))).message, /links\[0\]\.spanId: invalid hex/);
    assert.match(
      decodeError(() => profilesRequestFromJson({ dictionary: { linkTable: [{}, { traceId: 'not hex' }] } })).message,
      /^dictionary\.linkTable\[1\]\.traceId: invalid hex/,
    );
    assert.match(
      decodeError(() => tracesRequestFromJson(span({ attributes: [{ key: 'b', value: { bytesValue: 'a*b=' } }] }))).message,
      /bytesValue: invalid base64/,
    );
    assert.match(
      decodeError(() => tracesRequestFromJson(span({ attributes: [{ key: 'b', value: { bytesValue: 'abcde' } }] }))).message,
      /invalid base64/,
    );
  });

  it('an AnyValue with two members', () => {
    assert.match(
      decodeError(() => tracesRequestFromJson(span({ attributes: [{ key: 'k', value: { stringValue: 'a', intValue: 1 } }] }))).message,
      /attributes\[0\]\.value: an AnyValue must have at most one value key/,
    );
  });

  it('nesting deeper than 100 levels', () => {
    let v: Obj = { intValue: 1 };
    for (let i = 0; i < 150; i++) v = { arrayValue: { values: [v] } };
    assert.match(decodeError(() => tracesRequestFromJson(span({ attributes: [{ key: 'k', value: v }] }))).message, /nested deeper than 100/);
  });

  it('random JSON values: a request or a DecodeError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        for (const read of [tracesRequestFromJson, profilesRequestFromJson, tracesResponseFromJson, profilesResponseFromJson, rpcStatusFromJson]) {
          try {
            read(v);
          } catch (e) {
            assert.ok(e instanceof DecodeError, String(e));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('valid request JSON with one value replaced by random JSON: a request or a DecodeError', () => {
    const leaves = (v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] => {
      out.push(at);
      if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...at, i], out));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, [...at, k], out);
      return out;
    };
    fc.assert(
      fc.property(arbProfilesRequest(), fc.nat(), fc.jsonValue({ maxDepth: 2 }), (req, pick, replacement) => {
        const json = viaText(profilesRequestToJson(req)) as Obj;
        const paths = leaves(json).filter((p) => p.length > 0);
        if (paths.length === 0) return;
        const path = paths[pick % paths.length]!;
        let parent: Obj = json;
        for (const k of path.slice(0, -1)) parent = parent[k as string];
        parent[path[path.length - 1] as string] = replacement;
        try {
          profilesRequestFromJson(json);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
          assert.match(e.message, /^[\w.[\]()]+: /);
        }
      }),
      { numRuns: 300 },
    );
  });
});
