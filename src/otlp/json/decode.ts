// OTLP/JSON -> model. Keys may be lowerCamelCase (what OTLP/JSON specifies) or snake_case
// (proto field names; harmless to accept). Unknown keys are ignored and `null` means absent.
// Each reader walks the object's own keys once with a switch — one pass, no lookups for
// keys that are not there — and pushes the key on the context's path so an error names it.
// Scalar rules are in scalars.ts.
import type {
  AnyValue,
  EntityRef,
  ExportProfilesPartialSuccess,
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  ExportTracePartialSuccess,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
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
  ResourceProfiles,
  Resource,
  ResourceSpans,
  RpcStatus,
  Sample,
  ScopeProfiles,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  Stack,
  Status,
  ValueType,
} from '../model.js';
import type { JsonContext } from './context.js';
import {
  readBase64,
  readBool,
  readDouble,
  readEnum,
  readHexId,
  readInt32,
  readInt64Big,
  readInt64Number,
  readProfileId,
  readString,
  readUint32,
  readUint64Big,
} from './scalars.js';
import { encodeAnyMessage } from '../wire/rpc-status.js';

const EMPTY = new Uint8Array(0);

/**
 * Stand-in for a repeated field until its key is read (the key replaces it with a new
 * array; one still in place at the end becomes a fresh []). Saves an empty array per
 * field per message on the hot path, as in the protobuf decoder.
 */
const NONE = Object.freeze([]) as unknown as never[];

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

const readSpanKind = (ctx: JsonContext, v: unknown): number => readEnum(ctx, v, SPAN_KIND_NAMES);
const readStatusCode = (ctx: JsonContext, v: unknown): number => readEnum(ctx, v, STATUS_CODE_NAMES);

// ------------------------------------------------------------------ common

export function anyValueFromJson(ctx: JsonContext, v: unknown): AnyValue {
  const o = ctx.object(v);
  ctx.enter();
  const path = ctx.path;
  let out: AnyValue | undefined;
  let members = 0;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'stringValue':
      case 'string_value':
        out = { stringValue: readString(ctx, x) };
        members++;
        break;
      case 'boolValue':
      case 'bool_value':
        out = { boolValue: readBool(ctx, x) };
        members++;
        break;
      case 'intValue':
      case 'int_value':
        out = { intValue: readInt64Big(ctx, x) };
        members++;
        break;
      case 'doubleValue':
      case 'double_value':
        out = { doubleValue: readDouble(ctx, x) };
        members++;
        break;
      case 'arrayValue':
      case 'array_value': {
        const a = ctx.object(x);
        const values = a.values ?? null;
        path.push('values');
        out = { arrayValue: { values: values === null ? [] : ctx.list(values, anyValueFromJson) } };
        path.pop();
        members++;
        break;
      }
      case 'kvlistValue':
      case 'kvlist_value': {
        const a = ctx.object(x);
        const values = a.values ?? null;
        path.push('values');
        out = { kvlistValue: { values: values === null ? [] : ctx.list(values, keyValueFromJson) } };
        path.pop();
        members++;
        break;
      }
      case 'bytesValue':
      case 'bytes_value':
        out = { bytesValue: readBase64(ctx, x) };
        members++;
        break;
      case 'stringValueStrindex':
      case 'string_value_strindex':
        out = { stringValueStrindex: readInt32(ctx, x) };
        members++;
        break;
    }
    path.pop();
  }
  if (members > 1) ctx.fail('an AnyValue must have at most one value key');
  ctx.leave();
  return out ?? {};
}

