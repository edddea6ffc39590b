// A small world with hand-computed answers: one service in two versions on two hosts,
// four CPU profiles and one allocation profile, three traces whose spans the samples ran
// under. Every expected number below is worked out by hand from the tables here (values in
// sample counts; the CPU period is 1 ms, so the store holds count × 1e6 nanoseconds).
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest, KeyValue, Span } from '../../src/otlp/model.js';

/** The CPU period: one count is one millisecond. */
export const MS = 1_000_000;

export interface Frame {
  fn: string;
  file: string;
  line: number;
  startLine: number;
}

const f = (fn: string, file: string, line: number, startLine: number): Frame => ({ fn, file, line, startLine });
export const MAIN = f('main', 'main.go', 12, 10);
export const HANDLE = f('handle', 'server.go', 44, 40);
export const PARSE9 = f('parse', 'json.go', 9, 5);
export const PARSE12 = f('parse', 'json.go', 12, 5);
export const QUERY = f('query', 'db.go', 31, 30);
export const EXEC = f('Db::exec', 'db.cc', 7, 6);
export const GC = f('gc', 'runtime.go', 100, 99);
export const CART_ADD = f('shop.Cart.add', 'cart.js', 3, 2);
export const CART_REMOVE = f('shop.Cart.remove', 'cart.js', 8, 7);

export const TRACE = {
  T1: '11111111111111111111111111111111',
  T2: '22222222222222222222222222222222',
  T3: '33333333333333333333333333333333',
} as const;

export const SPAN = {
  R1: 'a100000000000001',
  S1: 'a100000000000002',
  S2: 'a100000000000003',
  R2: 'b200000000000001',
  S3: 'b200000000000002',
  R3: 'c300000000000001',
  S4: 'c300000000000002',
  S5: 'c300000000000003',
} as const;

export interface FixtureSample {
  /** Leaf first. */
  stack: Frame[];
  value: number;
  span?: keyof typeof SPAN;
  thread?: string;
}

export interface FixtureProfile {
  name: string;
  type: 'cpu' | 'alloc_space';
  version: string;
  host: string;
  /** Minutes after T0. */
  minute: number;
  samples: FixtureSample[];
}

const TRACE_OF: Record<keyof typeof SPAN, string> = {
  R1: TRACE.T1,
  S1: TRACE.T1,
  S2: TRACE.T1,
  R2: TRACE.T2,
  S3: TRACE.T2,
  R3: TRACE.T3,
  S4: TRACE.T3,
  S5: TRACE.T3,
};

export const PROFILES: FixtureProfile[] = [
  {
    name: 'P1',
    type: 'cpu',
    version: '1.3',
    host: 'web-1',
    minute: 0,
    samples: [
      { stack: [PARSE9, HANDLE, MAIN], value: 10, span: 'S1' },
      { stack: [QUERY, HANDLE, MAIN], value: 5, span: 'S2' },
      { stack: [GC], value: 3 },
    ],
  },
  {
    name: 'P2',
    type: 'cpu',
    version: '1.3',
    host: 'web-2',
    minute: 1,
    samples: [
      { stack: [PARSE9, HANDLE, MAIN], value: 4 },
      { stack: [CART_ADD, HANDLE, MAIN], value: 6, span: 'S3' },
    ],
  },
  {
    name: 'P3',
    type: 'cpu',
    version: '1.4',
    host: 'web-1',
    minute: 2,
    samples: [
      { stack: [PARSE12, HANDLE, MAIN], value: 20, span: 'S4' },
      { stack: [EXEC, QUERY, HANDLE, MAIN], value: 8, span: 'S5' },
      { stack: [GC], value: 2 },
    ],
  },
  {
    name: 'P4',
    type: 'cpu',
    version: '1.4',
    host: 'web-2',
    minute: 3,
    samples: [
      { stack: [CART_REMOVE, HANDLE, MAIN], value: 7 },
      { stack: [PARSE9, HANDLE, MAIN], value: 1 },
    ],
  },
  {
    name: 'P5',
    type: 'alloc_space',
    version: '1.4',
    host: 'web-1',
    minute: 2,
    samples: [
      { stack: [PARSE12, HANDLE, MAIN], value: 1000, span: 'S4', thread: 'worker-1' },
      { stack: [GC], value: 500, thread: 'main' },
    ],
  },
];

