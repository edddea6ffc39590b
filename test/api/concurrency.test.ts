// Queries while ingestion is heavy: a stream of large profiles keeps the writer busy while
// the API answers queries about the fixture. Every answer must be complete and exact (the
// fixture's numbers do not change while other services' data arrives); nothing is timed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { MS, PROFILES, SPAN, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { getJson, sendProfiles, sendTraces, startProfiler, type Profiler } from './helpers.js';

const NOISE_PROFILES = 120;
const NOISE_STACKS = 400;

/** A `noise` service profile: NOISE_STACKS stacks five frames deep, 1 count each. */
function noiseProfile(i: number, startMs: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const frames = (k: number) =>
    [0, 1, 2, 3, 4].map((d) =>
      b.location([{ functionIndex: b.function(`noise_${(k * 7 + d * 13 + i) % 300}`, `noise${d}.go`, d), line: d + 1, column: 0 }]),
    );
  const samples = Array.from({ length: NOISE_STACKS }, (_, k) => makeSample({ stackIndex: b.stack(frames(k)), values: [1] }));
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: MS,
    timeUnixNano: BigInt(startMs) * 1_000_000n,
    durationNano: 1_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k < 2 ? (i >> (8 * k)) & 0xff : 0xee)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'noise', 'host.name': `n-${i % 5}` }), makeScope());
}

describe('queries during heavy ingestion', () => {
  let p: Profiler;
  let t0: number;
  let range: { from: number; to: number };

  before(async () => {
    p = await startProfiler();
    t0 = fixtureT0();
    range = { from: t0, to: t0 + 4 * 60_000 - 1 };
    await sendTraces(p, tracesRequest(t0));
    for (const pr of PROFILES) await sendProfiles(p, profileRequest(pr, t0));
  });
  after(() => p?.stop());

  it('answers every query correctly while profiles stream in', async () => {
    let ingesting = true;
    let sent = 0;
    const ingest = (async () => {
      const workers = Array.from({ length: 4 }, async () => {
        while (sent < NOISE_PROFILES) {
          const i = sent++;
          await sendProfiles(p, noiseProfile(i, t0 + (i % 240) * 1000));
        }
      });
      await Promise.all(workers);
      ingesting = false;
    })();

    let rounds = 0;
    let duringIngestion = 0;
    let lastNoiseCount = 0;
    while (rounds < 400 && (ingesting || rounds < 3)) {
      rounds++;
      if (ingesting) duringIngestion++;
      const [search, top, hot, noise] = await Promise.all([
        getJson(p, '/api/v1/search', { ...range, type: 'cpu', query: 'service:checkout', limit: 10 }),
        getJson(p, '/api/v1/top', { ...range, type: 'cpu', query: 'service:checkout', limit: 3 }),
        getJson(p, '/api/v1/hotspots', { span_id: SPAN.S1, include_children: true }),
        // A heavy one: everything, noise included, as a flame tree.
        getJson(p, '/api/v1/search', { ...range, type: 'cpu', query: 'service:noise', limit: 0 }),
      ]);
      assert.equal(search.status, 200);
      assert.equal(search.body.total, 66 * MS);
      assert.equal(search.body.profileCount, 4);
      assert.deepEqual(
        top.body.rows.map((r: any) => [r.name, r.self / MS]),
        [
          ['parse', 35],
          ['Db::exec', 8],
          ['shop.Cart.remove', 7],
        ],
      );
      assert.equal(hot.body.total, 15 * MS);
      assert.equal(noise.status, 200);
      // Whole profiles only: a profile is visible with all its samples or not at all.
      assert.equal(noise.body.total, noise.body.profileCount * NOISE_STACKS * MS);
      assert.ok(noise.body.profileCount >= lastNoiseCount, 'never goes back');
      lastNoiseCount = noise.body.profileCount;
    }
    await ingest;
    assert.ok(duringIngestion > 0, 'some queries ran while ingesting');
    const final = await getJson(p, '/api/v1/search', { ...range, type: 'cpu', query: 'service:noise', limit: 0 });
    assert.equal(final.body.profileCount, NOISE_PROFILES);
    assert.equal(final.body.total, NOISE_PROFILES * NOISE_STACKS * MS);
  });
});
