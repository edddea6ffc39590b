// One bad profile in a batch: a CPU profile whose values are negative, sent over OTLP/HTTP
// with 20 valid ones to a bridge with the store. The bad one is rejected by itself
// (partial_success with a message naming it), the 20 are stored and answered for, nothing
// is counted as a failed write, and the store's totals are those of the 20.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DictionaryBuilder, makeProfile, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import { decodeProfilesResponse, encodeProfilesRequest } from '../../src/otlp/index.js';
import type { ExportProfilesServiceRequest, Profile } from '../../src/otlp/model.js';
import { getJson, startProfiler, type Profiler } from '../api/helpers.js';

const T0 = Date.now() - 60_000;

/** 21 CPU profiles in one request; profile 7 has only values of -5. */
function batch(): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const main = b.location([{ functionIndex: b.function('main', 'main.go', 1), line: 3, column: 0 }]);
  const work = b.location([{ functionIndex: b.function('work', 'work.go', 10), line: 12, column: 0 }]);
  const profiles: Profile[] = [];
  for (let i = 0; i < 21; i++) {
    const value = i === 7 ? -5 : 10 + i;
    profiles.push(
      makeProfile({
        sampleType: b.valueType('cpu', 'nanoseconds'),
        periodType: b.valueType('cpu', 'nanoseconds'),
        period: 10_000_000,
        timeUnixNano: BigInt(T0 + i * 1000) * 1_000_000n,
        durationNano: 1_000_000_000n,
        profileId: Uint8Array.from({ length: 16 }, (_, k) => (k === 0 ? i + 1 : 3)),
        samples: [
          makeSample({ stackIndex: b.stack([work, main]), values: [value * 1_000_000] }),
          makeSample({ stackIndex: b.stack([main]), values: [value * 1_000_000] }),
        ],
      }),
    );
  }
  return {
    dictionary: b.dictionary,
    resourceProfiles: [
      { resource: makeResource({ 'service.name': 'poison' }), schemaUrl: '', scopeProfiles: [{ scope: makeScope(), schemaUrl: '', profiles }] },
    ],
  };
}

describe('a profile with negative values in a batch of good ones', () => {
  let p: Profiler;
  before(async () => {
    p = await startProfiler();
  });
  after(() => p.stop());

  it('is rejected alone; the others are stored, answered for and summed', async () => {
    const res = await fetch(`${p.running.http}/v1development/profiles`, {
      method: 'POST',
      body: encodeProfilesRequest(batch()),
      headers: { 'content-type': 'application/x-protobuf' },
    });
    assert.equal(res.status, 200);
    const partial = decodeProfilesResponse(Buffer.from(await res.arrayBuffer())).partialSuccess;
    assert.equal(partial?.rejectedProfiles, 1);
    assert.match(partial!.errorMessage, /profile 0\/0\/7: sample 0 value -5000000 is negative.*cpu/);

    // Stored once the join's hold window passes: poll (bounded) for the 20.
    const expectedTotal = Array.from({ length: 21 }, (_, i) => i)
      .filter((i) => i !== 7)
      .reduce((sum, i) => sum + 2 * (10 + i) * 1_000_000, 0);
    let search: { profileCount: number; total: number } | undefined;
    for (let i = 0; i < 400; i++) {
      const r = await getJson(p, '/api/v1/search', { from: T0 - 1000, to: T0 + 60_000, type: 'cpu', query: 'service:poison' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      search = r.body;
      if (search!.profileCount >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(search?.profileCount, 20);
    assert.equal(search?.total, expectedTotal);

    const metrics = await (await fetch(`${p.api}/metrics`)).text();
    assert.doesNotMatch(metrics, /store_dropped_total\{[^}]*reason="write_failed"[^}]*\} [1-9]/);
    assert.match(metrics, /otel_profile_bridge_store_profiles_stored_total\{store="store"\} 20/);
  });
});
