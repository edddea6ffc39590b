// Protobuf codec round trips against an independent implementation (protobufjs loading our
// .proto files): ours -> theirs, theirs -> ours (packed and unpacked), ours -> ours, for
// hand-built requests that set every field and for random valid requests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import {
  decodeProfilesData,
  decodeProfilesRequest,
  decodeProfilesResponse,
  decodeRpcStatus,
  decodeTracesData,
  decodeTracesRequest,
  decodeTracesResponse,
} from '../../src/otlp/decode.js';
import {
  encodeProfilesData,
  encodeProfilesRequest,
  encodeProfilesResponse,
  encodeRpcStatus,
  encodeTracesData,
  encodeTracesRequest,
  encodeTracesResponse,
} from '../../src/otlp/encode.js';
import type { ExportProfilesServiceRequest, Span } from '../../src/otlp/model.js';
import { everyFieldProfilesRequest, everyFieldTracesRequest } from '../fixtures/otlp-every-field.js';
import { arbProfilesRequest, arbTracesRequest } from '../helpers/otlp-arbitraries.js';
import { OTLP_TYPES, independentDecode, independentEncode } from '../helpers/independent-proto.js';

const RUNS = { numRuns: 120 };

describe('traces request against protobufjs', () => {
  it('ours -> protobufjs reads every field back', () => {
    const req = everyFieldTracesRequest();
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.tracesRequest, encodeTracesRequest(req)), req);
  });

  it('protobufjs -> ours, packed and unpacked', () => {
    const req = everyFieldTracesRequest();
    assert.deepStrictEqual(decodeTracesRequest(independentEncode(OTLP_TYPES.tracesRequest, req)), req);
    assert.deepStrictEqual(decodeTracesRequest(independentEncode(OTLP_TYPES.tracesRequest, req, { unpacked: true })), req);
  });

  it('ours -> ours', () => {
    const req = everyFieldTracesRequest();
    assert.deepStrictEqual(decodeTracesRequest(encodeTracesRequest(req)), req);
  });

  it('TracesData uses the same numbers', () => {
    const req = everyFieldTracesRequest();
    assert.deepStrictEqual(decodeTracesData(independentEncode(OTLP_TYPES.tracesData, req)), req);
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.tracesData, encodeTracesData(req)), req);
  });
});

describe('profiles request against protobufjs', () => {
  it('ours -> protobufjs reads every field back', () => {
    const req = everyFieldProfilesRequest();
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.profilesRequest, encodeProfilesRequest(req)), req);
  });

  it('protobufjs -> ours, packed and unpacked', () => {
    const req = everyFieldProfilesRequest();
    const packed = independentEncode(OTLP_TYPES.profilesRequest, req);
    const unpacked = independentEncode(OTLP_TYPES.profilesRequest, req, { unpacked: true });
    assert.notDeepStrictEqual(packed, unpacked, 'the unpacked variant really is encoded differently');
    assert.deepStrictEqual(decodeProfilesRequest(packed), req);
    assert.deepStrictEqual(decodeProfilesRequest(unpacked), req);
  });

  it('ours -> ours', () => {
    const req = everyFieldProfilesRequest();
    assert.deepStrictEqual(decodeProfilesRequest(encodeProfilesRequest(req)), req);
  });

  it('ProfilesData uses the same numbers', () => {
    const req = everyFieldProfilesRequest();
    assert.deepStrictEqual(decodeProfilesData(independentEncode(OTLP_TYPES.profilesData, req)), req);
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.profilesData, encodeProfilesData(req)), req);
  });

  it('our encoding is no longer than protobufjs (both canonical, packed)', () => {
    const req = everyFieldProfilesRequest();
    assert.ok(encodeProfilesRequest(req).length <= independentEncode(OTLP_TYPES.profilesRequest, req).length);
  });
});

