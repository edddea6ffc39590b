// fast-check arbitraries for *valid* OTLP requests in model form (src/otlp/model.ts):
// - traces: 16-byte non-zero trace ids, 8-byte non-zero span ids, parent empty or 8 bytes,
//   valid enums, no profiles-only fields (key_strindex / string_value_strindex);
// - profiles: one dictionary whose every table starts with its zero entry, every index in
//   range (including key_strindex / string_value_strindex in resource and scope attributes
//   and in the attribute table), samples with values, timestamps or both of equal length
//   (no string is a sample type name whose values must be non-negative),
//   original payload and its format set together.
// So every generated request passes validate*Request unchanged, survives protobuf and JSON
// round trips exactly, and can feed join / convert tests. Objects follow the model's
// conventions: absent optional sub-messages are left out (no `key: undefined`).
import fc from 'fast-check';
import type {
  AnyValue,
  EntityRef,
  ExportProfilesServiceRequest,
  ExportTraceServiceRequest,
  Function as ProfileFunction,
  InstrumentationScope,
  KeyValue,
  KeyValueAndUnit,
  Line,
  Link,
  Location,
  Mapping,
  Profile,
  ProfilesDictionary,
  Resource,
  ResourceProfiles,
  ResourceSpans,
  Sample,
  ScopeProfiles,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  Stack,
  Status,
  ValueType,
} from '../../src/otlp/model.js';

const opts = { noNullPrototype: true } as const;

/** Sample type names validation requires non-negative values for (see otlp/validate/profiles.ts). */
const ACCUMULATING_TYPES = new Set(['cpu', 'wall', 'samples', 'sample', 'off_cpu', 'off-cpu', 'offcpu', 'alloc_space', 'alloc_objects']);

/** Text: mostly ASCII, sometimes any Unicode (no lone surrogates: they cannot survive UTF-8). */
export const arbText = (maxLength = 12): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength }) });

export const arbUint32 = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0xffffffff });
/** int64 held as a number in the model: safe integers only (exact through every codec). */
export const arbInt64Number = (): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: -1000, max: 1_000_000 }), fc.maxSafeInteger());
export const arbUint64 = (): fc.Arbitrary<bigint> => fc.oneof(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
export const arbInt64Big = (): fc.Arbitrary<bigint> => fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
export const arbBytes = (maxLength = 16): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

/** Random bytes of a fixed length, never all zero. */
export const arbId = (length: 16 | 8): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: length, maxLength: length }).map((b) => {
    if (b.every((x) => x === 0)) b[length - 1] = 1;
    return b;
  });

/** A double that survives every codec bit for bit (NaN and infinities included). */
export const arbDouble = (): fc.Arbitrary<number> => fc.double();

interface AnyValueOptions {
  /** When set, string_value_strindex and key_strindex may appear, below this bound. */
  strings?: number;
  maxDepth?: number;
}

function optionalKey<T extends object, K extends string, V>(base: T, key: K, v: V | undefined): T {
  if (v !== undefined) (base as Record<string, unknown>)[key] = v;
  return base;
}

export function arbAnyValue(o: AnyValueOptions = {}): fc.Arbitrary<AnyValue> {
  return anyValueAndKeyValue(o).value;
}

export function arbKeyValue(o: AnyValueOptions = {}): fc.Arbitrary<KeyValue> {
  return anyValueAndKeyValue(o).kv;
}

function anyValueAndKeyValue(o: AnyValueOptions): { value: fc.Arbitrary<AnyValue>; kv: fc.Arbitrary<KeyValue> } {
  const strings = o.strings;
  const strindex = strings === undefined ? undefined : fc.integer({ min: 0, max: strings - 1 });
  const leaves: fc.Arbitrary<AnyValue>[] = [
    fc.constant({}),
    arbText().map((s) => ({ stringValue: s })),
    fc.boolean().map((b) => ({ boolValue: b })),
    arbInt64Big().map((i) => ({ intValue: i })),
    arbDouble().map((d) => ({ doubleValue: d })),
    arbBytes().map((b) => ({ bytesValue: b })),
  ];
  if (strindex !== undefined) leaves.push(strindex.map((i) => ({ stringValueStrindex: i })));
  const tied = fc.letrec<{ value: AnyValue; kv: KeyValue }>((tie) => ({
    value: fc.oneof(
      { maxDepth: o.maxDepth ?? 3, depthIdentifier: 'any-value' },
      ...leaves,
      fc.array(tie('value'), { maxLength: 3 }).map((values): AnyValue => ({ arrayValue: { values } })),
      fc.array(tie('kv'), { maxLength: 3 }).map((values): AnyValue => ({ kvlistValue: { values } })),
    ),
    kv: fc
      .record(
        {
          key: arbText(16),
          value: fc.option(tie('value'), { nil: undefined }),
          keyStrindex: strindex ?? fc.constant(0),
        },
        opts,
      )
      .map((r): KeyValue => optionalKey({ key: r.key, keyStrindex: r.keyStrindex } as KeyValue, 'value', r.value)),
  }));
  return { value: tied.value, kv: tied.kv };
}

