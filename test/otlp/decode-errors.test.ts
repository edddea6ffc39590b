// Bad bytes: every fault is a DecodeError (code ERR_OTLP_DECODE) whose message names the
// message and field, never another error type, never a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.js';
import { decodeProfilesRequest, decodeProfilesResponse, decodeRpcStatus, decodeTracesRequest, decodeTracesResponse } from '../../src/otlp/decode.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/encode.js';
import type { AnyValue } from '../../src/otlp/model.js';
import { everyFieldProfilesRequest, everyFieldTracesRequest } from '../fixtures/otlp-every-field.js';
import { arbProfilesRequest, arbTracesRequest } from '../helpers/otlp-arbitraries.js';

const DECODERS = [decodeTracesRequest, decodeProfilesRequest, decodeTracesResponse, decodeProfilesResponse, decodeRpcStatus];

/** Runs `fn`; returns the DecodeError it threw, undefined if it returned. Fails on any other throw. */
function decodeErrorOf(fn: () => unknown): DecodeError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected a DecodeError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_OTLP_DECODE');
    return e;
  }
}

describe('truncated input', () => {
  it('every prefix of a traces request decodes or throws DecodeError; most throw', () => {
    const bytes = encodeTracesRequest(everyFieldTracesRequest());
    let thrown = 0;
    for (let n = 0; n < bytes.length; n++) if (decodeErrorOf(() => decodeTracesRequest(bytes.subarray(0, n)))) thrown++;
    assert.ok(thrown > bytes.length * 0.9, `${thrown} of ${bytes.length} prefixes threw`);
  });

  it('every prefix of a profiles request decodes or throws DecodeError; most throw', () => {
    const bytes = encodeProfilesRequest(everyFieldProfilesRequest());
    let thrown = 0;
    for (let n = 0; n < bytes.length; n++) if (decodeErrorOf(() => decodeProfilesRequest(bytes.subarray(0, n)))) thrown++;
    assert.ok(thrown > bytes.length * 0.9, `${thrown} of ${bytes.length} prefixes threw`);
  });

  it('names the message, the field and the byte offset', () => {
    // request { resource_spans { scope_spans { spans { span_id: 8 bytes announced, 3 present } } } }
    const span = [18, 8, 1, 2, 3];
    const bytes = Uint8Array.from([10, 9, 18, 7, 18, 5, ...span]);
    const e = decodeErrorOf(() => decodeTracesRequest(bytes));
    assert.match(e!.message, /^truncated length-delimited field \(length 8, 3 bytes left\) in Span\.span_id at byte 7$/);
  });

  it('a truncated varint is named too', () => {
    // Span { kind: varint cut after a continuation byte }
    const bytes = Uint8Array.from([10, 6, 18, 4, 18, 2, 48, 0x80]);
    assert.match(decodeErrorOf(() => decodeTracesRequest(bytes))!.message, /^truncated varint in Span\.kind at byte 7$/);
    // Sample.values packed run whose last varint is cut: the packed length fits but the varint does not
    const profile = [18, 4, 34, 2, 5, 0x80]; // Profile { samples { values [5, <cut>] } }
    const req = Uint8Array.from([10, 10, 18, 8, 18, 6, ...profile]);
    assert.match(decodeErrorOf(() => decodeProfilesRequest(req))!.message, /^truncated varint in Sample\.values at byte 11$/);
  });

  it('a fault while reading a tag says so', () => {
    const bytes = Uint8Array.from([0x80]);
    assert.match(decodeErrorOf(() => decodeTracesRequest(bytes))!.message, /truncated tag in ExportTraceServiceRequest \(field tag\) at byte 0/);
  });
});

