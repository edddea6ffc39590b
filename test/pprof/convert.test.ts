// Golden tests: hand-built OTLP profiles -> convert -> encode -> decoded by protobufjs from
// proto/perftools/profiles/profile.proto, compared by value field by field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeSample } from '../../src/otlp/build.js';
import { convertProfilesRequest, countProfiles } from '../../src/pprof/convert.js';
import { encodePprof, encodePprofGzip } from '../../src/pprof/encode.js';
import { decodePprofIndependent, frameList, labelRecord, type ResolvedPprof } from '../helpers/pprof-decoded.js';
import { CPU_PROFILE_ID_HEX, ROOT_SPAN_ID_DEC, SPAN_ID_DEC, SPAN_ID_HEX, T0, TRACE_ID_HEX, richRequest } from '../helpers/profile-fixtures.js';

function decoded(i: number): { pprof: ResolvedPprof; converted: ReturnType<typeof convertProfilesRequest>['profiles'][number] } {
  const { profiles, errors } = convertProfilesRequest(richRequest().request);
  assert.deepEqual(errors, []);
  const converted = profiles[i]!;
  return { pprof: decodePprofIndependent(encodePprofGzip(converted.profile)), converted };
}

const INL_MAIN = ['parse parse.go:105', 'handle server.go:42', 'main main.go:12'];
const MALLOC = ['__libc_malloc :0', ...INL_MAIN];