export function arbScope(o: AnyValueOptions = {}): fc.Arbitrary<InstrumentationScope> {
  return fc
    .record(
      {
        name: arbText(),
        version: arbText(6),
        attributes: fc.array(arbKeyValue(o), { maxLength: 3 }),
        droppedAttributesCount: arbUint32(),
      },
      opts,
    )
    .map((r) => ({ name: r.name, version: r.version, attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount }));
}

export function arbEntityRef(): fc.Arbitrary<EntityRef> {
  return fc
    .record(
      {
        schemaUrl: arbText(),
        type: arbText(),
        idKeys: fc.array(arbText(), { maxLength: 2 }),
        descriptionKeys: fc.array(arbText(), { maxLength: 2 }),
      },
      opts,
    )
    .map((r) => ({ schemaUrl: r.schemaUrl, type: r.type, idKeys: r.idKeys, descriptionKeys: r.descriptionKeys }));
}

export function arbResource(o: AnyValueOptions = {}): fc.Arbitrary<Resource> {
  return fc
    .record(
      {
        attributes: fc.array(arbKeyValue(o), { maxLength: 4 }),
        droppedAttributesCount: arbUint32(),
        entityRefs: fc.array(arbEntityRef(), { maxLength: 2 }),
      },
      opts,
    )
    .map((r) => ({ attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount, entityRefs: r.entityRefs }));
}

// ------------------------------------------------------------------ traces

export function arbStatus(): fc.Arbitrary<Status> {
  return fc.record({ message: arbText(), code: fc.integer({ min: 0, max: 2 }) }, opts).map((r) => ({ message: r.message, code: r.code }));
}

export function arbSpanEvent(): fc.Arbitrary<SpanEvent> {
  return fc
    .record(
      {
        timeUnixNano: arbUint64(),
        name: arbText(),
        attributes: fc.array(arbKeyValue(), { maxLength: 2 }),
        droppedAttributesCount: arbUint32(),
      },
      opts,
    )
    .map((r) => ({ timeUnixNano: r.timeUnixNano, name: r.name, attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount }));
}

export function arbSpanLink(): fc.Arbitrary<SpanLink> {
  return fc
    .record(
      {
        traceId: arbId(16),
        spanId: arbId(8),
        traceState: arbText(),
        attributes: fc.array(arbKeyValue(), { maxLength: 2 }),
        droppedAttributesCount: arbUint32(),
        flags: arbUint32(),
      },
      opts,
    )
    .map((r) => ({
      traceId: r.traceId,
      spanId: r.spanId,
      traceState: r.traceState,
      attributes: r.attributes,
      droppedAttributesCount: r.droppedAttributesCount,
      flags: r.flags,
    }));
}

export function arbSpan(): fc.Arbitrary<Span> {
  return fc
    .record(
      {
        traceId: arbId(16),
        spanId: arbId(8),
        traceState: arbText(),
        parentSpanId: fc.oneof(fc.constant(new Uint8Array(0)), arbId(8)),
        flags: arbUint32(),
        name: arbText(),
        kind: fc.integer({ min: 0, max: 5 }),
        startTimeUnixNano: arbUint64(),
        endTimeUnixNano: arbUint64(),
        attributes: fc.array(arbKeyValue(), { maxLength: 3 }),
        droppedAttributesCount: arbUint32(),
        events: fc.array(arbSpanEvent(), { maxLength: 2 }),
        droppedEventsCount: arbUint32(),
        links: fc.array(arbSpanLink(), { maxLength: 2 }),
        droppedLinksCount: arbUint32(),
        status: fc.option(arbStatus(), { nil: undefined }),
      },
      opts,
    )
    .map((r): Span => {
      const { status, ...rest } = r;
      return optionalKey({ ...rest } as Span, 'status', status);
    });
}

