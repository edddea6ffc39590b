// Label names that are Object.prototype members (`constructor`, `__proto__`, `toString`,
// `hasOwnProperty`) are label names like any other, in every API that takes one: a tag query
// key, the time series group_by, the label values path. Over real HTTP against a store that
// holds profiles with and without labels of those names.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { valueScale } from '../../src/store/ingest/extract.js';
import { eventually, getJson, sendProfiles, startProfiler, type Profiler } from './helpers.js';

const T0 = Date.now() - 10 * 60_000;
const RANGE = { from: T0 - 60_000, to: T0 + 5 * 60_000 };
const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

function request(i: number, attributes: Record<string, string>): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const leaf = b.location([{ functionIndex: b.function('work', 'work.go', 1), line: 2, column: 0 }]);
  const profile = makeProfile({
    sampleType: b.valueType('cpu', 'nanoseconds'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 1_000_000,
    timeUnixNano: BigInt(T0 + i * 60_000) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k === 0 ? i + 1 : 5)),
    samples: [makeSample({ stackIndex: b.stack([leaf]), values: [1_000_000 * (i + 1)] })],
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'proto', ...attributes }), makeScope());
}

describe('label names that are Object.prototype members', () => {
  let p: Profiler;
  before(async () => {
    p = await startProfiler({ holdWindow: '1ms' });
    // Profile 0 has none of them; profile 1 has each, as an own key (not an object literal's __proto__).
    await sendProfiles(p, request(0, {}));
    await sendProfiles(p, request(1, Object.fromEntries(NAMES.map((n) => [n, `${n}-value`]))));
    await eventually(
      'both profiles stored',
      async () => (await getJson(p, '/api/v1/search', { ...RANGE, query: 'service:proto' })).body.profileCount === 2,
    );
  });
  after(() => p.stop());

  for (const name of NAMES) {
    it(`query=${name}:... matches only the profile with that label`, async () => {
      const miss = await getJson(p, '/api/v1/search', { ...RANGE, query: `${name}:x` });
      assert.equal(miss.status, 200, JSON.stringify(miss.body));
      assert.equal(miss.body.profileCount, 0);
      const hit = await getJson(p, '/api/v1/search', { ...RANGE, query: `${name}:${name}-value` });
      assert.equal(hit.status, 200, JSON.stringify(hit.body));
      assert.equal(hit.body.profileCount, 1);
      assert.equal(hit.body.total, 2_000_000);
      const negated = await getJson(p, '/api/v1/search', { ...RANGE, query: `-${name}:*` });
      assert.equal(negated.body.profileCount, 1, 'the profile without it');
      assert.equal(negated.body.total, 1_000_000);
    });

    it(`/api/v1/labels/${name}/values lists the stored value only`, async () => {
      const r = await getJson(p, `/api/v1/labels/${encodeURIComponent(name)}/values`, RANGE);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.values, [{ value: `${name}-value`, profiles: 1 }]);
    });

    it(`timeseries group_by=${name} groups by the label`, async () => {
      const r = await getJson(p, '/api/v1/timeseries', { ...RANGE, type: 'cpu', step: '1m', group_by: name });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const totals = Object.fromEntries(r.body.series.map((s: { labels: Record<string, string>; total: number }) => [s.labels[name], s.total]));
      assert.deepEqual(totals, { [`${name}-value`]: 2_000_000, '': 1_000_000 });
    });
  }

  it('lists them among the label names', async () => {
    const r = await getJson(p, '/api/v1/labels', RANGE);
    assert.equal(r.status, 200);
    for (const name of NAMES) assert.ok(r.body.names.includes(name), name);
  });

  it('a label name absent from the store answers an empty list', async () => {
    const r = await getJson(p, '/api/v1/labels/valueOf/values', RANGE);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.values, []);
  });

  it('a sample unit named like a prototype member is not a time unit', () => {
    assert.deepEqual(valueScale('constructor', 'cpu', 'nanoseconds', 1), { scale: 1, unit: 'constructor' });
    assert.deepEqual(valueScale('count', 'cpu', 'toString', 10), { scale: 1, unit: 'count' });
  });
});