describe('responses and google.rpc.Status', () => {
  it('partial success both ways', () => {
    const t = { partialSuccess: { rejectedSpans: 3, errorMessage: '3 spans had bad ids' } };
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.tracesResponse, encodeTracesResponse(t)), t);
    assert.deepStrictEqual(decodeTracesResponse(independentEncode(OTLP_TYPES.tracesResponse, t)), t);
    const p = { partialSuccess: { rejectedProfiles: 2 ** 40, errorMessage: '' } };
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.profilesResponse, encodeProfilesResponse(p)), p);
    assert.deepStrictEqual(decodeProfilesResponse(independentEncode(OTLP_TYPES.profilesResponse, p)), p);
  });

  it('full success is an empty message; an empty partial_success stays present', () => {
    assert.equal(encodeTracesResponse({}).length, 0);
    assert.deepStrictEqual(decodeTracesResponse(new Uint8Array(0)), {});
    const empty = { partialSuccess: { rejectedProfiles: 0, errorMessage: '' } };
    assert.deepStrictEqual(Array.from(encodeProfilesResponse(empty)), [10, 0]);
    assert.deepStrictEqual(decodeProfilesResponse(encodeProfilesResponse(empty)), empty);
  });

  it('rpc status with details', () => {
    const s = { code: 3, message: 'bad data', details: [Uint8Array.from([10, 3, 97, 98, 99]), new Uint8Array(0)] };
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.rpcStatus, encodeRpcStatus(s)), s);
    assert.deepStrictEqual(decodeRpcStatus(independentEncode(OTLP_TYPES.rpcStatus, s)), s);
    const negative = { code: -1, message: '', details: [] };
    assert.deepStrictEqual(decodeRpcStatus(encodeRpcStatus(negative)), negative);
  });
});

describe('canonical output', () => {
  it('leaves out zero scalars, packs repeated scalars, writes fields in number order', () => {
    const req: ExportProfilesServiceRequest = {
      resourceProfiles: [],
      dictionary: {
        mappingTable: [],
        locationTable: [],
        functionTable: [],
        linkTable: [],
        stringTable: [],
        attributeTable: [],
        stackTable: [{ locationIndices: [1, 300, 0] }, { locationIndices: [] }],
      },
    };
    // dictionary(2) { stack_table(7) { location_indices(1) packed [1, 300, 0] }, stack_table(7) {} }
    assert.deepStrictEqual(Array.from(encodeProfilesRequest(req)), [18, 10, 58, 6, 10, 4, 1, 172, 2, 0, 58, 0]);
  });

  it('writes Span.flags (field 16) after status (field 15)', () => {
    const span: Span = {
      traceId: new Uint8Array(0),
      spanId: new Uint8Array(0),
      traceState: '',
      parentSpanId: new Uint8Array(0),
      flags: 1,
      name: '',
      kind: 0,
      startTimeUnixNano: 0n,
      endTimeUnixNano: 0n,
      attributes: [],
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { message: '', code: 1 },
    };
    const bytes = encodeTracesRequest({ resourceSpans: [{ scopeSpans: [{ spans: [span], schemaUrl: '' }], schemaUrl: '' }] });
    // ... span(2) { status(15) { code(3)=1 }, flags(16) fixed32 1 }
    assert.deepStrictEqual(Array.from(bytes.subarray(6)), [122, 2, 24, 1, 133, 1, 1, 0, 0, 0]);
  });

  it('writes a negative int32 as a 10-byte varint that protobufjs reads back', () => {
    const req = everyFieldProfilesRequest();
    req.dictionary!.stackTable[1]!.locationIndices = [-1];
    const bytes = encodeProfilesRequest(req);
    const theirs = independentDecode(OTLP_TYPES.profilesRequest, bytes) as ExportProfilesServiceRequest;
    assert.deepStrictEqual(theirs.dictionary!.stackTable[1]!.locationIndices, [-1]);
    assert.deepStrictEqual(decodeProfilesRequest(bytes).dictionary!.stackTable[1]!.locationIndices, [-1]);
    const w = protobuf.Writer.create();
    w.int32(-1);
    assert.equal(w.finish().length, 10);
  });
});