export function arbTracesRequest(): fc.Arbitrary<ExportTraceServiceRequest> {
  const scopeSpans = fc
    .record({ scope: fc.option(arbScope(), { nil: undefined }), spans: fc.array(arbSpan(), { maxLength: 3 }), schemaUrl: arbText() }, opts)
    .map((r): ScopeSpans => optionalKey({ spans: r.spans, schemaUrl: r.schemaUrl } as ScopeSpans, 'scope', r.scope));
  const resourceSpans = fc
    .record(
      {
        resource: fc.option(arbResource(), { nil: undefined }),
        scopeSpans: fc.array(scopeSpans, { maxLength: 2 }),
        schemaUrl: arbText(),
      },
      opts,
    )
    .map((r): ResourceSpans => optionalKey({ scopeSpans: r.scopeSpans, schemaUrl: r.schemaUrl } as ResourceSpans, 'resource', r.resource));
  return fc.array(resourceSpans, { maxLength: 2 }).map((resourceSpans) => ({ resourceSpans }));
}

// ------------------------------------------------------------------ profiles

interface TableSizes {
  strings: number;
  functions: number;
  mappings: number;
  locations: number;
  stacks: number;
  links: number;
  attributes: number;
}

const ZERO_MAPPING = (): Mapping => ({ memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] });
const ZERO_LOCATION = (): Location => ({ mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] });
const ZERO_FUNCTION = (): ProfileFunction => ({ nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 });
const ZERO_LINK = (): Link => ({ traceId: new Uint8Array(16), spanId: new Uint8Array(8) });
const ZERO_ATTRIBUTE = (): KeyValueAndUnit => ({ keyStrindex: 0, unitStrindex: 0 });
const ZERO_STACK = (): Stack => ({ locationIndices: [] });

const index = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: n - 1 });
const indices = (n: number, maxLength = 3): fc.Arbitrary<number[]> => fc.array(index(n), { maxLength });
const exactly = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T[]> => fc.array(arb, { minLength: n, maxLength: n });

function arbDictionary(s: TableSizes): fc.Arbitrary<ProfilesDictionary> {
  const str = index(s.strings);
  const mapping = fc
    .record(
      { memoryStart: arbUint64(), memoryLimit: arbUint64(), fileOffset: arbUint64(), filenameStrindex: str, attributeIndices: indices(s.attributes) },
      opts,
    )
    .map((r): Mapping => ({ ...r }));
  const line = fc.record({ functionIndex: index(s.functions), line: arbInt64Number(), column: arbInt64Number() }, opts).map((r): Line => ({ ...r }));
  const location = fc
    .record(
      {
        mappingIndex: index(s.mappings),
        address: arbUint64(),
        lines: fc.array(line, { maxLength: 3 }),
        attributeIndices: indices(s.attributes),
      },
      opts,
    )
    .map((r): Location => ({ ...r }));
  const fn = fc
    .record({ nameStrindex: str, systemNameStrindex: str, filenameStrindex: str, startLine: arbInt64Number() }, opts)
    .map((r): ProfileFunction => ({ ...r }));
  const link = fc.record({ traceId: arbId(16), spanId: arbId(8) }, opts).map((r): Link => ({ ...r }));
  const attribute = fc
    .record({ keyStrindex: str, value: fc.option(arbAnyValue({ strings: s.strings, maxDepth: 2 }), { nil: undefined }), unitStrindex: str }, opts)
    .map((r): KeyValueAndUnit => optionalKey({ keyStrindex: r.keyStrindex, unitStrindex: r.unitStrindex } as KeyValueAndUnit, 'value', r.value));
  const stack = indices(s.locations, 5).map((locationIndices): Stack => ({ locationIndices }));
  return fc
    .record(
      {
        mappingTable: exactly(mapping, s.mappings - 1),
        locationTable: exactly(location, s.locations - 1),
        functionTable: exactly(fn, s.functions - 1),
        linkTable: exactly(link, s.links - 1),
        // Not the name of a type whose values only accumulate: values may be negative here.
        stringTable: exactly(
          arbText(20).filter((t) => !ACCUMULATING_TYPES.has(t.toLowerCase())),
          s.strings - 1,
        ),
        attributeTable: exactly(attribute, s.attributes - 1),
        stackTable: exactly(stack, s.stacks - 1),
      },
      opts,
    )
    .map((t) => ({
      mappingTable: [ZERO_MAPPING(), ...t.mappingTable],
      locationTable: [ZERO_LOCATION(), ...t.locationTable],
      functionTable: [ZERO_FUNCTION(), ...t.functionTable],
      linkTable: [ZERO_LINK(), ...t.linkTable],
      stringTable: ['', ...t.stringTable],
      attributeTable: [ZERO_ATTRIBUTE(), ...t.attributeTable],
      stackTable: [ZERO_STACK(), ...t.stackTable],
    }));
}

