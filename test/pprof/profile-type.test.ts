import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample } from '../../src/otlp/build.js';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { encodeProfilesRequestPprof } from '../../src/pprof/encode-direct.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { isSampleCountType, measuredTypeOf, profileTypeOf, profileTypesOf, sanitizeTypeName } from '../../src/pprof/profile-type.js';
import { profileFamily } from '../../src/exporters/shared/series-labels.js';
import { extractProfile } from '../../src/store/ingest/extract.js';

const vt = (type: string, unit: string) => ({ type, unit });

describe('profileTypeOf', () => {
  const cases: [string, ReturnType<typeof vt>, ReturnType<typeof vt> | undefined, string][] = [
    ['eBPF cpu: samples/count with a cpu period', vt('samples', 'count'), vt('cpu', 'nanoseconds'), 'cpu'],
    ['cpu time', vt('cpu', 'nanoseconds'), undefined, 'cpu'],
    ['wall time', vt('wall', 'nanoseconds'), vt('wall', 'nanoseconds'), 'wall'],
    ['wall samples', vt('sample', 'count'), vt('wall', 'nanoseconds'), 'wall'],
    ['go heap', vt('alloc_space', 'bytes'), vt('space', 'bytes'), 'alloc_space'],
    ['go heap objects', vt('inuse_objects', 'count'), undefined, 'inuse_objects'],
    ['node heap space', vt('space', 'bytes'), undefined, 'inuse_space'],
    ['node heap objects', vt('objects', 'count'), undefined, 'inuse_objects'],
    ['off cpu', vt('off_cpu', 'nanoseconds'), undefined, 'off_cpu'],
    ['samples without period', vt('samples', 'count'), undefined, 'samples'],
    ['unknown, sanitized', vt('Lock Wait/Time', 'nanoseconds'), undefined, 'lock_wait_time'],
    ['empty', vt('', ''), undefined, 'unknown'],
  ];
  for (const [name, st, pt, want] of cases) {
    it(name, () => assert.equal(profileTypeOf(st, pt), want));
  }

  it('sanitized names are path-safe', () => {
    for (const s of ['../../etc', '.', '..', 'a/b\\c', '\u0000x', 'ÄÖÜ']) {
      const out = sanitizeTypeName(s);
      assert.match(out, /^[a-z0-9_]+$/, s);
    }
  });
});

describe('a sample count next to the values it counts', () => {
  const head = (st: ReturnType<typeof vt>, pt: ReturnType<typeof vt> | undefined, window = '1/10') => ({
    sampleType: st,
    ...(pt ? { periodType: pt } : {}),
    window,
  });
  const WALL = vt('wall', 'nanoseconds');

  it('gets a type of its own; alone it stays the type it measures', () => {
    // dd-trace's / the SDK's wall profile: sample/count, wall/nanoseconds, cpu/nanoseconds.
    assert.deepEqual(profileTypesOf([head(vt('sample', 'count'), WALL), head(WALL, WALL), head(vt('cpu', 'nanoseconds'), WALL)]), [
      'wall_samples',
      'wall',
      'cpu',
    ]);
    // Go's CPU profile.
    assert.deepEqual(
      profileTypesOf([head(vt('samples', 'count'), vt('cpu', 'nanoseconds')), head(vt('cpu', 'nanoseconds'), vt('cpu', 'nanoseconds'))]),
      ['cpu_samples', 'cpu'],
    );
    // The eBPF profiler's cpu, and a count of another window than the wall time.
    assert.deepEqual(profileTypesOf([head(vt('samples', 'count'), vt('cpu', 'nanoseconds'))]), ['cpu']);
    assert.deepEqual(profileTypesOf([head(vt('sample', 'count'), WALL, '1/10'), head(WALL, WALL, '11/10')]), ['wall', 'wall']);
    assert.equal(measuredTypeOf('wall_samples'), 'wall');
    assert.equal(isSampleCountType('wall'), false);
  });

  it('is kept apart by the converter, stored as a count and named in the family of what it counts', () => {
    const b = new DictionaryBuilder();
    const fn = b.function('work', '/app/work.js', 1);
    const stack = b.stack([b.location([{ functionIndex: fn, line: 2, column: 0 }])]);
    const common = {
      timeUnixNano: 1_700_000_000_000_000_000n,
      durationNano: 10_000_000_000n,
      periodType: b.valueType('wall', 'nanoseconds'),
      period: 10_000_000,
    };
    const req = makeProfilesRequest(
      b.dictionary,
      [
        makeProfile({ ...common, sampleType: b.valueType('sample', 'count'), samples: [makeSample({ stackIndex: stack, values: [3] })] }),
        makeProfile({
          ...common,
          sampleType: b.valueType('wall', 'nanoseconds'),
          samples: [makeSample({ stackIndex: stack, values: [31_000_000] })],
        }),
      ],
      makeResource({ 'service.name': 'svc' }),
    );
    const { profiles, errors } = convertProfilesRequest(req);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      profiles.map((p) => p.profileType),
      ['wall_samples', 'wall'],
    );
    // The direct encoder types them alike, with the same ids and bytes.
    const direct = encodeProfilesRequestPprof(req);
    assert.deepEqual(direct.errors, []);
    assert.deepEqual(
      direct.profiles.map((p) => [p.profileType, p.profileId, Buffer.from(p.pprof!)]),
      profiles.map((p) => [p.profileType, p.profileId, Buffer.from(encodePprof(p.profile))]),
    );
    const [count, wall] = profiles.map(extractProfile);
    assert.deepEqual([count!.type, count!.unit, count!.total], ['wall_samples', 'count', 3]);
    assert.deepEqual([wall!.type, wall!.unit, wall!.total], ['wall', 'nanoseconds', 31_000_000]);
    assert.equal(profileFamily('wall_samples'), 'wall');
    assert.equal(profileFamily('cpu_samples'), 'process_cpu');
  });
});