describe('decoder tolerance', () => {
  it('skips unknown fields of every wire type, including groups', () => {
    const req = everyFieldTracesRequest();
    const body = encodeTracesRequest(req);
    const w = protobuf.Writer.create();
    w.uint32((100 << 3) | 0).uint64(12345678901234);
    w.uint32((101 << 3) | 1).fixed64(7);
    w.uint32((102 << 3) | 2).bytes(Uint8Array.from([1, 2, 3]));
    w.uint32((103 << 3) | 5).fixed32(9);
    // group 104 { 1: varint, group 2 { 3: fixed32 } }
    w.uint32((104 << 3) | 3)
      .uint32((1 << 3) | 0)
      .uint32(5)
      .uint32((2 << 3) | 3)
      .uint32((3 << 3) | 5)
      .fixed32(1);
    w.uint32((2 << 3) | 4).uint32((104 << 3) | 4);
    const junk = w.finish();
    const withJunk = new Uint8Array(junk.length * 2 + body.length);
    withJunk.set(junk, 0);
    withJunk.set(body, junk.length);
    withJunk.set(junk, junk.length + body.length);
    assert.deepStrictEqual(decodeTracesRequest(withJunk), req);
  });

  it('treats a known field with an unexpected wire type as unknown', () => {
    // Status { message(2) sent as varint 5, code(3)=2 }
    const status = Uint8Array.from([16, 5, 24, 2]);
    const bytes = encodeTracesResponse({ partialSuccess: { rejectedSpans: 1, errorMessage: '' } });
    assert.deepStrictEqual(decodeTracesResponse(Uint8Array.from([...bytes, 8, 1])), {
      partialSuccess: { rejectedSpans: 1, errorMessage: '' },
    });
    assert.deepStrictEqual(decodeRpcStatus(status), { code: 0, message: '', details: [] });
  });

  it('merges a singular message sent twice and appends repeated fields', () => {
    const a = everyFieldProfilesRequest();
    const b = everyFieldProfilesRequest();
    const both = new Uint8Array([...encodeProfilesRequest(a), ...encodeProfilesRequest(b)]);
    const got = decodeProfilesRequest(both);
    assert.equal(got.resourceProfiles.length, 2);
    const d = a.dictionary!;
    assert.deepStrictEqual(got.dictionary!.stringTable, [...d.stringTable, ...d.stringTable]);
    assert.deepStrictEqual(got.dictionary!.stackTable, [...d.stackTable, ...d.stackTable]);
  });

  it('scalars inside a merged message: last wins; unset ones keep the earlier value', () => {
    // Span with status {message:"a", code:2} then status {message:"b"}
    const span = [122, 5, 18, 1, 97, 24, 2, 122, 3, 18, 1, 98];
    const req = Uint8Array.from(ld(1, ld(2, ld(2, span))));
    const got = decodeTracesRequest(req).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.deepStrictEqual(got.status, { message: 'b', code: 2 });
  });

  it('appends repeated scalars sent in several runs, packed or not', () => {
    // Sample { values packed [1, 2], values 3 (unpacked), values packed [4], timestamps packed [5], timestamps fixed64 6,
    //          attribute_indices 7, attribute_indices packed [8, 9] }
    const fixed = (n: number): number[] => [n, 0, 0, 0, 0, 0, 0, 0];
    const sampleBytes = [...ld(4, [1, 2]), 32, 3, ...ld(4, [4]), ...ld(5, fixed(5)), 41, ...fixed(6), 16, 7, ...ld(2, [8, 9])];
    const req = Uint8Array.from(ld(1, ld(2, ld(2, ld(2, sampleBytes)))));
    const sample = decodeProfilesRequest(req).resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples[0]!;
    assert.deepStrictEqual(sample.values, [1, 2, 3, 4]);
    assert.deepStrictEqual(sample.timestampsUnixNano, [5n, 6n]);
    assert.deepStrictEqual(sample.attributeIndices, [7, 8, 9]);
  });

  it('every decoded repeated field is its own mutable array', () => {
    const req = everyFieldProfilesRequest();
    const got = decodeProfilesRequest(encodeProfilesRequest(req));
    const d = got.dictionary!;
    const p = got.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1]!;
    const arrays: unknown[][] = [
      ...got.resourceProfiles[0]!.scopeProfiles[0]!.profiles.flatMap((x) => [
        x.attributeIndices,
        ...x.samples.flatMap((s) => [s.attributeIndices, s.values, s.timestampsUnixNano]),
      ]),
      ...d.stackTable.map((x) => x.locationIndices),
      ...d.locationTable.flatMap((x) => [x.attributeIndices, x.lines]),
      ...d.mappingTable.map((x) => x.attributeIndices),
      p.samples,
    ];
    assert.equal(new Set(arrays).size, arrays.length, 'no array is shared');
    for (const a of arrays) {
      assert.ok(!Object.isFrozen(a));
      a.push(undefined as never);
    }
  });

  it('short strings that share a cache slot never get mixed up', () => {
    const strings = Array.from({ length: 20_000 }, (_, i) => `k${i}`);
    const req: ExportProfilesServiceRequest = {
      resourceProfiles: [],
      dictionary: { mappingTable: [], locationTable: [], functionTable: [], linkTable: [], stringTable: strings, attributeTable: [], stackTable: [] },
    };
    const bytes = encodeProfilesRequest(req);
    assert.deepStrictEqual(decodeProfilesRequest(bytes).dictionary!.stringTable, strings);
    assert.deepStrictEqual(decodeProfilesRequest(bytes).dictionary!.stringTable, strings);
  });

  it('takes the last AnyValue member when several are sent; same-kind arrays merge', () => {
    // request { resource_spans { resource { attributes: kv } } }
    const inResource = (kv: number[]): Uint8Array => Uint8Array.from(ld(1, ld(1, ld(1, kv))));
    // KeyValue { value: AnyValue { string_value "x", int_value 5 } } -> the int wins
    const kv = ld(2, [10, 1, 120, 24, 5]);
    assert.deepStrictEqual(decodeTracesRequest(inResource(kv)).resourceSpans[0]!.resource!.attributes, [
      { key: '', keyStrindex: 0, value: { intValue: 5n } },
    ]);
    // Two array_value members: their values are concatenated.
    const arrays = ld(2, [...ld(5, ld(1, [16, 1])), ...ld(5, ld(1, [16, 0]))]);
    assert.deepStrictEqual(decodeTracesRequest(inResource(arrays)).resourceSpans[0]!.resource!.attributes[0]!.value, {
      arrayValue: { values: [{ boolValue: true }, { boolValue: false }] },
    });
  });
});