export function keyValueFromJson(ctx: JsonContext, v: unknown): KeyValue {
  const o = ctx.object(v);
  const m: KeyValue = { key: '', keyStrindex: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'key':
        m.key = readString(ctx, x);
        break;
      case 'value':
        m.value = anyValueFromJson(ctx, x);
        break;
      case 'keyStrindex':
      case 'key_strindex':
        m.keyStrindex = readInt32(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function scopeFromJson(ctx: JsonContext, v: unknown): InstrumentationScope {
  const o = ctx.object(v);
  const m: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'name':
        m.name = readString(ctx, x);
        break;
      case 'version':
        m.version = readString(ctx, x);
        break;
      case 'attributes':
        m.attributes = ctx.list(x, keyValueFromJson);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        m.droppedAttributesCount = readUint32(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function entityRefFromJson(ctx: JsonContext, v: unknown): EntityRef {
  const o = ctx.object(v);
  const m: EntityRef = { schemaUrl: '', type: '', idKeys: [], descriptionKeys: [] };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'schemaUrl':
      case 'schema_url':
        m.schemaUrl = readString(ctx, x);
        break;
      case 'type':
        m.type = readString(ctx, x);
        break;
      case 'idKeys':
      case 'id_keys':
        m.idKeys = ctx.list(x, readString);
        break;
      case 'descriptionKeys':
      case 'description_keys':
        m.descriptionKeys = ctx.list(x, readString);
        break;
    }
    path.pop();
  }
  return m;
}

function resourceFromJson(ctx: JsonContext, v: unknown): Resource {
  const o = ctx.object(v);
  const m: Resource = { attributes: [], droppedAttributesCount: 0, entityRefs: [] };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'attributes':
        m.attributes = ctx.list(x, keyValueFromJson);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        m.droppedAttributesCount = readUint32(ctx, x);
        break;
      case 'entityRefs':
      case 'entity_refs':
        m.entityRefs = ctx.list(x, entityRefFromJson);
        break;
    }
    path.pop();
  }
  return m;
}

// ------------------------------------------------------------------ traces

export function tracesRequestFromJsonValue(ctx: JsonContext, v: unknown): ExportTraceServiceRequest {
  const o = ctx.object(v);
  const m: ExportTraceServiceRequest = { resourceSpans: [] };
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    if (k === 'resourceSpans' || k === 'resource_spans') {
      ctx.path.push(k);
      m.resourceSpans = ctx.list(x, resourceSpansFromJson);
      ctx.path.pop();
    }
  }
  return m;
}

/**
 * ResourceSpans, ScopeSpans, ResourceProfiles and ScopeProfiles share one layout: a head
 * (`resource` or `scope`), the list of children, and `schemaUrl`. One reader serves all four.
 */
function groupFromJson<H, C>(
  ctx: JsonContext,
  v: unknown,
  headKey: string,
  readHead: (ctx: JsonContext, v: unknown) => H,
  childrenKey: string,
  childrenSnakeKey: string,
  readChild: (ctx: JsonContext, v: unknown) => C,
): { head: H | undefined; children: C[]; schemaUrl: string } {
  const o = ctx.object(v);
  const g: { head: H | undefined; children: C[]; schemaUrl: string } = { head: undefined, children: [], schemaUrl: '' };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    if (k === headKey) g.head = readHead(ctx, x);
    else if (k === childrenKey || k === childrenSnakeKey) g.children = ctx.list(x, readChild);
    else if (k === 'schemaUrl' || k === 'schema_url') g.schemaUrl = readString(ctx, x);
    path.pop();
  }
  return g;
}

