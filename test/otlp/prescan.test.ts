// The pre-scan counts exactly what the decoders will build: a limit equal to a request's count
// lets it through, one less refuses it, on protobuf and JSON alike; hostile bodies are refused
// by the count, before any decoding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { prescanRequest, DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../../src/otlp/prescan/index.js';
import { encodeProfilesRequest, encodeTracesRequest, profilesRequestToJson, tracesRequestToJson } from '../../src/otlp/index.js';
import type { AnyValue, ExportProfilesServiceRequest, ExportTraceServiceRequest, KeyValue } from '../../src/otlp/model.js';
import { RequestLimitError, DecodeError } from '../../src/errors.js';
import { arbProfilesRequest, arbTracesRequest } from '../helpers/otlp-arbitraries.js';

const KEY = 'receivers.otlp.protocols.http.limits';
const limits = (values: Partial<RequestLimits> = {}) => ({ values: { ...DEFAULT_REQUEST_LIMITS, ...values }, configKey: KEY });
const json = (x: unknown) => Buffer.from(JSON.stringify(x));

function anyValueAttrs(v: AnyValue | undefined): number {
  if (!v) return 0;
  if (v.arrayValue) return v.arrayValue.values.reduce((n, x) => n + anyValueAttrs(x), 0);
  if (v.kvlistValue) return kvs(v.kvlistValue.values);
  return 0;
}
const kvs = (list: readonly KeyValue[]): number => list.reduce((n, kv) => n + 1 + anyValueAttrs(kv.value), 0);

function profileCounts(r: ExportProfilesServiceRequest) {
  let samples = 0;
  let attributes = 0;
  for (const rp of r.resourceProfiles) {
    attributes += kvs(rp.resource?.attributes ?? []);
    for (const sp of rp.scopeProfiles) {
      attributes += kvs(sp.scope?.attributes ?? []);
      for (const p of sp.profiles) samples += p.samples.length;
    }
  }
  for (const a of r.dictionary?.attributeTable ?? []) attributes += 1 + anyValueAttrs(a.value);
  return { samples, strings: r.dictionary?.stringTable.length ?? 0, attributes };
}

function traceAttributes(r: ExportTraceServiceRequest): number {
  let n = 0;
  for (const rs of r.resourceSpans) {
    n += kvs(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans) {
      n += kvs(ss.scope?.attributes ?? []);
      for (const s of ss.spans) {
        n += kvs(s.attributes);
        for (const e of s.events) n += kvs(e.attributes);
        for (const l of s.links) n += kvs(l.attributes);
      }
    }
  }
  return n;
}

const refusedFor = (limit: string) => (e: unknown) => e instanceof RequestLimitError && e.limit === limit && e.message.includes(`${KEY}.${limit}`);

describe('request pre-scan', () => {
  it('counts profiles requests exactly, the same on protobuf and JSON', () => {
    fc.assert(
      fc.property(arbProfilesRequest(), (r) => {
        const want = profileCounts(r);
        const proto = prescanRequest('profiles', 'proto', encodeProfilesRequest(r), limits());
        const text = prescanRequest('profiles', 'json', json(profilesRequestToJson(r)), limits());
        for (const t of [proto, text]) {
          assert.equal(t.samples, want.samples);
          assert.equal(t.strings, want.strings);
          assert.equal(t.attributes, want.attributes);
        }
        // Each limit at the count passes; one below refuses, naming the limit and its key.
        const exact = { max_messages: proto.messages, max_samples: want.samples, max_strings: want.strings, max_attributes: want.attributes };
        prescanRequest('profiles', 'proto', encodeProfilesRequest(r), limits(exact));
        for (const [limit, count] of Object.entries(exact) as [keyof RequestLimits, number][]) {
          if (count === 0) continue;
          assert.throws(() => prescanRequest('profiles', 'proto', encodeProfilesRequest(r), limits({ [limit]: count - 1 })), refusedFor(limit));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('counts traces requests exactly, the same on protobuf and JSON', () => {
    fc.assert(
      fc.property(arbTracesRequest(), (r) => {
        const proto = prescanRequest('traces', 'proto', encodeTracesRequest(r), limits());
        const text = prescanRequest('traces', 'json', json(tracesRequestToJson(r)), limits());
        assert.equal(proto.attributes, traceAttributes(r));
        assert.equal(text.attributes, traceAttributes(r));
        if (proto.attributes > 0) {
          assert.throws(
            () => prescanRequest('traces', 'json', json(tracesRequestToJson(r)), limits({ max_attributes: proto.attributes - 1 })),
            refusedFor('max_attributes'),
          );
        }
        if (proto.messages > 0) {
          assert.throws(
            () => prescanRequest('traces', 'proto', encodeTracesRequest(r), limits({ max_messages: proto.messages - 1 })),
            refusedFor('max_messages'),
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses 60 MiB of empty messages or objects by the message count, having read only the start', () => {
    const size = 60 * 2 ** 20;
    const proto = Buffer.alloc(size);
    for (let i = 0; i < size; i += 2) proto[i] = 0x0a;
    // A truncated field at the very end: the scan never gets there.
    proto[size - 1] = 0x0a;
    proto[size - 2] = 0x0a;
    assert.throws(() => prescanRequest('profiles', 'proto', proto, limits()), refusedFor('max_messages'));
    const text = Buffer.from(`{"resourceProfiles":[${'{},'.repeat(20_000_000)}{}]}`);
    assert.throws(() => prescanRequest('profiles', 'json', text, limits()), refusedFor('max_messages'));
    // Strings and samples, as JSON, are counted too.
    const strings = Buffer.from(`{"dictionary":{"stringTable":[${'"",'.repeat(10)}""]}}`);
    assert.throws(() => prescanRequest('profiles', 'json', strings, limits({ max_strings: 10 })), refusedFor('max_strings'));
    const samples = Buffer.from(`{"resourceProfiles":[{"scopeProfiles":[{"profiles":[{"samples":[{},{},{}]}]}]}]}`);
    assert.throws(() => prescanRequest('profiles', 'json', samples, limits({ max_samples: 2 })), refusedFor('max_samples'));
  });

  it('counts what hides inside groups and strings as nothing, and leaves malformed input to the decoder', () => {
    // "[{" inside a JSON string is not structure.
    const t = prescanRequest('profiles', 'json', Buffer.from('{"a":"[{\\"{{{[[[","b":[1,2]}'), limits({ max_messages: 1 }));
    assert.equal(t.messages, 1);
    // A truncated message stops the scan without a throw; the decoder reports it.
    const truncated = Buffer.from([0x0a, 0x05, 0x12, 0x00]);
    assert.equal(prescanRequest('profiles', 'proto', truncated, limits()).messages, 0);
    assert.throws(
      () => prescanRequest('profiles', 'json', Buffer.from('['.repeat(600)), limits()),
      (e: unknown) => e instanceof DecodeError,
    );
  });
});