/** A length-delimited field (lengths < 128 only). */
function ld(field: number, body: number[]): number[] {
  assert.ok(body.length < 128);
  return [(field << 3) | 2, body.length, ...body];
}

describe('random valid requests', () => {
  it('traces: ours -> ours, ours -> protobufjs, protobufjs -> ours', () => {
    fc.assert(
      fc.property(arbTracesRequest(), (req) => {
        const bytes = encodeTracesRequest(req);
        assert.deepStrictEqual(decodeTracesRequest(bytes), req);
        assert.deepStrictEqual(independentDecode(OTLP_TYPES.tracesRequest, bytes), req);
        assert.deepStrictEqual(decodeTracesRequest(independentEncode(OTLP_TYPES.tracesRequest, req)), req);
      }),
      RUNS,
    );
  });

  it('profiles: ours -> ours, ours -> protobufjs, protobufjs (unpacked) -> ours', () => {
    fc.assert(
      fc.property(arbProfilesRequest(), (req) => {
        const bytes = encodeProfilesRequest(req);
        assert.deepStrictEqual(decodeProfilesRequest(bytes), req);
        assert.deepStrictEqual(independentDecode(OTLP_TYPES.profilesRequest, bytes), req);
        assert.deepStrictEqual(decodeProfilesRequest(independentEncode(OTLP_TYPES.profilesRequest, req, { unpacked: true })), req);
      }),
      RUNS,
    );
  });
});