function resourceSpansFromJson(ctx: JsonContext, v: unknown): ResourceSpans {
  const g = groupFromJson(ctx, v, 'resource', resourceFromJson, 'scopeSpans', 'scope_spans', scopeSpansFromJson);
  const m: ResourceSpans = { scopeSpans: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.resource = g.head;
  return m;
}

function scopeSpansFromJson(ctx: JsonContext, v: unknown): ScopeSpans {
  const g = groupFromJson(ctx, v, 'scope', scopeFromJson, 'spans', 'spans', spanFromJson);
  const m: ScopeSpans = { spans: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.scope = g.head;
  return m;
}

function spanFromJson(ctx: JsonContext, v: unknown): Span {
  const o = ctx.object(v);
  const m: Span = {
    traceId: EMPTY,
    spanId: EMPTY,
    traceState: '',
    parentSpanId: EMPTY,
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
  };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'traceId':
      case 'trace_id':
        m.traceId = readHexId(ctx, x);
        break;
      case 'spanId':
      case 'span_id':
        m.spanId = readHexId(ctx, x);
        break;
      case 'traceState':
      case 'trace_state':
        m.traceState = readString(ctx, x);
        break;
      case 'parentSpanId':
      case 'parent_span_id':
        m.parentSpanId = readHexId(ctx, x);
        break;
      case 'flags':
        m.flags = readUint32(ctx, x);
        break;
      case 'name':
        m.name = readString(ctx, x);
        break;
      case 'kind':
        m.kind = readSpanKind(ctx, x);
        break;
      case 'startTimeUnixNano':
      case 'start_time_unix_nano':
        m.startTimeUnixNano = readUint64Big(ctx, x);
        break;
      case 'endTimeUnixNano':
      case 'end_time_unix_nano':
        m.endTimeUnixNano = readUint64Big(ctx, x);
        break;
      case 'attributes':
        m.attributes = ctx.list(x, keyValueFromJson);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        m.droppedAttributesCount = readUint32(ctx, x);
        break;
      case 'events':
        m.events = ctx.list(x, eventFromJson);
        break;
      case 'droppedEventsCount':
      case 'dropped_events_count':
        m.droppedEventsCount = readUint32(ctx, x);
        break;
      case 'links':
        m.links = ctx.list(x, spanLinkFromJson);
        break;
      case 'droppedLinksCount':
      case 'dropped_links_count':
        m.droppedLinksCount = readUint32(ctx, x);
        break;
      case 'status':
        m.status = statusFromJson(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function eventFromJson(ctx: JsonContext, v: unknown): SpanEvent {
  const o = ctx.object(v);
  const m: SpanEvent = { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'timeUnixNano':
      case 'time_unix_nano':
        m.timeUnixNano = readUint64Big(ctx, x);
        break;
      case 'name':
        m.name = readString(ctx, x);
        break;
      case 'attributes':
        m.attributes = ctx.list(x, keyValueFromJson);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        m.droppedAttributesCount = readUint32(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function spanLinkFromJson(ctx: JsonContext, v: unknown): SpanLink {
  const o = ctx.object(v);
  const m: SpanLink = { traceId: EMPTY, spanId: EMPTY, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'traceId':
      case 'trace_id':
        m.traceId = readHexId(ctx, x);
        break;
      case 'spanId':
      case 'span_id':
        m.spanId = readHexId(ctx, x);
        break;
      case 'traceState':
      case 'trace_state':
        m.traceState = readString(ctx, x);
        break;
      case 'attributes':
        m.attributes = ctx.list(x, keyValueFromJson);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        m.droppedAttributesCount = readUint32(ctx, x);
        break;
      case 'flags':
        m.flags = readUint32(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function statusFromJson(ctx: JsonContext, v: unknown): Status {
  const o = ctx.object(v);
  const m: Status = { message: '', code: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    if (k === 'message') m.message = readString(ctx, x);
    else if (k === 'code') m.code = readStatusCode(ctx, x);
    path.pop();
  }
  return m;
}

export function tracesResponseFromJsonValue(ctx: JsonContext, v: unknown): ExportTraceServiceResponse {
  const o = ctx.object(v);
  const m: ExportTraceServiceResponse = {};
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    if (k !== 'partialSuccess' && k !== 'partial_success') continue;
    ctx.path.push(k);
    const p = ctx.object(x);
    const ps: ExportTracePartialSuccess = { rejectedSpans: 0, errorMessage: '' };
    for (const pk in p) {
      const px = p[pk];
      if (px === null || px === undefined) continue;
      ctx.path.push(pk);
      if (pk === 'rejectedSpans' || pk === 'rejected_spans') ps.rejectedSpans = readInt64Number(ctx, px);
      else if (pk === 'errorMessage' || pk === 'error_message') ps.errorMessage = readString(ctx, px);
      ctx.path.pop();
    }
    m.partialSuccess = ps;
    ctx.path.pop();
  }
  return m;
}

// ------------------------------------------------------------------ profiles

export function profilesRequestFromJsonValue(ctx: JsonContext, v: unknown): ExportProfilesServiceRequest {
  const o = ctx.object(v);
  const m: ExportProfilesServiceRequest = { resourceProfiles: [] };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'resourceProfiles':
      case 'resource_profiles':
        m.resourceProfiles = ctx.list(x, resourceProfilesFromJson);
        break;
      case 'dictionary':
        m.dictionary = dictionaryFromJson(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function dictionaryFromJson(ctx: JsonContext, v: unknown): ProfilesDictionary {
  const o = ctx.object(v);
  const m: ProfilesDictionary = {
    mappingTable: [],
    locationTable: [],
    functionTable: [],
    linkTable: [],
    stringTable: [],
    attributeTable: [],
    stackTable: [],
  };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'mappingTable':
      case 'mapping_table':
        m.mappingTable = ctx.list(x, mappingFromJson);
        break;
      case 'locationTable':
      case 'location_table':
        m.locationTable = ctx.list(x, locationFromJson);
        break;
      case 'functionTable':
      case 'function_table':
        m.functionTable = ctx.list(x, functionFromJson);
        break;
      case 'linkTable':
      case 'link_table':
        m.linkTable = ctx.list(x, linkFromJson);
        break;
      case 'stringTable':
      case 'string_table':
        m.stringTable = ctx.list(x, readString);
        break;
      case 'attributeTable':
      case 'attribute_table':
        m.attributeTable = ctx.list(x, keyValueAndUnitFromJson);
        break;
      case 'stackTable':
      case 'stack_table':
        m.stackTable = ctx.list(x, stackFromJson);
        break;
    }
    path.pop();
  }
  return m;
}

function resourceProfilesFromJson(ctx: JsonContext, v: unknown): ResourceProfiles {
  const g = groupFromJson(ctx, v, 'resource', resourceFromJson, 'scopeProfiles', 'scope_profiles', scopeProfilesFromJson);
  const m: ResourceProfiles = { scopeProfiles: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.resource = g.head;
  return m;
}

function scopeProfilesFromJson(ctx: JsonContext, v: unknown): ScopeProfiles {
  const g = groupFromJson(ctx, v, 'scope', scopeFromJson, 'profiles', 'profiles', profileFromJson);
  const m: ScopeProfiles = { profiles: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.scope = g.head;
  return m;
}

function profileFromJson(ctx: JsonContext, v: unknown): Profile {
  const o = ctx.object(v);
  const m: Profile = {
    samples: [],
    timeUnixNano: 0n,
    durationNano: 0n,
    period: 0,
    profileId: EMPTY,
    droppedAttributesCount: 0,
    originalPayloadFormat: '',
    originalPayload: EMPTY,
    attributeIndices: [],
  };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'sampleType':
      case 'sample_type':
        m.sampleType = valueTypeFromJson(ctx, x);
        break;
      case 'samples':
        m.samples = ctx.list(x, sampleFromJson);
        break;
      case 'timeUnixNano':
      case 'time_unix_nano':
        m.timeUnixNano = readUint64Big(ctx, x);
        break;
      case 'durationNano':
      case 'duration_nano':
        m.durationNano = readUint64Big(ctx, x);
        break;
      case 'periodType':
      case 'period_type':
        m.periodType = valueTypeFromJson(ctx, x);
        break;
      case 'period':
        m.period = readInt64Number(ctx, x);
        break;
      case 'profileId':
      case 'profile_id':
        m.profileId = readProfileId(ctx, x);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        m.droppedAttributesCount = readUint32(ctx, x);
        break;
      case 'originalPayloadFormat':
      case 'original_payload_format':
        m.originalPayloadFormat = readString(ctx, x);
        break;
      case 'originalPayload':
      case 'original_payload':
        m.originalPayload = readBase64(ctx, x);
        break;
      case 'attributeIndices':
      case 'attribute_indices':
        m.attributeIndices = ctx.list(x, readInt32);
        break;
    }
    path.pop();
  }
  return m;
}

function valueTypeFromJson(ctx: JsonContext, v: unknown): ValueType {
  const o = ctx.object(v);
  const m: ValueType = { typeStrindex: 0, unitStrindex: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    if (k === 'typeStrindex' || k === 'type_strindex') m.typeStrindex = readInt32(ctx, x);
    else if (k === 'unitStrindex' || k === 'unit_strindex') m.unitStrindex = readInt32(ctx, x);
    path.pop();
  }
  return m;
}

function sampleFromJson(ctx: JsonContext, v: unknown): Sample {
  const o = ctx.object(v);
  const m: Sample = { stackIndex: 0, attributeIndices: NONE, linkIndex: 0, values: NONE, timestampsUnixNano: NONE };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'stackIndex':
      case 'stack_index':
        m.stackIndex = readInt32(ctx, x);
        break;
      case 'attributeIndices':
      case 'attribute_indices':
        m.attributeIndices = ctx.list(x, readInt32);
        break;
      case 'linkIndex':
      case 'link_index':
        m.linkIndex = readInt32(ctx, x);
        break;
      case 'values':
        m.values = ctx.list(x, readInt64Number);
        break;
      case 'timestampsUnixNano':
      case 'timestamps_unix_nano':
        m.timestampsUnixNano = ctx.list(x, readUint64Big);
        break;
    }
    path.pop();
  }
  if (m.attributeIndices === NONE) m.attributeIndices = [];
  if (m.values === NONE) m.values = [];
  if (m.timestampsUnixNano === NONE) m.timestampsUnixNano = [];
  return m;
}

function mappingFromJson(ctx: JsonContext, v: unknown): Mapping {
  const o = ctx.object(v);
  const m: Mapping = { memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: NONE };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'memoryStart':
      case 'memory_start':
        m.memoryStart = readUint64Big(ctx, x);
        break;
      case 'memoryLimit':
      case 'memory_limit':
        m.memoryLimit = readUint64Big(ctx, x);
        break;
      case 'fileOffset':
      case 'file_offset':
        m.fileOffset = readUint64Big(ctx, x);
        break;
      case 'filenameStrindex':
      case 'filename_strindex':
        m.filenameStrindex = readInt32(ctx, x);
        break;
      case 'attributeIndices':
      case 'attribute_indices':
        m.attributeIndices = ctx.list(x, readInt32);
        break;
    }
    path.pop();
  }
  if (m.attributeIndices === NONE) m.attributeIndices = [];
  return m;
}

function stackFromJson(ctx: JsonContext, v: unknown): Stack {
  const o = ctx.object(v);
  const m: Stack = { locationIndices: NONE };
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    if (k === 'locationIndices' || k === 'location_indices') {
      ctx.path.push(k);
      m.locationIndices = ctx.list(x, readInt32);
      ctx.path.pop();
    }
  }
  if (m.locationIndices === NONE) m.locationIndices = [];
  return m;
}

function locationFromJson(ctx: JsonContext, v: unknown): Location {
  const o = ctx.object(v);
  const m: Location = { mappingIndex: 0, address: 0n, lines: NONE, attributeIndices: NONE };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'mappingIndex':
      case 'mapping_index':
        m.mappingIndex = readInt32(ctx, x);
        break;
      case 'address':
        m.address = readUint64Big(ctx, x);
        break;
      case 'lines':
        m.lines = ctx.list(x, lineFromJson);
        break;
      case 'attributeIndices':
      case 'attribute_indices':
        m.attributeIndices = ctx.list(x, readInt32);
        break;
    }
    path.pop();
  }
  if (m.lines === NONE) m.lines = [];
  if (m.attributeIndices === NONE) m.attributeIndices = [];
  return m;
}

function lineFromJson(ctx: JsonContext, v: unknown): Line {
  const o = ctx.object(v);
  const m: Line = { functionIndex: 0, line: 0, column: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'functionIndex':
      case 'function_index':
        m.functionIndex = readInt32(ctx, x);
        break;
      case 'line':
        m.line = readInt64Number(ctx, x);
        break;
      case 'column':
        m.column = readInt64Number(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function functionFromJson(ctx: JsonContext, v: unknown): ProfileFunction {
  const o = ctx.object(v);
  const m: ProfileFunction = { nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'nameStrindex':
      case 'name_strindex':
        m.nameStrindex = readInt32(ctx, x);
        break;
      case 'systemNameStrindex':
      case 'system_name_strindex':
        m.systemNameStrindex = readInt32(ctx, x);
        break;
      case 'filenameStrindex':
      case 'filename_strindex':
        m.filenameStrindex = readInt32(ctx, x);
        break;
      case 'startLine':
      case 'start_line':
        m.startLine = readInt64Number(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

function linkFromJson(ctx: JsonContext, v: unknown): Link {
  const o = ctx.object(v);
  const m: Link = { traceId: EMPTY, spanId: EMPTY };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    if (k === 'traceId' || k === 'trace_id') m.traceId = readHexId(ctx, x);
    else if (k === 'spanId' || k === 'span_id') m.spanId = readHexId(ctx, x);
    path.pop();
  }
  return m;
}

function keyValueAndUnitFromJson(ctx: JsonContext, v: unknown): KeyValueAndUnit {
  const o = ctx.object(v);
  const m: KeyValueAndUnit = { keyStrindex: 0, unitStrindex: 0 };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    switch (k) {
      case 'keyStrindex':
      case 'key_strindex':
        m.keyStrindex = readInt32(ctx, x);
        break;
      case 'value':
        m.value = anyValueFromJson(ctx, x);
        break;
      case 'unitStrindex':
      case 'unit_strindex':
        m.unitStrindex = readInt32(ctx, x);
        break;
    }
    path.pop();
  }
  return m;
}

export function profilesResponseFromJsonValue(ctx: JsonContext, v: unknown): ExportProfilesServiceResponse {
  const o = ctx.object(v);
  const m: ExportProfilesServiceResponse = {};
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    if (k !== 'partialSuccess' && k !== 'partial_success') continue;
    ctx.path.push(k);
    const p = ctx.object(x);
    const ps: ExportProfilesPartialSuccess = { rejectedProfiles: 0, errorMessage: '' };
    for (const pk in p) {
      const px = p[pk];
      if (px === null || px === undefined) continue;
      ctx.path.push(pk);
      if (pk === 'rejectedProfiles' || pk === 'rejected_profiles') ps.rejectedProfiles = readInt64Number(ctx, px);
      else if (pk === 'errorMessage' || pk === 'error_message') ps.errorMessage = readString(ctx, px);
      ctx.path.pop();
    }
    m.partialSuccess = ps;
    ctx.path.pop();
  }
  return m;
}

// ------------------------------------------------------------------ google.rpc.Status

/**
 * google.rpc.Status. A detail in JSON is an Any: `{"@type": url, ...}`. Without the
 * detail's schema only the `{"@type", "value": base64}` form can be turned back into
 * bytes; other details are dropped (they are informational only).
 */
export function rpcStatusFromJsonValue(ctx: JsonContext, v: unknown): RpcStatus {
  const o = ctx.object(v);
  const m: RpcStatus = { code: 0, message: '', details: [] };
  const path = ctx.path;
  for (const k in o) {
    const x = o[k];
    if (x === null || x === undefined) continue;
    path.push(k);
    if (k === 'code') m.code = readInt32(ctx, x);
    else if (k === 'message') m.message = readString(ctx, x);
    else if (k === 'details') {
      const list = ctx.array(x);
      for (let i = 0; i < list.length; i++) {
        path.push(i);
        const d = ctx.object(list[i]);
        const url = d['@type'];
        const value = d.value;
        if (typeof url === 'string' && (value === undefined || typeof value === 'string')) {
          path.push('value');
          m.details.push(encodeAnyMessage(url, value === undefined ? new Uint8Array(0) : readBase64(ctx, value)));
          path.pop();
        }
        path.pop();
      }
    }
    path.pop();
  }
  return m;
}
