// The world the UI tests look at: service `checkout` in two versions. 1.4 added
// `applyDiscount` and made `computeTax` cheaper. Four CPU profiles (two per version, one trace
// each); every sample is linked to the span it ran under. Values are sample counts with a
// 10 ms CPU period, so one count is 10 ms in the UI.
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest, KeyValue } from '../../src/otlp/model.js';

export const PERIOD_NS = 10_000_000;

interface Frame {
  fn: string;
  file: string;
  startLine: number;
  line: number;
}
const fr = (fn: string, file: string, startLine: number, line: number): Frame => ({ fn, file, startLine, line });
export const MAIN = fr('main', 'src/main.ts', 10, 12);
export const HANDLE = fr('handleCheckout', 'src/server.ts', 40, 44);
export const PARSE = fr('parseCart', 'src/cart.ts', 5, 9);
export const TAX = fr('computeTax', 'src/tax.ts', 20, 23);
export const DISCOUNT = fr('applyDiscount', 'src/discount.ts', 3, 7);
export const RENDER = fr('renderReceipt', 'src/render.ts', 7, 8);

type SpanRole = 'root' | 'child';

interface Sample {
  stack: Frame[];
  count: number;
  span: SpanRole;
}

export interface UiProfile {
  version: '1.3' | '1.4';
  host: string;
  /** Minutes after T0. */
  minute: number;
  traceId: string;
  rootSpanId: string;
  childSpanId: string;
  childName: string;
  childMs: number;
  rootMs: number;
  samples: Sample[];
}

const V13: Sample[] = [
  { stack: [TAX, HANDLE, MAIN], count: 30, span: 'child' },
  { stack: [PARSE, HANDLE, MAIN], count: 20, span: 'root' },
  { stack: [RENDER, MAIN], count: 10, span: 'root' },
];
const V14: Sample[] = [
  { stack: [TAX, HANDLE, MAIN], count: 10, span: 'root' },
  { stack: [DISCOUNT, HANDLE, MAIN], count: 40, span: 'child' },
  { stack: [PARSE, HANDLE, MAIN], count: 20, span: 'root' },
  { stack: [RENDER, MAIN], count: 10, span: 'root' },
];

export const PROFILES: UiProfile[] = [
  {
    version: '1.3',
    host: 'web-1',
    minute: 0,
    traceId: '13000000000000000000000000000001',
    rootSpanId: '1300000000000001',
    childSpanId: '1300000000000002',
    childName: 'tax.compute',
    rootMs: 700,
    childMs: 320,
    samples: V13,
  },
  {
    version: '1.3',
    host: 'web-2',
    minute: 1,
    traceId: '13000000000000000000000000000002',
    rootSpanId: '1300000000000003',
    childSpanId: '1300000000000004',
    childName: 'tax.compute',
    rootMs: 650,
    childMs: 310,
    samples: V13,
  },
  {
    version: '1.4',
    host: 'web-1',
    minute: 2,
    traceId: '14000000000000000000000000000001',
    rootSpanId: '1400000000000001',
    childSpanId: '1400000000000002',
    childName: 'discount.apply',
    rootMs: 900,
    childMs: 450,
    samples: V14,
  },
  {
    version: '1.4',
    host: 'web-2',
    minute: 3,
    traceId: '14000000000000000000000000000002',
    rootSpanId: '1400000000000003',
    childSpanId: '1400000000000004',
    childName: 'discount.apply',
    rootMs: 880,
    childMs: 420,
    samples: V14,
  },
];

/** Hand-computed answers (nanoseconds). */
export const EXPECTED = {
  /** 60 counts per 1.3 profile, 80 per 1.4 profile. */
  total: (2 * 60 + 2 * 80) * PERIOD_NS,
  v13Total: 2 * 60 * PERIOD_NS,
  v14Total: 2 * 80 * PERIOD_NS,
  /** applyDiscount in one 1.4 profile's child span. */
  discountSpan: 40 * PERIOD_NS,
  /** Share changes 1.3 -> 1.4 of self time, in percentage points. */
  discountPoints: 50,
  taxPoints: -37.5,
};

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const attr = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value }, keyStrindex: 0 });

function resource(p: UiProfile) {
  return makeResource({ 'service.name': 'checkout', 'service.version': p.version, 'host.name': p.host, 'deployment.environment.name': 'prod' });
}

/** T0: 30 whole minutes ago, so the UI's default "last hour" holds everything. */
export function fixtureT0(now = Date.now()): number {
  return Math.floor(now / 60_000) * 60_000 - 30 * 60_000;
}

export function profileRequest(p: UiProfile, t0Ms: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const loc = (f: Frame) => b.location([{ functionIndex: b.function(f.fn, f.file, f.startLine), line: f.line, column: 0 }]);
  const samples = p.samples.map((s) =>
    makeSample({
      stackIndex: b.stack(s.stack.map(loc)),
      values: [s.count],
      linkIndex: b.link(hex(p.traceId), hex(s.span === 'root' ? p.rootSpanId : p.childSpanId)),
    }),
  );
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: PERIOD_NS,
    timeUnixNano: BigInt(t0Ms + p.minute * 60_000) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? PROFILES.indexOf(p) + 1 : 0x42)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], resource(p), makeScope('ui-fixture', '1'));
}

export function tracesRequest(t0Ms: number): ExportTraceServiceRequest {
  return {
    resourceSpans: PROFILES.map((p) => {
      const start = t0Ms + p.minute * 60_000 + 1000;
      const ns = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;
      return {
        resource: resource(p),
        schemaUrl: '',
        scopeSpans: [
          {
            scope: makeScope('ui-fixture', '1'),
            schemaUrl: '',
            spans: [
              makeSpan({
                traceId: hex(p.traceId),
                spanId: hex(p.rootSpanId),
                name: 'POST /checkout',
                kind: 2,
                attributes: [attr('http.route', '/checkout'), attr('http.request.method', 'POST')],
                startTimeUnixNano: ns(start),
                endTimeUnixNano: ns(start + p.rootMs),
              }),
              makeSpan({
                traceId: hex(p.traceId),
                spanId: hex(p.childSpanId),
                parentSpanId: hex(p.rootSpanId),
                name: p.childName,
                kind: 1,
                startTimeUnixNano: ns(start + 50),
                endTimeUnixNano: ns(start + 50 + p.childMs),
              }),
            ],
          },
        ],
      };
    }),
  };
}