describe('convertProfilesRequest: the rich fixture', () => {
  it('makes one pprof per OTLP profile with its own sample type', () => {
    const fx = richRequest();
    const { profiles, errors } = convertProfilesRequest(fx.request);
    assert.equal(errors.length, 0);
    assert.equal(countProfiles(fx.request), 3);
    assert.deepEqual(
      profiles.map((p) => p.profileType),
      fx.expected.map((e) => e.profileType),
    );
    profiles.forEach((p, i) => {
      const d = decodePprofIndependent(encodePprof(p.profile));
      assert.deepEqual(d.sampleTypes, [fx.expected[i]!.sampleType]);
      const total = d.samples.reduce((s, x) => s + x.values[0]!, 0);
      assert.equal(total, fx.expected[i]!.total, `total of profile ${i}`);
    });
  });

  it('cpu: header fields, period and window', () => {
    const { pprof, converted } = decoded(0);
    assert.deepEqual(pprof.periodType, { type: 'cpu', unit: 'nanoseconds' });
    assert.equal(pprof.period, 10_000_000);
    assert.equal(pprof.timeNanos, T0);
    assert.equal(pprof.durationNanos, 10_000_000_000n);
    assert.equal(converted.startUnixNano, T0);
    assert.equal(converted.durationNano, 10_000_000_000n);
    assert.equal(converted.profileId, CPU_PROFILE_ID_HEX);
  });

  it('cpu: samples merged by (stack, labels), stacks leaf first with inlined frames innermost first', () => {
    const { pprof } = decoded(0);
    const got = pprof.samples.map((s) => ({ frames: frameList(s), value: s.values[0], labels: labelRecord(s) }));
    assert.deepEqual(got, [
      {
        frames: INL_MAIN,
        value: 7,
        labels: {
          trace_id: TRACE_ID_HEX,
          span_id: SPAN_ID_HEX,
          'span id': SPAN_ID_DEC,
          span_name: 'SELECT users',
          'trace endpoint': 'GET /users/:id',
          'local root span id': ROOT_SPAN_ID_DEC,
          'thread.name': 'worker',
          'thread.id': '7',
        },
      },
      // The vdso location has no lines; the duplicate main location collapsed into main's.
      { frames: ['main main.go:12'], value: 1, labels: {} },
      // Empty stack.
      { frames: [], value: 4, labels: {} },
      { frames: MALLOC, value: 3, labels: { gc: 'true', ratio: '0.5' } },
      // Timestamps only (2 events) under the eBPF profiler's empty link: unlinked.
      { frames: INL_MAIN, value: 2, labels: {} },
    ]);
    const tid = pprof.samples[0]!.labels.find((l) => l.key === 'thread.id')!;
    assert.equal(tid.num, 7n);
    assert.equal(tid.str, undefined);
  });

  it('cpu: columns, function fields, mappings and build ids', () => {
    const { pprof } = decoded(0);
    const inl = pprof.samples[0]!.locations[0]!;
    assert.equal(inl.address, 0x401000n);
    assert.deepEqual(
      inl.lines.map((l) => [l.function?.name, l.line, l.column, l.function?.startLine]),
      [
        ['parse', 105, 7, 100],
        ['handle', 42, 3, 40],
      ],
    );
    assert.deepEqual(inl.mapping, {
      memoryStart: 0x400000n,
      memoryLimit: 0x500000n,
      fileOffset: 0x1000n,
      filename: '/usr/bin/app',
      buildId: 'deadbeefcafe',
      hasFunctions: true,
      hasFilenames: true,
      hasLineNumbers: true,
      hasInlineFrames: true,
    });
    const malloc = pprof.samples[3]!.locations[0]!;
    assert.deepEqual(malloc.lines[0]!.function, { name: '__libc_malloc', systemName: '__libc_malloc', filename: '', startLine: 0 });
    assert.deepEqual(malloc.mapping, {
      memoryStart: 0x7f0000000000n,
      memoryLimit: 0x7f0000100000n,
      fileOffset: 0n,
      filename: '/lib/libc.so.6',
      buildId: 'go-build-libc',
      hasFunctions: true,
      hasFilenames: false,
      hasLineNumbers: false,
      hasInlineFrames: false,
    });
    const vdso = pprof.samples[1]!.locations[0]!;
    assert.equal(vdso.address, 0x7fff0100n);
    assert.deepEqual(vdso.lines, []);
    assert.equal(vdso.mapping?.filename, '[vdso]');
    assert.equal(vdso.mapping?.buildId, '');
    assert.equal(vdso.mapping?.hasFunctions, false);
  });

  it('cpu: tables deduplicated by value', () => {
    const { pprof } = decoded(0);
    assert.deepEqual(pprof.counts.mappings, 3);
    assert.deepEqual(pprof.counts.locations, 4);
    assert.deepEqual(pprof.counts.functions, 4);
    assert.equal(new Set(pprof.stringTable).size, pprof.stringTable.length, 'no duplicate strings');
  });

  it('cpu: series labels from resource, scope (string-indexed) and profile attributes; endpoint counts', () => {
    const { converted } = decoded(0);
    assert.deepEqual(converted.seriesLabels, {
      'service.name': 'checkout',
      'host.name': 'h1',
      'process.pid': '123',
      'deployment.environment.name': 'prod',
      'profile.source': 'fixture',
    });
    // Seven samples' worth of one request (one local root span) on one endpoint.
    assert.deepEqual(converted.endpointCounts, { 'GET /users/:id': 1 });
  });

  it('alloc_space: numeric label with unit, only the referenced tables, no period', () => {
    const { pprof, converted } = decoded(1);
    assert.equal(converted.profileType, 'alloc_space');
    assert.equal(pprof.periodType, undefined);
    assert.equal(pprof.durationNanos, 0n);
    const got = pprof.samples.map((s) => ({ frames: frameList(s), value: s.values[0], labels: s.labels }));
    assert.deepEqual(got, [
      { frames: MALLOC, value: 4196, labels: [{ key: 'alloc.size', num: 4096n, numUnit: 'By' }] },
      { frames: INL_MAIN, value: 64, labels: [] },
    ]);
    assert.equal(pprof.counts.mappings, 2);
    assert.equal(pprof.counts.locations, 3);
    assert.deepEqual(converted.endpointCounts, {});
  });

  it('wall: count of timestamps as the value; window taken from the timestamps when the profile has none', () => {
    const { pprof, converted } = decoded(2);
    assert.equal(converted.profileType, 'wall');
    assert.deepEqual(
      pprof.samples.map((s) => [frameList(s), s.values[0]]),
      [
        [INL_MAIN, 3],
        [MALLOC, 1],
      ],
    );
    // Events at T0+1ms .. T0+5ms all lie in [time, time + duration).
    assert.equal(pprof.timeNanos, T0 + 1_000_000n);
    assert.equal(pprof.durationNanos, 4_000_001n);
    assert.equal(converted.startUnixNano, T0 + 1_000_000n);
  });

  it('derives a stable content id when the profile has none', () => {
    const a = convertProfilesRequest(richRequest().request).profiles[2]!.profileId;
    const b = convertProfilesRequest(richRequest().request).profiles[2]!.profileId;
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.equal(a, b);
    const changed = richRequest();
    changed.request.resourceProfiles[0]!.scopeProfiles[0]!.profiles[2]!.samples[1]!.timestampsUnixNano.push(T0 + 4_000_000n);
    assert.notEqual(convertProfilesRequest(changed.request).profiles[2]!.profileId, a);
  });

  it("timestamps: 'label' keeps every event as a sample with end_timestamp_ns", () => {
    const { profiles } = convertProfilesRequest(richRequest().request, { timestamps: 'label' });
    const wall = decodePprofIndependent(encodePprof(profiles[2]!.profile));
    const events = wall.samples.map((s) => [frameList(s).length, s.values[0], s.labels.find((l) => l.key === 'end_timestamp_ns')?.num]);
    assert.deepEqual(events, [
      [3, 1, T0 + 5_000_000n],
      [3, 1, T0 + 1_000_000n],
      [3, 1, T0 + 3_000_000n],
      [4, 1, T0 + 2_000_000n],
    ]);
    // Samples without timestamps are unchanged.
    const cpu = decodePprofIndependent(encodePprof(profiles[0]!.profile));
    assert.equal(
      cpu.samples.reduce((s, x) => s + x.values[0]!, 0),
      17,
    );
    assert.equal(cpu.samples.length, 6, 'the two timestamped events became two samples');
  });

  it("timestamps: 'label' pairs values[i] with timestamps[i]", () => {
    const b = new DictionaryBuilder();
    const st = b.stack([b.location([{ functionIndex: b.function('f', 'f.go', 1), line: 2, column: 0 }])]);
    const p = makeProfile({
      sampleType: b.valueType('off_cpu', 'nanoseconds'),
      timeUnixNano: T0,
      samples: [makeSample({ stackIndex: st, values: [30, 40], timestampsUnixNano: [T0 + 10n, T0 + 20n] })],
    });
    const req = makeProfilesRequest(b.dictionary, [p]);
    const labelled = decodePprofIndependent(encodePprof(convertProfilesRequest(req, { timestamps: 'label' }).profiles[0]!.profile));
    assert.deepEqual(
      labelled.samples.map((s) => [s.values[0], s.labels[0]?.num]),
      [
        [30, T0 + 10n],
        [40, T0 + 20n],
      ],
    );
    const aggregated = convertProfilesRequest(req).profiles[0]!;
    assert.equal(aggregated.profileType, 'off_cpu');
    assert.deepEqual(
      decodePprofIndependent(encodePprof(aggregated.profile)).samples.map((s) => s.values),
      [[70]],
    );
  });

  it('defaults: no resource -> service.name unknown_service; no sample type -> samples/count', () => {
    const b = new DictionaryBuilder();
    const p = makeProfile({ samples: [makeSample({ values: [1] }), makeSample({})] });
    const req = { dictionary: b.dictionary, resourceProfiles: [{ scopeProfiles: [{ profiles: [p], schemaUrl: '' }], schemaUrl: '' }] };
    const { profiles, errors } = convertProfilesRequest(req);
    assert.equal(errors.length, 0);
    assert.deepEqual(profiles[0]!.seriesLabels, { 'service.name': 'unknown_service' });
    const d = decodePprofIndependent(encodePprof(profiles[0]!.profile));
    assert.deepEqual(d.sampleTypes, [{ type: 'samples', unit: 'count' }]);
    // The sample with neither values nor timestamps carries no measurement.
    assert.deepEqual(
      d.samples.map((s) => s.values),
      [[1]],
    );
    assert.equal(profiles[0]!.profileType, 'samples');
  });

  it('a span id attribute stands in for a missing link; endpoint counts count distinct local root spans', () => {
    const b = new DictionaryBuilder();
    const st = b.stack([b.location([{ functionIndex: b.function('f'), line: 1, column: 0 }])]);
    const ep = b.attribute('trace.endpoint', 'POST /pay');
    const ep2 = b.attribute('trace.endpoint', 'GET /health');
    const roots = ['0000000000000001', '0000000000000002'].map((r) => b.attribute('local_root_span.id', r));
    const spanAttr = b.attribute('span_id', SPAN_ID_HEX);
    const p = makeProfile({
      sampleType: b.valueType('cpu', 'nanoseconds'),
      samples: [
        makeSample({ stackIndex: st, values: [1], attributeIndices: [ep, roots[0]!, spanAttr] }),
        makeSample({ stackIndex: st, values: [1], attributeIndices: [ep, roots[0]!] }),
        makeSample({ stackIndex: st, values: [1], attributeIndices: [ep, roots[1]!] }),
        makeSample({ stackIndex: st, values: [1], attributeIndices: [ep2] }),
      ],
    });
    const { profiles } = convertProfilesRequest(makeProfilesRequest(b.dictionary, [p]));
    assert.deepEqual(profiles[0]!.endpointCounts, { 'POST /pay': 2, 'GET /health': 1 });
    const d = decodePprofIndependent(encodePprof(profiles[0]!.profile));
    assert.deepEqual(labelRecord(d.samples[0]!), {
      span_id: SPAN_ID_HEX,
      'span id': SPAN_ID_DEC,
      'trace endpoint': 'POST /pay',
      'local root span id': '1',
    });
  });

  it('keeps addresses and memory ranges beyond 2^53 exact', () => {
    const b = new DictionaryBuilder();
    const m = b.mapping({
      memoryStart: 0xffffffffff600000n,
      memoryLimit: 0xffffffffff601000n,
      fileOffset: 0n,
      filenameStrindex: b.string('[vsyscall]'),
    });
    const st = b.stack([b.location([], m, 0xffffffffff600400n)]);
    const p = makeProfile({ sampleType: b.valueType('cpu', 'nanoseconds'), samples: [makeSample({ stackIndex: st, values: [1] })] });
    const d = decodePprofIndependent(encodePprof(convertProfilesRequest(makeProfilesRequest(b.dictionary, [p])).profiles[0]!.profile));
    const loc = d.samples[0]!.locations[0]!;
    assert.equal(loc.address, 0xffffffffff600400n);
    assert.equal(loc.mapping?.memoryStart, 0xffffffffff600000n);
    assert.equal(loc.mapping?.memoryLimit, 0xffffffffff601000n);
  });

  it('a bad profile leaves the output of the others byte for byte unchanged', () => {
    const good = convertProfilesRequest(richRequest().request).profiles;
    const fx = richRequest();
    fx.request.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1]!.samples[0]!.stackIndex = 999;
    const { profiles, errors } = convertProfilesRequest(fx.request);
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0]!.position, { resourceIndex: 0, scopeIndex: 0, profileIndex: 1 });
    assert.deepEqual(
      profiles.map((p) => p.profileType),
      ['cpu', 'wall'],
    );
    assert.deepEqual(encodePprof(profiles[0]!.profile), encodePprof(good[0]!.profile));
    assert.deepEqual(encodePprof(profiles[1]!.profile), encodePprof(good[2]!.profile));
    assert.equal(profiles[1]!.profileId, good[2]!.profileId);
  });
});
