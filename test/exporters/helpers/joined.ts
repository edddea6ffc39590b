// A profiles request as the join processor leaves it: samples linked to spans (Link) and
// carrying the join's attributes (span.name, local_root_span.id, trace.endpoint). `seq`
// is encoded in the profile start time (T0 + seq seconds), so a backend can tell which
// request an upload came from and in what order uploads arrived.
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../../src/otlp/model.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR } from '../../../src/join/attributes.js';
import { ROOT_SPAN_ID_DEC, ROOT_SPAN_ID_HEX, SPAN_ID_DEC, SPAN_ID_HEX, TRACE_ID_HEX } from '../../helpers/profile-fixtures.js';

export const T0_SECONDS = 1_764_065_700;
export const T0 = BigInt(T0_SECONDS) * 1_000_000_000n;
// The ids are the shared fixtures' (test/helpers/profile-fixtures.ts): one trace, one span.
export { TRACE_ID_HEX, SPAN_ID_HEX, SPAN_ID_DEC, ROOT_SPAN_ID_HEX, ROOT_SPAN_ID_DEC };
export const SPAN_NAME = 'SELECT orders';
export const ENDPOINT = 'GET /orders/:id';

export interface JoinedOptions {
  service?: string;
  seq?: number;
  /** Which profiles to include (default both). */
  types?: ('cpu' | 'wall')[];
  runtime?: string;
  extraResource?: Record<string, string>;
}

export function startOf(seq: number): bigint {
  return T0 + BigInt(seq) * 1_000_000_000n;
}

/** seq back from a start time in unix nanoseconds / seconds. */
export function seqOfNanos(nanos: bigint | number): number {
  return Number((BigInt(nanos) - T0) / 1_000_000_000n);
}

export function joinedRequest(o: JoinedOptions = {}): ExportProfilesServiceRequest {
  const seq = o.seq ?? 0;
  const b = new DictionaryBuilder();
  const hot = b.function('queryOrders', 'src/orders.js', 10);
  const handler = b.function('handleGetOrder', 'src/routes.js', 40);
  const idle = b.function('idle', 'src/loop.js', 1);
  const linkedStack = b.stack([
    b.location([{ functionIndex: hot, line: 12, column: 0 }]),
    b.location([{ functionIndex: handler, line: 44, column: 0 }]),
  ]);
  const idleStack = b.stack([b.location([{ functionIndex: idle, line: 2, column: 0 }])]);
  const link = b.link(Buffer.from(TRACE_ID_HEX, 'hex'), Buffer.from(SPAN_ID_HEX, 'hex'));
  const joinAttrs = [
    b.attribute(SPAN_NAME_ATTR, SPAN_NAME),
    b.attribute(LOCAL_ROOT_SPAN_ID_ATTR, ROOT_SPAN_ID_HEX),
    b.attribute(TRACE_ENDPOINT_ATTR, ENDPOINT),
  ];
  const start = startOf(seq);
  const types = o.types ?? ['cpu', 'wall'];
  const profiles = types.map((t) =>
    makeProfile({
      sampleType: t === 'cpu' ? b.valueType('samples', 'count') : b.valueType('wall', 'nanoseconds'),
      periodType: t === 'cpu' ? b.valueType('cpu', 'nanoseconds') : b.valueType('wall', 'nanoseconds'),
      period: 10_000_000,
      timeUnixNano: start,
      durationNano: 10_000_000_000n,
      profileId: Uint8Array.from({ length: 16 }, (_, i) => (i + seq + (t === 'cpu' ? 1 : 101)) & 0xff),
      samples: [
        makeSample({ stackIndex: linkedStack, values: [t === 'cpu' ? 7 : 70_000_000], linkIndex: link, attributeIndices: joinAttrs }),
        makeSample({ stackIndex: idleStack, values: [t === 'cpu' ? 2 : 20_000_000] }),
      ],
    }),
  );
  const resource = makeResource({
    'service.name': o.service ?? 'checkout',
    'service.version': '1.4.2',
    'deployment.environment.name': 'prod',
    'host.name': 'web-1',
    'process.runtime.name': o.runtime ?? 'nodejs',
    'telemetry.sdk.language': 'nodejs',
    ...o.extraResource,
  });
  return makeProfilesRequest(b.dictionary, profiles, resource, makeScope('otel-profile-bridge-test', '1.0.0'));
}

/** One server span of `service`, the one the joined profile's samples link to. */
export function tracesRequest(service = 'checkout'): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: makeResource({ 'service.name': service }),
        schemaUrl: '',
        scopeSpans: [
          {
            scope: makeScope('test', '1'),
            schemaUrl: '',
            spans: [
              makeSpan({
                traceId: Uint8Array.from(Buffer.from(TRACE_ID_HEX, 'hex')),
                spanId: Uint8Array.from(Buffer.from(SPAN_ID_HEX, 'hex')),
                name: SPAN_NAME,
                kind: 2,
                startTimeUnixNano: T0,
                endTimeUnixNano: T0 + 5_000_000n,
              }),
            ],
          },
        ],
      },
    ],
  };
}
