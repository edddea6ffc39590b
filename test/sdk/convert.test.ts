// pprof (the shape @datadog/pprof produces) -> OTLP profiles request: links from the span
// labels, attributes, merging, leaf-first stacks, one Profile per sample type over one
// dictionary; the result encodes and decodes with our codec and with protobufjs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Function as PFunction,
  Label,
  Line as PLine,
  Location as PLocation,
  Profile as PProfile,
  Sample as PSample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { makeResource, makeScope, anyValueToString } from '../../src/otlp/build.js';
import { decodeProfilesRequest, encodeProfilesRequest, hexOf, type ExportProfilesServiceRequest, type Profile } from '../../src/otlp/index.js';
import { FRAME_TYPE_ATTR, toProfilesRequest, type PprofProfile, type PprofWindow } from '../../src/sdk/convert.js';
import { SAMPLE_LABELS } from '../../src/sdk/spans.js';
import { OTLP_TYPES, independentDecode } from '../helpers/independent-proto.js';

interface FrameSpec {
  name: string;
  file: string;
  line: number;
}
interface SampleSpec {
  /** Leaf first. */
  frames: number[];
  values: number[];
  labels?: Record<string, string | number>;
}

/** A pprof built the way the wall profiler's serializer builds it. */
function pprof(types: [string, string][], frames: FrameSpec[], samples: SampleSpec[], period = 10_000_000): PprofProfile {
  const st = new StringTable();
  const fns = frames.map((f, i) => new PFunction({ id: i + 1, name: st.dedup(f.name), systemName: st.dedup(f.name), filename: st.dedup(f.file) }));
  const locs = frames.map((f, i) => new PLocation({ id: i + 1, line: [new PLine({ functionId: fns[i]!.id, line: f.line })] }));
  const sampleType = types.map(([t, u]) => new ValueType({ type: st.dedup(t), unit: st.dedup(u) }));
  const sample = samples.map(
    (s) =>
      new PSample({
        locationId: s.frames.map((i) => i + 1),
        value: s.values,
        label: Object.entries(s.labels ?? {}).map(([k, v]) =>
          typeof v === 'string' ? new Label({ key: st.dedup(k), str: st.dedup(v) }) : new Label({ key: st.dedup(k), num: v }),
        ),
      }),
  );
  return new PProfile({
    sampleType,
    sample,
    location: locs,
    function: fns,
    stringTable: st,
    periodType: sampleType[1] ?? sampleType[0],
    period,
  }) as unknown as PprofProfile;
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = 'b7ad6b7169203331';
const SPAN_B = '00f067aa0ba902b7';

const spanLabels = (spanId: string, extra: Record<string, string> = {}) => ({
  [SAMPLE_LABELS.traceId]: TRACE,
  [SAMPLE_LABELS.spanId]: spanId,
  [SAMPLE_LABELS.localRootSpanId]: SPAN_A,
  [SAMPLE_LABELS.traceEndpoint]: 'GET /users/:id',
  ...extra,
});

const FRAMES: FrameSpec[] = [
  { name: 'main', file: '/app/server.js', line: 1 },
  { name: 'handle', file: '/app/server.js', line: 10 },
  { name: 'computeFibonacciSlowly', file: '/app/fib.js', line: 3 },
  { name: 'Garbage Collection', file: '', line: 0 },
  { name: 'Non JS threads activity', file: '', line: 0 },
];

function wallWindow(samples: SampleSpec[]): PprofWindow {
  return {
    profile: pprof(
      [
        ['sample', 'count'],
        ['wall', 'nanoseconds'],
        ['cpu', 'nanoseconds'],
      ],
      FRAMES,
      samples,
    ),
    startUnixNano: 1_700_000_000_000_000_000n,
    durationNano: 10_000_000_000n,
    types: ['wall', 'cpu'],
  };
}

const OPTIONS = {
  resource: makeResource({ 'service.name': 'svc' }),
  scope: makeScope('otel-profile-bridge/sdk', '1.0.0'),
  sampleAttributes: { 'thread.name': 'main', 'thread.id': 0 },
  syntheticLeaves: new Map([['Non JS threads activity', { 'thread.name': 'non-JS threads' }]]),
};

function profilesOf(req: ExportProfilesServiceRequest): Profile[] {
  return req.resourceProfiles.flatMap((rp) => rp.scopeProfiles.flatMap((sp) => sp.profiles));
}

/** Each sample of a profile as readable data: frame names leaf first, attributes, linked span, value. */
function readable(req: ExportProfilesServiceRequest, p: Profile) {
  const d = req.dictionary!;
  const st = d.stringTable;
  return p.samples.map((s) => {
    const frames = d.stackTable[s.stackIndex]!.locationIndices.map(
      (li) => st[d.functionTable[d.locationTable[li]!.lines[0]!.functionIndex]!.nameStrindex]!,
    );
    const attrs: Record<string, string> = {};
    for (const ai of s.attributeIndices) {
      const a = d.attributeTable[ai]!;
      attrs[st[a.keyStrindex]!] = anyValueToString(a.value!, st);
    }
    const link = d.linkTable[s.linkIndex]!;
    return { frames, attrs, span: s.linkIndex === 0 ? '' : `${hexOf(link.traceId)}/${hexOf(link.spanId)}`, value: s.values[0]! };
  });
}

describe('pprof -> OTLP profiles request', () => {
  const req = toProfilesRequest(
    [
      wallWindow([
        { frames: [2, 1, 0], values: [1, 10_000_000, 9_000_000], labels: spanLabels(SPAN_A, { [SAMPLE_LABELS.spanName]: 'GET /users/:id' }) },
        { frames: [2, 1, 0], values: [1, 10_000_000, 8_000_000], labels: spanLabels(SPAN_A, { [SAMPLE_LABELS.spanName]: 'GET /users/:id' }) },
        { frames: [1, 0], values: [1, 10_000_000, 1_000_000], labels: spanLabels(SPAN_B, { [SAMPLE_LABELS.spanName]: 'load' }) },
        { frames: [1, 0], values: [3, 30_000_000, 2_000_000] },
        { frames: [3], values: [1, 10_000_000, 5_000_000] },
        { frames: [4], values: [0, 0, 7_000_000] },
      ]),
      {
        profile: pprof(
          [
            ['inuse_objects', 'count'],
            ['inuse_space', 'bytes'],
          ],
          FRAMES,
          [{ frames: [1, 0], values: [2, 1024] }],
          524288,
        ),
        startUnixNano: 1_700_000_010_000_000_000n,
        durationNano: 0n,
        types: ['inuse_space', 'inuse_objects'],
      },
    ],
    OPTIONS,
  )!;
  const [wall, cpu, space, objects] = profilesOf(req);
  const st = req.dictionary!.stringTable;

  it('makes one Profile per sample type, sharing one dictionary', () => {
    assert.equal(profilesOf(req).length, 4);
    assert.deepEqual(
      profilesOf(req).map((p) => `${st[p.sampleType!.typeStrindex]}/${st[p.sampleType!.unitStrindex]}`),
      ['wall/nanoseconds', 'cpu/nanoseconds', 'inuse_space/bytes', 'inuse_objects/count'],
    );
    assert.equal(st[0], '');
    assert.equal(req.resourceProfiles.length, 1);
    assert.equal(req.resourceProfiles[0]!.scopeProfiles[0]!.scope!.name, 'otel-profile-bridge/sdk');
  });

  it('keeps the window, the period and a 16-byte profile id', () => {
    assert.equal(wall!.timeUnixNano, 1_700_000_000_000_000_000n);
    assert.equal(wall!.durationNano, 10_000_000_000n);
    assert.equal(wall!.period, 10_000_000);
    assert.equal(st[wall!.periodType!.typeStrindex], 'wall');
    assert.equal(space!.durationNano, 0n);
    assert.equal(space!.period, 524288);
    for (const p of profilesOf(req)) assert.equal(p.profileId.length, 16);
    assert.notDeepEqual(wall!.profileId, cpu!.profileId);
  });

  it('links span samples and carries the join attributes; merges equal samples', () => {
    const rows = readable(req, wall!);
    const a = rows.filter((r) => r.span === `${TRACE}/${SPAN_A}`);
    assert.equal(a.length, 1, 'the two samples of span A merged');
    assert.equal(a[0]!.value, 20_000_000);
    assert.deepEqual(a[0]!.frames, ['computeFibonacciSlowly', 'handle', 'main'], 'leaf first');
    assert.deepEqual(a[0]!.attrs, {
      'local_root_span.id': SPAN_A,
      'trace.endpoint': 'GET /users/:id',
      'span.name': 'GET /users/:id',
      'thread.name': 'main',
      'thread.id': '0',
    });
    const b = rows.find((r) => r.span === `${TRACE}/${SPAN_B}`)!;
    assert.equal(b.attrs['span.name'], 'load');
    assert.equal(b.attrs['local_root_span.id'], SPAN_A);
    const unlinked = rows.filter((r) => r.span === '');
    assert.ok(unlinked.every((r) => r.attrs['trace.endpoint'] === undefined));
    assert.ok(!('trace_id' in a[0]!.attrs) && !('span_id' in a[0]!.attrs), 'ids travel in the Link only');
  });

  it('drops samples worth 0 for a type, labels runtime samples as such', () => {
    const wallRows = readable(req, wall!);
    assert.ok(!wallRows.some((r) => r.frames[0] === 'Non JS threads activity'), 'no wall time for non-JS threads');
    assert.equal(
      wallRows.reduce((n, r) => n + r.value, 0),
      10_000_000 * 7,
    );
    const cpuRows = readable(req, cpu!);
    const nonJs = cpuRows.find((r) => r.frames[0] === 'Non JS threads activity')!;
    assert.equal(nonJs.value, 7_000_000);
    assert.deepEqual(nonJs.attrs, { 'thread.name': 'non-JS threads' });
    assert.equal(
      cpuRows.reduce((n, r) => n + r.value, 0),
      32_000_000,
    );
    assert.deepEqual(
      readable(req, objects!).map((r) => r.value),
      [2],
    );
    assert.deepEqual(
      readable(req, space!).map((r) => r.value),
      [1024],
    );
  });

  it('marks JavaScript frames with profile.frame.type=v8js, not runtime ones', () => {
    const d = req.dictionary!;
    for (const loc of d.locationTable.slice(1)) {
      const fn = d.functionTable[loc.lines[0]!.functionIndex]!;
      const types = loc.attributeIndices.map((i) => d.attributeTable[i]!).filter((a) => st[a.keyStrindex] === FRAME_TYPE_ATTR);
      if (st[fn.filenameStrindex] !== '')
        assert.deepEqual(
          types.map((a) => a.value?.stringValue),
          ['v8js'],
        );
      else assert.equal(types.length, 0);
    }
  });

  it('decodes the same with our codec and with protobufjs', () => {
    const bytes = encodeProfilesRequest(req);
    assert.deepStrictEqual(decodeProfilesRequest(bytes), req);
    assert.deepStrictEqual(independentDecode(OTLP_TYPES.profilesRequest, bytes), req);
  });

  it('returns undefined when no window has a sample', () => {
    assert.equal(toProfilesRequest([wallWindow([])], OPTIONS), undefined);
    assert.equal(toProfilesRequest([], OPTIONS), undefined);
  });
});

describe('pprof -> OTLP (property)', () => {
  const sampleArb = fc.record({
    frames: fc.array(fc.integer({ min: 0, max: FRAMES.length - 1 }), { minLength: 1, maxLength: 6 }),
    values: fc.tuple(fc.nat(5), fc.nat(1e9), fc.nat(1e9)).map((t) => [...t]),
    span: fc.option(fc.constantFrom(SPAN_A, SPAN_B), { nil: undefined }),
    endpoint: fc.option(fc.constantFrom('GET /a', 'POST /b'), { nil: undefined }),
  });

  it('preserves every type total, every stack and every link', () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 40 }), (specs) => {
        const samples: SampleSpec[] = specs.map((s) => ({
          frames: s.frames,
          values: s.values,
          labels: {
            ...(s.span ? { [SAMPLE_LABELS.traceId]: TRACE, [SAMPLE_LABELS.spanId]: s.span } : {}),
            ...(s.endpoint ? { [SAMPLE_LABELS.traceEndpoint]: s.endpoint } : {}),
          },
        }));
        const req = toProfilesRequest([wallWindow(samples)], OPTIONS);
        const totals = [1, 2].map((c) => samples.reduce((n, s) => n + s.values[c]!, 0));
        if (req === undefined) {
          assert.deepEqual(totals, [0, 0]);
          return;
        }
        const byType = new Map(profilesOf(req).map((p) => [req.dictionary!.stringTable[p.sampleType!.typeStrindex]!, p]));
        ['wall', 'cpu'].forEach((type, i) => {
          const p = byType.get(type);
          const rows = p ? readable(req, p) : [];
          assert.equal(
            rows.reduce((n, r) => n + r.value, 0),
            totals[i],
          );
          // Per (stack, span, endpoint) the values add up as in the input.
          const key = (frames: string[], span: string, endpoint: string | undefined) => `${frames.join('<')}|${span}|${endpoint ?? ''}`;
          const want = new Map<string, number>();
          for (const s of specs) {
            const k = key(
              s.frames.map((f) => FRAMES[f]!.name),
              s.span ? `${TRACE}/${s.span}` : '',
              s.endpoint,
            );
            want.set(k, (want.get(k) ?? 0) + s.values[i + 1]!);
          }
          for (const [k, v] of [...want]) if (v === 0) want.delete(k);
          const got = new Map<string, number>();
          for (const r of rows) {
            const k = key(r.frames, r.span, r.attrs['trace.endpoint']);
            got.set(k, (got.get(k) ?? 0) + r.value);
          }
          assert.deepEqual(got, want);
        });
        assert.deepStrictEqual(decodeProfilesRequest(encodeProfilesRequest(req)), req);
      }),
      { numRuns: 100 },
    );
  });
});
