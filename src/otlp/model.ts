// The decoded form of the OTLP messages the bridge reads and writes (traces v1 and
// profiles v1development, the v1.10+ layout). Field names are the lowerCamelCase names of
// the OTLP JSON mapping, so a decoded message and its JSON form line up key for key.
//
// Conventions, chosen once so every module can rely on them:
// - proto3 scalars and repeated fields are always present (zero value / empty array);
// - singular sub-messages are optional (`undefined` when absent on the wire);
// - nanosecond timestamps, durations and 64-bit addresses are `bigint` (they pass 2^53);
// - other 64-bit integers (sample values, period, line numbers, counts) are `number`:
//   real profiles never reach 2^53 there, and `number` keeps the hot path fast;
// - `bytes` are `Uint8Array`.

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: bigint;
  doubleValue?: number;
  arrayValue?: ArrayValue;
  kvlistValue?: KeyValueList;
  bytesValue?: Uint8Array;
  /** Profiles only: a string held as an index into the request's string_table. */
  stringValueStrindex?: number;
}

export interface ArrayValue {
  values: AnyValue[];
}

export interface KeyValueList {
  values: KeyValue[];
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
  /** Profiles only: the key as an index into the request's string_table (0 = unset). */
  keyStrindex: number;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface EntityRef {
  schemaUrl: string;
  type: string;
  idKeys: string[];
  descriptionKeys: string[];
}

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
  entityRefs: EntityRef[];
}

// ---------------------------------------------------------------- traces

export enum SpanKind {
  UNSPECIFIED = 0,
  INTERNAL = 1,
  SERVER = 2,
  CLIENT = 3,
  PRODUCER = 4,
  CONSUMER = 5,
}

export enum StatusCode {
  UNSET = 0,
  OK = 1,
  ERROR = 2,
}

/** Bits of Span.flags / Span.Link.flags. */
export const SpanFlags = {
  TRACE_FLAGS_MASK: 0xff,
  CONTEXT_HAS_IS_REMOTE_MASK: 0x100,
  CONTEXT_IS_REMOTE_MASK: 0x200,
} as const;

export interface Status {
  message: string;
  code: number;
}

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  /** Empty means a root span. */
  parentSpanId: Uint8Array;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status?: Status;
}

export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans: Span[];
  schemaUrl: string;
}

export interface ResourceSpans {
  resource?: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

/** Also the shape of TracesData (same field numbers). */
export interface ExportTraceServiceRequest {
  resourceSpans: ResourceSpans[];
}

export interface ExportTracePartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export interface ExportTraceServiceResponse {
  partialSuccess?: ExportTracePartialSuccess;
}

// ---------------------------------------------------------------- profiles

export interface ValueType {
  typeStrindex: number;
  unitStrindex: number;
}

export interface Mapping {
  memoryStart: bigint;
  memoryLimit: bigint;
  fileOffset: bigint;
  filenameStrindex: number;
  attributeIndices: number[];
}

export interface Line {
  functionIndex: number;
  line: number;
  column: number;
}

export interface Location {
  mappingIndex: number;
  address: bigint;
  /** lines[0] is the innermost inlined function; the last is the real caller. */
  lines: Line[];
  attributeIndices: number[];
}

export interface Function {
  nameStrindex: number;
  systemNameStrindex: number;
  filenameStrindex: number;
  startLine: number;
}

/** profiles Link: the join key against Span.spanId. */
export interface Link {
  traceId: Uint8Array;
  spanId: Uint8Array;
}

export interface KeyValueAndUnit {
  keyStrindex: number;
  value?: AnyValue;
  unitStrindex: number;
}

export interface Stack {
  /** Leaf (innermost) first, root last. */
  locationIndices: number[];
}

export interface ProfilesDictionary {
  mappingTable: Mapping[];
  locationTable: Location[];
  functionTable: Function[];
  linkTable: Link[];
  stringTable: string[];
  attributeTable: KeyValueAndUnit[];
  stackTable: Stack[];
}

export interface Sample {
  stackIndex: number;
  attributeIndices: number[];
  /** 0 means not linked to any span. */
  linkIndex: number;
  values: number[];
  timestampsUnixNano: bigint[];
}

/**
 * `S` is how the samples are held: decoded objects (the default), or typed-array columns
 * (SampleColumns, src/otlp/columns/samples.ts) on the paths that convert straight from bytes.
 */
export interface Profile<S = Sample[]> {
  sampleType?: ValueType;
  samples: S;
  timeUnixNano: bigint;
  durationNano: bigint;
  periodType?: ValueType;
  period: number;
  profileId: Uint8Array;
  droppedAttributesCount: number;
  originalPayloadFormat: string;
  originalPayload: Uint8Array;
  attributeIndices: number[];
}

export interface ScopeProfiles<P = Profile> {
  scope?: InstrumentationScope;
  profiles: P[];
  schemaUrl: string;
}

export interface ResourceProfiles<P = Profile> {
  resource?: Resource;
  scopeProfiles: ScopeProfiles<P>[];
  schemaUrl: string;
}

/** Also the shape of ProfilesData (same field numbers). */
/** `D` is how the dictionary is held: as decoded objects (the default), or with its stack table as columns (src/otlp/columns/stacks.ts). */
export interface ExportProfilesServiceRequest<P = Profile, D = ProfilesDictionary> {
  resourceProfiles: ResourceProfiles<P>[];
  /** The one set of tables every profile of the request indexes. */
  dictionary?: D;
}

export interface ExportProfilesPartialSuccess {
  rejectedProfiles: number;
  errorMessage: string;
}

export interface ExportProfilesServiceResponse {
  partialSuccess?: ExportProfilesPartialSuccess;
}

/** google.rpc.Status, the error body of OTLP/HTTP. `details` are kept as raw Any bytes. */
export interface RpcStatus {
  code: number;
  message: string;
  details: Uint8Array[];
}