describe('malformed input', () => {
  const cases: [string, number[], RegExp][] = [
    ['field number 0', [0x00, 0x01], /invalid field number 0/],
    ['wire type 6', [(5 << 3) | 6], /invalid wire type 6/],
    ['wire type 7', [(5 << 3) | 7, 0], /invalid wire type 7/],
    ['end-group without start', [(5 << 3) | 4], /unexpected end-group tag/],
    ['unterminated group', [(5 << 3) | 3, 8, 1], /truncated group/],
    ['mismatched end-group', [(5 << 3) | 3, (6 << 3) | 4], /end-group tag for field 6 closes group 5/],
    ['11-byte varint', [(5 << 3) | 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /malformed varint/],
    ['length beyond the buffer', [(5 << 3) | 2, 0xff, 0xff, 0x03], /truncated length-delimited/],
    ['truncated fixed64', [(5 << 3) | 1, 1, 2, 3], /truncated fixed64/],
    ['truncated fixed32', [(5 << 3) | 5, 1, 2], /truncated fixed32/],
    ['packed fixed64 not a multiple of 8', [10, 10, 18, 8, 18, 6, 18, 4, 42, 2, 1, 2], /not a multiple of 8 in Sample\.timestamps_unix_nano/],
  ];
  for (const [name, bytes, re] of cases) {
    it(name, () => {
      const decoder = name.startsWith('packed') ? decodeProfilesRequest : decodeTracesRequest;
      assert.match(decodeErrorOf(() => decoder(Uint8Array.from(bytes)))!.message, re);
    });
  }

  it('a sub-message cannot run past its parent', () => {
    // ResourceSpans claims 2 bytes, but its scope_spans claims 5
    const bytes = Uint8Array.from([10, 2, 18, 5, 1, 2, 3, 4, 5]);
    assert.match(decodeErrorOf(() => decodeTracesRequest(bytes))!.message, /in ResourceSpans\.scope_spans/);
  });

  it('nesting deeper than 100 levels is refused, not a stack overflow', () => {
    let v: AnyValue = { intValue: 1n };
    for (let i = 0; i < 150; i++) v = { arrayValue: { values: [v] } };
    const bytes = encodeTracesRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'k', value: v, keyStrindex: 0 }], droppedAttributesCount: 0, entityRefs: [] },
          scopeSpans: [],
          schemaUrl: '',
        },
      ],
    });
    assert.match(decodeErrorOf(() => decodeTracesRequest(bytes))!.message, /nested deeper than 100/);
    // Deeply nested unknown groups too.
    const groups = [...Array(200).fill((9 << 3) | 3), ...Array(200).fill((9 << 3) | 4)];
    assert.match(decodeErrorOf(() => decodeTracesRequest(Uint8Array.from(groups)))!.message, /nested deeper than 100/);
  });

  it('accepts a Buffer and a Uint8Array view into a larger buffer', () => {
    const bytes = encodeTracesRequest(everyFieldTracesRequest());
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 7);
    assert.deepStrictEqual(decodeTracesRequest(big.subarray(7, 7 + bytes.length)), everyFieldTracesRequest());
    const decoded = decodeTracesRequest(Buffer.from(bytes));
    assert.deepStrictEqual(decoded, everyFieldTracesRequest());
    assert.equal(Object.getPrototypeOf(decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId), Uint8Array.prototype);
  });
});

describe('random and mutated bytes', () => {
  it('random bytes: a value or a DecodeError from every decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of DECODERS) decodeErrorOf(() => decode(bytes));
      }),
      { numRuns: 1500 },
    );
  });

  it('valid requests with bytes flipped, cut or inserted: a value or a DecodeError', () => {
    const mutate = (bytes: Uint8Array, at: number, byte: number, mode: number): Uint8Array => {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (mode === 0) return Uint8Array.from(bytes, (b, j) => (j === i ? byte : b));
      if (mode === 1) return bytes.subarray(0, i);
      return Uint8Array.from([...bytes.subarray(0, i), byte, ...bytes.subarray(i)]);
    };
    const mutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 }));
    fc.assert(
      fc.property(arbTracesRequest(), arbProfilesRequest(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (t, p, muts) => {
        let tb = encodeTracesRequest(t);
        let pb = encodeProfilesRequest(p);
        for (const [at, byte, mode] of muts) {
          tb = mutate(tb, at, byte, mode);
          pb = mutate(pb, at, byte, mode);
        }
        decodeErrorOf(() => decodeTracesRequest(tb));
        decodeErrorOf(() => decodeProfilesRequest(pb));
        decodeErrorOf(() => decodeTracesRequest(pb));
        decodeErrorOf(() => decodeProfilesRequest(tb));
      }),
      { numRuns: 150 },
    );
  });
});
