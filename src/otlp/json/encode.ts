// Model -> OTLP/JSON (a plain value for JSON.stringify). Field names are lowerCamelCase, in
// field-number order; zero scalars and empty repeated fields are left out (as the Collector
// and the protobuf JSON printers do by default), present sub-messages are always written and
// an AnyValue writes its one member even when it is a zero value. Scalar forms: scalars.ts.
import type {
  AnyValue,
  EntityRef,
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
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
  Resource,
  ResourceProfiles,
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
import { decodeAnyMessage } from '../wire/rpc-status.js';
import { base64Of, doubleToJson, hexOf, int64ToJson, profileIdToJson } from './scalars.js';

type Json = Record<string, unknown>;

const bigToJson = (v: bigint): string => v.toString();

// ------------------------------------------------------------------ common

export function anyValueToJson(v: AnyValue): Json {
  if (v.stringValue !== undefined) return { stringValue: v.stringValue };
  if (v.boolValue !== undefined) return { boolValue: v.boolValue };
  if (v.intValue !== undefined) return { intValue: v.intValue.toString() };
  if (v.doubleValue !== undefined) return { doubleValue: doubleToJson(v.doubleValue) };
  if (v.arrayValue !== undefined) {
    const values = v.arrayValue.values;
    return { arrayValue: values.length === 0 ? {} : { values: values.map(anyValueToJson) } };
  }
  if (v.kvlistValue !== undefined) {
    const values = v.kvlistValue.values;
    return { kvlistValue: values.length === 0 ? {} : { values: values.map(keyValueToJson) } };
  }
  if (v.bytesValue !== undefined) return { bytesValue: base64Of(v.bytesValue) };
  if (v.stringValueStrindex !== undefined) return { stringValueStrindex: v.stringValueStrindex };
  return {};
}

export function keyValueToJson(kv: KeyValue): Json {
  const o: Json = {};
  if (kv.key !== '') o.key = kv.key;
  if (kv.value !== undefined) o.value = anyValueToJson(kv.value);
  if (kv.keyStrindex !== 0) o.keyStrindex = kv.keyStrindex;
  return o;
}

function scopeToJson(m: InstrumentationScope): Json {
  const o: Json = {};
  if (m.name !== '') o.name = m.name;
  if (m.version !== '') o.version = m.version;
  if (m.attributes.length !== 0) o.attributes = m.attributes.map(keyValueToJson);
  if (m.droppedAttributesCount !== 0) o.droppedAttributesCount = m.droppedAttributesCount;
  return o;
}

function entityRefToJson(m: EntityRef): Json {
  const o: Json = {};
  if (m.schemaUrl !== '') o.schemaUrl = m.schemaUrl;
  if (m.type !== '') o.type = m.type;
  if (m.idKeys.length !== 0) o.idKeys = m.idKeys.slice();
  if (m.descriptionKeys.length !== 0) o.descriptionKeys = m.descriptionKeys.slice();
  return o;
}

function resourceToJson(m: Resource): Json {
  const o: Json = {};
  if (m.attributes.length !== 0) o.attributes = m.attributes.map(keyValueToJson);
  if (m.droppedAttributesCount !== 0) o.droppedAttributesCount = m.droppedAttributesCount;
  if (m.entityRefs.length !== 0) o.entityRefs = m.entityRefs.map(entityRefToJson);
  return o;
}

// ------------------------------------------------------------------ traces

export function tracesRequestToJsonValue(m: ExportTraceServiceRequest): Json {
  const o: Json = {};
  if (m.resourceSpans.length !== 0) o.resourceSpans = m.resourceSpans.map(resourceSpansToJson);
  return o;
}

function resourceSpansToJson(m: ResourceSpans): Json {
  const o: Json = {};
  if (m.resource !== undefined) o.resource = resourceToJson(m.resource);
  if (m.scopeSpans.length !== 0) o.scopeSpans = m.scopeSpans.map(scopeSpansToJson);
  if (m.schemaUrl !== '') o.schemaUrl = m.schemaUrl;
  return o;
}

function scopeSpansToJson(m: ScopeSpans): Json {
  const o: Json = {};
  if (m.scope !== undefined) o.scope = scopeToJson(m.scope);
  if (m.spans.length !== 0) o.spans = m.spans.map(spanToJson);
  if (m.schemaUrl !== '') o.schemaUrl = m.schemaUrl;
  return o;
}

function spanToJson(m: Span): Json {
  const o: Json = {};
  if (m.traceId.length !== 0) o.traceId = hexOf(m.traceId);
  if (m.spanId.length !== 0) o.spanId = hexOf(m.spanId);
  if (m.traceState !== '') o.traceState = m.traceState;
  if (m.parentSpanId.length !== 0) o.parentSpanId = hexOf(m.parentSpanId);
  if (m.name !== '') o.name = m.name;
  if (m.kind !== 0) o.kind = m.kind;
  if (m.startTimeUnixNano !== 0n) o.startTimeUnixNano = m.startTimeUnixNano.toString();
  if (m.endTimeUnixNano !== 0n) o.endTimeUnixNano = m.endTimeUnixNano.toString();
  if (m.attributes.length !== 0) o.attributes = m.attributes.map(keyValueToJson);
  if (m.droppedAttributesCount !== 0) o.droppedAttributesCount = m.droppedAttributesCount;
  if (m.events.length !== 0) o.events = m.events.map(eventToJson);
  if (m.droppedEventsCount !== 0) o.droppedEventsCount = m.droppedEventsCount;
  if (m.links.length !== 0) o.links = m.links.map(spanLinkToJson);
  if (m.droppedLinksCount !== 0) o.droppedLinksCount = m.droppedLinksCount;
  if (m.status !== undefined) o.status = statusToJson(m.status);
  if (m.flags !== 0) o.flags = m.flags;
  return o;
}

function eventToJson(m: SpanEvent): Json {
  const o: Json = {};
  if (m.timeUnixNano !== 0n) o.timeUnixNano = m.timeUnixNano.toString();
  if (m.name !== '') o.name = m.name;
  if (m.attributes.length !== 0) o.attributes = m.attributes.map(keyValueToJson);
  if (m.droppedAttributesCount !== 0) o.droppedAttributesCount = m.droppedAttributesCount;
  return o;
}

function spanLinkToJson(m: SpanLink): Json {
  const o: Json = {};
  if (m.traceId.length !== 0) o.traceId = hexOf(m.traceId);
  if (m.spanId.length !== 0) o.spanId = hexOf(m.spanId);
  if (m.traceState !== '') o.traceState = m.traceState;
  if (m.attributes.length !== 0) o.attributes = m.attributes.map(keyValueToJson);
  if (m.droppedAttributesCount !== 0) o.droppedAttributesCount = m.droppedAttributesCount;
  if (m.flags !== 0) o.flags = m.flags;
  return o;
}

function statusToJson(m: Status): Json {
  const o: Json = {};
  if (m.message !== '') o.message = m.message;
  if (m.code !== 0) o.code = m.code;
  return o;
}

export function tracesResponseToJsonValue(m: ExportTraceServiceResponse): Json {
  const o: Json = {};
  const p = m.partialSuccess;
  if (p !== undefined) {
    const ps: Json = {};
    if (p.rejectedSpans !== 0) ps.rejectedSpans = int64ToJson(p.rejectedSpans);
    if (p.errorMessage !== '') ps.errorMessage = p.errorMessage;
    o.partialSuccess = ps;
  }
  return o;
}

// ------------------------------------------------------------------ profiles

export function profilesRequestToJsonValue(m: ExportProfilesServiceRequest): Json {
  const o: Json = {};
  if (m.resourceProfiles.length !== 0) o.resourceProfiles = m.resourceProfiles.map(resourceProfilesToJson);
  if (m.dictionary !== undefined) o.dictionary = dictionaryToJson(m.dictionary);
  return o;
}

function dictionaryToJson(m: ProfilesDictionary): Json {
  const o: Json = {};
  if (m.mappingTable.length !== 0) o.mappingTable = m.mappingTable.map(mappingToJson);
  if (m.locationTable.length !== 0) o.locationTable = m.locationTable.map(locationToJson);
  if (m.functionTable.length !== 0) o.functionTable = m.functionTable.map(functionToJson);
  if (m.linkTable.length !== 0) o.linkTable = m.linkTable.map(linkToJson);
  if (m.stringTable.length !== 0) o.stringTable = m.stringTable.slice();
  if (m.attributeTable.length !== 0) o.attributeTable = m.attributeTable.map(keyValueAndUnitToJson);
  if (m.stackTable.length !== 0) o.stackTable = m.stackTable.map(stackToJson);
  return o;
}

function resourceProfilesToJson(m: ResourceProfiles): Json {
  const o: Json = {};
  if (m.resource !== undefined) o.resource = resourceToJson(m.resource);
  if (m.scopeProfiles.length !== 0) o.scopeProfiles = m.scopeProfiles.map(scopeProfilesToJson);
  if (m.schemaUrl !== '') o.schemaUrl = m.schemaUrl;
  return o;
}

function scopeProfilesToJson(m: ScopeProfiles): Json {
  const o: Json = {};
  if (m.scope !== undefined) o.scope = scopeToJson(m.scope);
  if (m.profiles.length !== 0) o.profiles = m.profiles.map(profileToJson);
  if (m.schemaUrl !== '') o.schemaUrl = m.schemaUrl;
  return o;
}

function profileToJson(m: Profile): Json {
  const o: Json = {};
  if (m.sampleType !== undefined) o.sampleType = valueTypeToJson(m.sampleType);
  if (m.samples.length !== 0) o.samples = m.samples.map(sampleToJson);
  if (m.timeUnixNano !== 0n) o.timeUnixNano = m.timeUnixNano.toString();
  if (m.durationNano !== 0n) o.durationNano = m.durationNano.toString();
  if (m.periodType !== undefined) o.periodType = valueTypeToJson(m.periodType);
  if (m.period !== 0) o.period = int64ToJson(m.period);
  if (m.profileId.length !== 0) o.profileId = profileIdToJson(m.profileId);
  if (m.droppedAttributesCount !== 0) o.droppedAttributesCount = m.droppedAttributesCount;
  if (m.originalPayloadFormat !== '') o.originalPayloadFormat = m.originalPayloadFormat;
  if (m.originalPayload.length !== 0) o.originalPayload = base64Of(m.originalPayload);
  if (m.attributeIndices.length !== 0) o.attributeIndices = m.attributeIndices.slice();
  return o;
}

function valueTypeToJson(m: ValueType): Json {
  const o: Json = {};
  if (m.typeStrindex !== 0) o.typeStrindex = m.typeStrindex;
  if (m.unitStrindex !== 0) o.unitStrindex = m.unitStrindex;
  return o;
}

function sampleToJson(m: Sample): Json {
  const o: Json = {};
  if (m.stackIndex !== 0) o.stackIndex = m.stackIndex;
  if (m.attributeIndices.length !== 0) o.attributeIndices = m.attributeIndices.slice();
  if (m.linkIndex !== 0) o.linkIndex = m.linkIndex;
  if (m.values.length !== 0) o.values = m.values.map(int64ToJson);
  if (m.timestampsUnixNano.length !== 0) o.timestampsUnixNano = m.timestampsUnixNano.map(bigToJson);
  return o;
}

function mappingToJson(m: Mapping): Json {
  const o: Json = {};
  if (m.memoryStart !== 0n) o.memoryStart = m.memoryStart.toString();
  if (m.memoryLimit !== 0n) o.memoryLimit = m.memoryLimit.toString();
  if (m.fileOffset !== 0n) o.fileOffset = m.fileOffset.toString();
  if (m.filenameStrindex !== 0) o.filenameStrindex = m.filenameStrindex;
  if (m.attributeIndices.length !== 0) o.attributeIndices = m.attributeIndices.slice();
  return o;
}

function stackToJson(m: Stack): Json {
  return m.locationIndices.length === 0 ? {} : { locationIndices: m.locationIndices.slice() };
}

function locationToJson(m: Location): Json {
  const o: Json = {};
  if (m.mappingIndex !== 0) o.mappingIndex = m.mappingIndex;
  if (m.address !== 0n) o.address = m.address.toString();
  if (m.lines.length !== 0) o.lines = m.lines.map(lineToJson);
  if (m.attributeIndices.length !== 0) o.attributeIndices = m.attributeIndices.slice();
  return o;
}

function lineToJson(m: Line): Json {
  const o: Json = {};
  if (m.functionIndex !== 0) o.functionIndex = m.functionIndex;
  if (m.line !== 0) o.line = int64ToJson(m.line);
  if (m.column !== 0) o.column = int64ToJson(m.column);
  return o;
}

function functionToJson(m: ProfileFunction): Json {
  const o: Json = {};
  if (m.nameStrindex !== 0) o.nameStrindex = m.nameStrindex;
  if (m.systemNameStrindex !== 0) o.systemNameStrindex = m.systemNameStrindex;
  if (m.filenameStrindex !== 0) o.filenameStrindex = m.filenameStrindex;
  if (m.startLine !== 0) o.startLine = int64ToJson(m.startLine);
  return o;
}

function linkToJson(m: Link): Json {
  const o: Json = {};
  if (m.traceId.length !== 0) o.traceId = hexOf(m.traceId);
  if (m.spanId.length !== 0) o.spanId = hexOf(m.spanId);
  return o;
}

function keyValueAndUnitToJson(m: KeyValueAndUnit): Json {
  const o: Json = {};
  if (m.keyStrindex !== 0) o.keyStrindex = m.keyStrindex;
  if (m.value !== undefined) o.value = anyValueToJson(m.value);
  if (m.unitStrindex !== 0) o.unitStrindex = m.unitStrindex;
  return o;
}

export function profilesResponseToJsonValue(m: ExportProfilesServiceResponse): Json {
  const o: Json = {};
  const p = m.partialSuccess;
  if (p !== undefined) {
    const ps: Json = {};
    if (p.rejectedProfiles !== 0) ps.rejectedProfiles = int64ToJson(p.rejectedProfiles);
    if (p.errorMessage !== '') ps.errorMessage = p.errorMessage;
    o.partialSuccess = ps;
  }
  return o;
}

// ------------------------------------------------------------------ google.rpc.Status

/**
 * google.rpc.Status. Details are Any messages we hold as bytes without their schema, so
 * each is written as `{"@type": type_url, "value": base64}`; a detail whose bytes are not an
 * Any is left out.
 */
export function rpcStatusToJsonValue(m: RpcStatus): Json {
  const o: Json = {};
  if (m.code !== 0) o.code = m.code;
  if (m.message !== '') o.message = m.message;
  const details: Json[] = [];
  for (const d of m.details) {
    try {
      const any = decodeAnyMessage(d);
      details.push({ '@type': any.typeUrl, value: base64Of(any.value) });
    } catch {
      // not an Any: nothing meaningful to print
    }
  }
  if (details.length !== 0) o.details = details;
  return o;
}
