// Label listings are bounded: /api/v1/labels and label value lists take a `limit` (default
// 1000) and say `truncated: true` when there were more. At ingestion the store keeps at most
// store.labels.max_per_profile series labels per profile (service.name always), drops names
// and cuts values over their lengths, and counts what it cut. Over real HTTP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { boundLabels } from '../../src/store/ingest/labels.js';
import { eventually, getJson, sendProfiles, startProfiler, type Profiler } from './helpers.js';

const T0 = Date.now() - 10 * 60_000;
const RANGE = { from: T0 - 60_000, to: T0 + 60 * 60_000 };

function request(i: number, attributes: Record<string, string>): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const leaf = b.location([{ functionIndex: b.function('work', 'work.go', 1), line: 2, column: 0 }]);
  const profile = makeProfile({
    sampleType: b.valueType('cpu', 'nanoseconds'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 1_000_000,
    timeUnixNano: BigInt(T0 + i * 1000) * 1_000_000n,
    durationNano: 1_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k < 2 ? (i >> (8 * k)) & 0xff : 6)),
    samples: [makeSample({ stackIndex: b.stack([leaf]), values: [1_000_000] })],
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource(attributes), makeScope());
}

const pad = (n: number): string => String(n).padStart(5, '0');

describe('bounded label listings and label sets', () => {
  let p: Profiler;
  before(async () => {
    p = await startProfiler({ holdWindow: '1ms' });
    // 5000 attribute keys, resource order, plus a 5000-character value and a 300-character name.
    const wide: Record<string, string> = { 'k.00000': 'x'.repeat(5000), ['n'.repeat(300)]: 'long name' };
    for (let k = 1; k < 5000; k++) wide[`k.${pad(k)}`] = `v${k}`;
    wide['service.name'] = 'wide';
    await sendProfiles(p, request(0, wide));
    // 30 versions of another service.
    for (let i = 1; i <= 30; i++) await sendProfiles(p, request(i, { 'service.name': 'versions', 'service.version': `1.${pad(i)}` }));
    await eventually('31 profiles stored', async () => (await getJson(p, '/api/v1/search', { ...RANGE, limit: 0 })).body.profileCount === 31);
  });
  after(() => p.stop());

  it('kept 128 labels of the wide profile: service.name and the first 127 others', async () => {
    const r = await getJson(p, '/api/v1/labels', { ...RANGE, query: 'service:wide' });
    assert.equal(r.status, 200);
    assert.equal(r.body.truncated, false);
    assert.equal(r.body.names.length, 128);
    assert.ok(r.body.names.includes('service.name'));
    assert.deepEqual(
      r.body.names.filter((n: string) => n !== 'service.name'),
      Array.from({ length: 127 }, (_, k) => `k.${pad(k)}`),
    );
    const v = await getJson(p, '/api/v1/labels/k.00000/values', RANGE);
    assert.deepEqual(v.body.values, [{ value: 'x'.repeat(1024), profiles: 1 }], 'the long value is cut to max_value_length');
    const metrics = await (await fetch(`${p.api}/metrics`)).text();
    assert.match(metrics, /otel_profile_bridge_store_labels_limited_total\{store="store",reason="too_many"\} 4873/);
    assert.match(metrics, /otel_profile_bridge_store_labels_limited_total\{store="store",reason="name_too_long"\} 1/);
    assert.match(metrics, /otel_profile_bridge_store_labels_limited_total\{store="store",reason="value_truncated"\} 1/);
  });

  it('/api/v1/labels: limit and truncated', async () => {
    const all = await getJson(p, '/api/v1/labels', RANGE);
    assert.equal(all.body.names.length, 129, 'wide labels + service.version');
    assert.equal(all.body.truncated, false);
    const cut = await getJson(p, '/api/v1/labels', { ...RANGE, limit: 10 });
    assert.equal(cut.status, 200);
    assert.deepEqual(cut.body.names, all.body.names.slice(0, 10));
    assert.equal(cut.body.truncated, true);
    const exact = await getJson(p, '/api/v1/labels', { ...RANGE, limit: 129 });
    assert.equal(exact.body.truncated, false);
    assert.equal((await getJson(p, '/api/v1/labels', { ...RANGE, limit: 0 })).status, 400);
    assert.equal((await getJson(p, '/api/v1/labels', { ...RANGE, limit: 100_001 })).status, 400);
  });

  it('label values: limit and truncated', async () => {
    const cut = await getJson(p, '/api/v1/labels/version/values', { ...RANGE, limit: 5 });
    assert.equal(cut.status, 200);
    assert.deepEqual(
      cut.body.values.map((v: { value: string }) => v.value),
      [1, 2, 3, 4, 5].map((i) => `1.${pad(i)}`),
    );
    assert.equal(cut.body.truncated, true);
    const all = await getJson(p, '/api/v1/labels/version/values', RANGE);
    assert.equal(all.body.values.length, 30);
    assert.equal(all.body.truncated, false);
  });

  it('boundLabels leaves a label set within limits as the same object, and keeps surrogate pairs whole', () => {
    const limits = { max_per_profile: 3, max_name_length: 12, max_value_length: 3 };
    const ok = { 'service.name': 'a', b: 'bb' };
    assert.equal(boundLabels(ok, limits).labels, ok);
    const r = boundLabels({ a: 'ab😀', 'service.name': 's', b: '1', c: '2', muchtoolongname: 'x' }, limits);
    assert.deepEqual(r.labels, { 'service.name': 's', a: 'ab', b: '1' });
    assert.deepEqual([r.tooMany, r.nameTooLong, r.valueTruncated], [1, 1, 1]);
  });
});