/** Span tree and durations (ms); start offsets (ms after T0) keep every span inside minute 0..3. */
export const SPANS: { id: keyof typeof SPAN; parent?: keyof typeof SPAN; name: string; route?: string; startMs: number; durationMs: number }[] = [
  { id: 'R1', name: 'GET /checkout', route: '/checkout', startMs: 1000, durationMs: 300 },
  { id: 'S1', parent: 'R1', name: 'checkout.handle', startMs: 1010, durationMs: 200 },
  { id: 'S2', parent: 'S1', name: 'db.query', startMs: 1020, durationMs: 50 },
  { id: 'R2', name: 'GET /cart', route: '/cart', startMs: 61_000, durationMs: 100 },
  { id: 'S3', parent: 'R2', name: 'cart.add', startMs: 61_010, durationMs: 80 },
  { id: 'R3', name: 'GET /checkout', route: '/checkout', startMs: 121_000, durationMs: 500 },
  { id: 'S4', parent: 'R3', name: 'checkout.handle', startMs: 121_010, durationMs: 400 },
  { id: 'S5', parent: 'S4', name: 'db.exec', startMs: 121_020, durationMs: 90 },
];

export const SERVICE = 'checkout';

export function resourceLabels(p: Pick<FixtureProfile, 'version' | 'host'>, service = SERVICE): Record<string, string> {
  return { 'service.name': service, 'service.version': p.version, 'host.name': p.host, 'deployment.environment.name': 'prod' };
}

/** One OTLP request holding profile `p`, starting at t0Ms + p.minute minutes, 10 s long. */
export function profileRequest(p: FixtureProfile, t0Ms: number, options: { service?: string; idSalt?: number } = {}): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const frameLocation = (fr: Frame) => b.location([{ functionIndex: b.function(fr.fn, fr.file, fr.startLine), line: fr.line, column: 0 }]);
  const samples = p.samples.map((s) => {
    const stack = b.stack(s.stack.map(frameLocation));
    const link = s.span ? b.link(Buffer.from(TRACE_OF[s.span], 'hex'), Buffer.from(SPAN[s.span], 'hex')) : 0;
    const attrs = s.thread ? [b.attribute('thread.name', s.thread)] : [];
    return makeSample({ stackIndex: stack, values: [s.value], linkIndex: link, attributeIndices: attrs });
  });
  const cpu = p.type === 'cpu';
  const salt = options.idSalt ?? 0;
  const idByte = PROFILES.indexOf(p) + 1;
  const profile = makeProfile({
    sampleType: cpu ? b.valueType('samples', 'count') : b.valueType('alloc_space', 'bytes'),
    periodType: cpu ? b.valueType('cpu', 'nanoseconds') : b.valueType('space', 'bytes'),
    period: cpu ? MS : 512 * 1024,
    timeUnixNano: BigInt(t0Ms + p.minute * 60_000) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, i) =>
      i === 0 ? idByte : i === 1 ? salt & 0xff : i === 2 ? (salt >> 8) & 0xff : i === 3 ? (salt >> 16) & 0xff : 7,
    ),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource(resourceLabels(p, options.service)), makeScope('fixture', '1'));
}

function attr(key: string, value: string): KeyValue {
  return { key, value: { stringValue: value }, keyStrindex: 0 };
}

