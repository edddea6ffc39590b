// Builders for the join tests: traces and profile requests from short readable specs.
import {
  DictionaryBuilder,
  makeProfile,
  makeProfilesRequest,
  makeResource,
  makeSample,
  makeScope,
  makeSpan,
  toKeyValues,
} from '../../src/otlp/build.js';
import { bytesOfHex } from '../../src/otlp/ids.js';
import { SpanKind, type ExportProfilesServiceRequest, type ExportTraceServiceRequest, type Span } from '../../src/otlp/model.js';

export interface SpanSpec {
  id: string;
  trace?: string;
  parent?: string;
  name?: string;
  kind?: SpanKind;
  flags?: number;
  attrs?: Record<string, string | number>;
}

export const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
export const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

/** 16 hex chars for a small number (never zero). */
export function sid(n: number): string {
  return (n + 1).toString(16).padStart(16, '0');
}

export function span(s: SpanSpec): Span {
  return makeSpan({
    traceId: bytesOfHex(s.trace ?? TRACE_A),
    spanId: bytesOfHex(s.id),
    parentSpanId: s.parent ? bytesOfHex(s.parent) : new Uint8Array(0),
    name: s.name ?? `span-${s.id}`,
    kind: s.kind ?? SpanKind.INTERNAL,
    flags: s.flags ?? 0x101,
    attributes: toKeyValues(s.attrs ?? {}),
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_500_000_000n,
  });
}

/** One ResourceSpans per service. */
export function traces(byService: Record<string, SpanSpec[]>): ExportTraceServiceRequest {
  return {
    resourceSpans: Object.entries(byService).map(([service, specs]) => ({
      resource: makeResource({ 'service.name': service }),
      scopeSpans: [{ scope: makeScope('test'), spans: specs.map(span), schemaUrl: '' }],
      schemaUrl: '',
    })),
  };
}

export interface SampleSpec {
  /** Link to this span (hex) in `trace` (default TRACE_A); omitted = no link. */
  span?: string;
  trace?: string;
  /** Sample attributes (string values). */
  attrs?: Record<string, string>;
  value?: number;
}

/** A one-profile request whose samples are given by specs; one frame per sample. */
export function profiles(samples: SampleSpec[]): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const stack = b.stack([b.location([{ functionIndex: b.function('work', 'app.js'), line: 1, column: 0 }])]);
  const out = samples.map((s) =>
    makeSample({
      stackIndex: stack,
      values: [s.value ?? 1],
      linkIndex: s.span ? b.link(bytesOfHex(s.trace ?? TRACE_A), bytesOfHex(s.span)) : 0,
      attributeIndices: Object.entries(s.attrs ?? {}).map(([k, v]) => b.attribute(k, v)),
    }),
  );
  return makeProfilesRequest(
    b.dictionary,
    [makeProfile({ sampleType: b.valueType('samples', 'count'), samples: out, timeUnixNano: 1_700_000_000_000_000_000n })],
    makeResource({ 'service.name': 'checkout' }),
  );
}

/** The samples of the request's only profile. */
export function samplesOf(req: ExportProfilesServiceRequest) {
  return req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples;
}

/** A sample's attributes as key -> display string, read through the request's dictionary. */
export function sampleAttrs(req: ExportProfilesServiceRequest, i: number): Record<string, string> {
  const d = req.dictionary!;
  const out: Record<string, string> = {};
  for (const a of samplesOf(req)[i]!.attributeIndices) {
    const kv = d.attributeTable[a]!;
    const key = d.stringTable[kv.keyStrindex]!;
    if (key in out) throw new Error(`duplicate key ${key} on sample ${i}`);
    out[key] =
      kv.value?.stringValue ??
      (kv.value?.stringValueStrindex !== undefined ? d.stringTable[kv.value.stringValueStrindex]! : String(kv.value?.intValue ?? ''));
  }
  return out;
}

/** The hex ids of a sample's link ('' / '' when unlinked). */
export function sampleLink(req: ExportProfilesServiceRequest, i: number): { traceId: string; spanId: string } {
  const l = req.dictionary!.linkTable[samplesOf(req)[i]!.linkIndex]!;
  return { traceId: Buffer.from(l.traceId).toString('hex'), spanId: Buffer.from(l.spanId).toString('hex') };
}

export { Recorder } from '../helpers/recorder.js';