function arbSample(s: TableSizes): fc.Arbitrary<Sample> {
  // The three legal shapes: values only, timestamps only, both of equal length.
  const shape = fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.oneof(
      exactly(arbInt64Number(), n).map((values) => ({ values, timestampsUnixNano: [] as bigint[] })),
      exactly(arbUint64(), n).map((timestampsUnixNano) => ({ values: [] as number[], timestampsUnixNano })),
      fc.tuple(exactly(arbInt64Number(), n), exactly(arbUint64(), n)).map(([values, timestampsUnixNano]) => ({ values, timestampsUnixNano })),
    ),
  );
  return fc
    .record({ stackIndex: index(s.stacks), attributeIndices: indices(s.attributes), linkIndex: index(s.links), shape }, opts)
    .map((r): Sample => ({
      stackIndex: r.stackIndex,
      attributeIndices: r.attributeIndices,
      linkIndex: r.linkIndex,
      values: r.shape.values,
      timestampsUnixNano: r.shape.timestampsUnixNano,
    }));
}

function arbProfile(s: TableSizes): fc.Arbitrary<Profile> {
  const valueType = fc.record({ typeStrindex: index(s.strings), unitStrindex: index(s.strings) }, opts).map((r): ValueType => ({ ...r }));
  const payload = fc.option(fc.tuple(arbText(8), fc.uint8Array({ minLength: 1, maxLength: 40 })), { nil: undefined });
  return fc
    .record(
      {
        sampleType: fc.option(valueType, { nil: undefined }),
        samples: fc.array(arbSample(s), { maxLength: 5 }),
        timeUnixNano: arbUint64(),
        durationNano: arbUint64(),
        periodType: fc.option(valueType, { nil: undefined }),
        period: arbInt64Number(),
        profileId: fc.oneof(fc.constant(new Uint8Array(0)), arbId(16)),
        droppedAttributesCount: arbUint32(),
        payload,
        attributeIndices: indices(s.attributes),
      },
      opts,
    )
    .map((r): Profile => {
      const p: Profile = {
        samples: r.samples,
        timeUnixNano: r.timeUnixNano,
        durationNano: r.durationNano,
        period: r.period,
        profileId: r.profileId,
        droppedAttributesCount: r.droppedAttributesCount,
        originalPayloadFormat: r.payload === undefined ? '' : r.payload[0] || 'pprof',
        originalPayload: r.payload === undefined ? new Uint8Array(0) : r.payload[1],
        attributeIndices: r.attributeIndices,
      };
      optionalKey(p, 'sampleType', r.sampleType);
      optionalKey(p, 'periodType', r.periodType);
      return p;
    });
}

/** Table sizes (each including the zero entry) for a small but fully used dictionary. */
export function arbTableSizes(): fc.Arbitrary<TableSizes> {
  return fc.record(
    {
      strings: fc.integer({ min: 1, max: 12 }),
      functions: fc.integer({ min: 1, max: 6 }),
      mappings: fc.integer({ min: 1, max: 4 }),
      locations: fc.integer({ min: 1, max: 8 }),
      stacks: fc.integer({ min: 1, max: 8 }),
      links: fc.integer({ min: 1, max: 4 }),
      attributes: fc.integer({ min: 1, max: 6 }),
    },
    opts,
  );
}

export function arbProfilesRequest(): fc.Arbitrary<ExportProfilesServiceRequest> {
  return arbTableSizes().chain((s) => {
    const attrs: AnyValueOptions = { strings: s.strings, maxDepth: 2 };
    const scopeProfiles = fc
      .record(
        {
          scope: fc.option(arbScope(attrs), { nil: undefined }),
          profiles: fc.array(arbProfile(s), { maxLength: 3 }),
          schemaUrl: arbText(),
        },
        opts,
      )
      .map((r): ScopeProfiles => optionalKey({ profiles: r.profiles, schemaUrl: r.schemaUrl } as ScopeProfiles, 'scope', r.scope));
    const resourceProfiles = fc
      .record(
        {
          resource: fc.option(arbResource(attrs), { nil: undefined }),
          scopeProfiles: fc.array(scopeProfiles, { maxLength: 2 }),
          schemaUrl: arbText(),
        },
        opts,
      )
      .map((r): ResourceProfiles =>
        optionalKey({ scopeProfiles: r.scopeProfiles, schemaUrl: r.schemaUrl } as ResourceProfiles, 'resource', r.resource),
      );
    return fc
      .record({ resourceProfiles: fc.array(resourceProfiles, { maxLength: 2 }), dictionary: arbDictionary(s) }, opts)
      .map((r): ExportProfilesServiceRequest => ({ resourceProfiles: r.resourceProfiles, dictionary: r.dictionary }));
  });
}