/** Every fixture span in one request (service `checkout`). */
export function tracesRequest(t0Ms: number): ExportTraceServiceRequest {
  const spans: Span[] = SPANS.map((s) =>
    makeSpan({
      traceId: Uint8Array.from(Buffer.from(TRACE_OF[s.id], 'hex')),
      spanId: Uint8Array.from(Buffer.from(SPAN[s.id], 'hex')),
      parentSpanId: s.parent ? Uint8Array.from(Buffer.from(SPAN[s.parent], 'hex')) : new Uint8Array(0),
      name: s.name,
      kind: s.parent ? 1 : 2,
      attributes: s.route ? [attr('http.route', s.route), attr('http.request.method', 'GET')] : [],
      startTimeUnixNano: BigInt(t0Ms + s.startMs) * 1_000_000n,
      endTimeUnixNano: BigInt(t0Ms + s.startMs + s.durationMs) * 1_000_000n,
    }),
  );
  // Children first, as SDKs export them (a span is exported when it ends).
  spans.reverse();
  return {
    resourceSpans: [
      {
        resource: makeResource({ 'service.name': SERVICE }),
        schemaUrl: '',
        scopeSpans: [{ scope: makeScope('fixture', '1'), schemaUrl: '', spans }],
      },
    ],
  };
}

/** T0 for a run: 30 whole minutes ago, so every default "last hour" range holds the fixture. */
export function fixtureT0(now = Date.now()): number {
  return Math.floor(now / 60_000) * 60_000 - 30 * 60_000;
}

// ------------------------------------------------------------------ hand-computed answers
// CPU profiles: P1 = 10 + 5 + 3 = 18, P2 = 4 + 6 = 10, P3 = 20 + 8 + 2 = 30, P4 = 7 + 1 = 8.
export const EXPECTED = {
  cpuTotal: 66,
  totals: { P1: 18, P2: 10, P3: 30, P4: 8 },
  /** Self by function over every CPU profile, in the API's order (self desc, total desc, name). */
  topSelf: [
    { name: 'parse', self: 35, total: 35 }, // 10 + 4 + 20 + 1
    { name: 'Db::exec', self: 8, total: 8 },
    { name: 'shop.Cart.remove', self: 7, total: 7 },
    { name: 'shop.Cart.add', self: 6, total: 6 },
    { name: 'query', self: 5, total: 13 }, // self in P1; under Db::exec in P3
    { name: 'gc', self: 5, total: 5 }, // 3 + 2
    { name: 'handle', self: 0, total: 61 }, // 66 - gc
    { name: 'main', self: 0, total: 61 },
  ],
  /** group_by=line: parse at json.go:9 (10 + 4 + 1) and json.go:12 (20). */
  parseLines: { 9: 15, 12: 20 },
  /** group_by=class: shop.Cart = add 6 + remove 7; Db = Db::exec 8. */
  classes: { 'shop.Cart': 13, Db: 8, parse: 35 },
  /** group_by=module (file): db.go self 5 total 13; cart.js 13. */
  modules: { 'db.go': { self: 5, total: 13 }, 'cart.js': { self: 13, total: 13 }, 'json.go': { self: 35, total: 35 } },
  search: {
    'version:1.3': { profiles: ['P1', 'P2'], total: 28 },
    'version:1.4 host:web-1': { profiles: ['P3'], total: 30 },
    '-host:web-2': { profiles: ['P1', 'P3'], total: 48 },
    'version:1.3,1.4 -host:web-1': { profiles: ['P2', 'P4'], total: 18 },
    'service:checkout': { profiles: ['P1', 'P2', 'P3', 'P4'], total: 66 },
    'host:"web-1" env:prod': { profiles: ['P1', 'P3'], total: 48 },
    'host:web-3': { profiles: [], total: 0 },
  } as Record<string, { profiles: string[]; total: number }>,
  /** version:1.3 (P1 + P2) as a tree: total 28 = main 25 (handle 25: parse 14, Cart.add 6, query 5) + gc 3. */
  flame13: {
    name: 'total',
    total: 28,
    self: 0,
    children: [
      {
        name: 'main',
        total: 25,
        self: 0,
        children: [
          {
            name: 'handle',
            total: 25,
            self: 0,
            children: [
              { name: 'parse', total: 14, self: 14, children: [] },
              { name: 'shop.Cart.add', total: 6, self: 6, children: [] },
              { name: 'query', total: 5, self: 5, children: [] },
            ],
          },
        ],
      },
      { name: 'gc', total: 3, self: 3, children: [] },
    ],
  },
  hotspots: {
    /** S1 alone: parse 10 (P1). */
    S1: { total: 10, top: [{ name: 'parse', self: 10 }] },
    /** S1 + child S2: parse 10 + query 5. */
    S1children: {
      total: 15,
      spans: ['S1', 'S2'],
      top: [
        { name: 'parse', self: 10 },
        { name: 'query', self: 5 },
      ],
    },
    /** R1 has no samples of its own; with children: S1 + S2. */
    R1: { total: 0 },
    R1children: { total: 15, spans: ['R1', 'S1', 'S2'] },
    T1: { total: 15 },
    T3: { total: 28 }, // S4 parse 20 + S5 Db::exec 8
    /** Endpoint of R1 and R3: S1 10 + S2 5 + S4 20 + S5 8. */
    checkout: { total: 43 },
    cart: { total: 6 },
    S4alloc: { total: 1000 },
  },
  /** Longest first; those with samples of their own marked. */
  slowSpans: ['R3', 'S4', 'R1', 'S1', 'R2', 'S5', 'S3', 'S2'],
  profiledSpans: ['S4', 'S1', 'S5', 'S3', 'S2'],
  compare: {
    // A = version:1.3 (P1 + P2, total 28), B = version:1.4 (P3 + P4, total 38).
    a: 28,
    b: 38,
    rows: {
      'shop.Cart.add': { selfA: 6, selfB: 0, totalA: 6, totalB: 0, selfDelta: -6, selfNormalizedDelta: 0 / 38 - 6 / 28 },
      'Db::exec': { selfA: 0, selfB: 8, totalA: 0, totalB: 8, selfDelta: 8, selfNormalizedDelta: 8 / 38 },
      'shop.Cart.remove': { selfA: 0, selfB: 7, totalA: 0, totalB: 7, selfDelta: 7, selfNormalizedDelta: 7 / 38 },
      query: { selfA: 5, selfB: 0, totalA: 5, totalB: 8, selfDelta: -5, selfNormalizedDelta: -5 / 28, totalNormalizedDelta: 8 / 38 - 5 / 28 },
      gc: { selfA: 3, selfB: 2, totalA: 3, totalB: 2, selfDelta: -1, selfNormalizedDelta: 2 / 38 - 3 / 28 },
      parse: { selfA: 14, selfB: 21, totalA: 14, totalB: 21, selfDelta: 7, selfNormalizedDelta: 21 / 38 - 14 / 28 },
      handle: { selfA: 0, selfB: 0, totalA: 25, totalB: 36, selfDelta: 0, selfNormalizedDelta: 0 },
      main: { selfA: 0, selfB: 0, totalA: 25, totalB: 36, selfDelta: 0, selfNormalizedDelta: 0 },
    } as Record<
      string,
      { selfA: number; selfB: number; totalA: number; totalB: number; selfDelta: number; selfNormalizedDelta: number; totalNormalizedDelta?: number }
    >,
    /** |selfNormalizedDelta| descending: 6/28=.214, 8/38=.211, 7/38=.184, 5/28=.179, gc .0545, parse .0526, then handle/main (by |totalDelta|, name). */
    order: ['shop.Cart.add', 'Db::exec', 'shop.Cart.remove', 'query', 'gc', 'parse', 'handle', 'main'],
  },
  /** One-minute buckets from T0: P1..P4 start in minutes 0..3. */
  timeseries: {
    all: [18, 10, 30, 8],
    byVersion: { '1.4': [0, 0, 30, 8], '1.3': [18, 10, 0, 0] },
  },
  alloc: { total: 1500, threads: { 'worker-1': 1000, main: 500 } },
};
