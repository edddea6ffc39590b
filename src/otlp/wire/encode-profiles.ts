// Encoders for opentelemetry.proto.profiles.v1development and the profiles collector
// service messages. Conventions: see encode-common.ts.
import type {
  ExportProfilesPartialSuccess,
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  Function as ProfileFunction,
  KeyValueAndUnit,
  Line,
  Link,
  Location,
  Mapping,
  Profile,
  ProfilesDictionary,
  ResourceProfiles,
  Sample,
  ScopeProfiles,
  Stack,
  ValueType,
} from '../model.js';
import { encodeAnyValue, encodeResource, encodeScope, writeMessage } from './encode-common.js';
import type { Writer } from '../../protobuf/writer.js';

export function encodeProfilesRequestMessage(w: Writer, m: ExportProfilesServiceRequest): void {
  for (const rp of m.resourceProfiles) writeMessage(w, 10, rp, encodeResourceProfiles);
  writeMessage(w, 18, m.dictionary, encodeDictionary);
}

function encodeDictionary(w: Writer, m: ProfilesDictionary): void {
  for (const x of m.mappingTable) writeMessage(w, 10, x, encodeMapping);
  const locations = m.locationTable;
  for (let i = 0; i < locations.length; i++) {
    w.tag(18);
    const s = w.fork();
    encodeLocation(w, locations[i]!);
    w.join(s);
  }
  const functions = m.functionTable;
  for (let i = 0; i < functions.length; i++) {
    w.tag(26);
    const s = w.fork();
    encodeFunction(w, functions[i]!);
    w.join(s);
  }
  for (const x of m.linkTable) writeMessage(w, 34, x, encodeLink);
  const strings = m.stringTable;
  for (let i = 0; i < strings.length; i++) {
    w.tag(42);
    w.string(strings[i]!);
  }
  for (const x of m.attributeTable) writeMessage(w, 50, x, encodeKeyValueAndUnit);
  const stacks = m.stackTable;
  for (let i = 0; i < stacks.length; i++) {
    w.tag(58);
    const s = w.fork();
    encodeStack(w, stacks[i]!);
    w.join(s);
  }
}

function encodeResourceProfiles(w: Writer, m: ResourceProfiles): void {
  writeMessage(w, 10, m.resource, encodeResource);
  for (const sp of m.scopeProfiles) writeMessage(w, 18, sp, encodeScopeProfiles);
  if (m.schemaUrl !== '') {
    w.tag(26);
    w.string(m.schemaUrl);
  }
}

function encodeScopeProfiles(w: Writer, m: ScopeProfiles): void {
  writeMessage(w, 10, m.scope, encodeScope);
  for (const p of m.profiles) writeMessage(w, 18, p, encodeProfile);
  if (m.schemaUrl !== '') {
    w.tag(26);
    w.string(m.schemaUrl);
  }
}

function encodeProfile(w: Writer, m: Profile): void {
  writeMessage(w, 10, m.sampleType, encodeValueType);
  const samples = m.samples;
  for (let i = 0; i < samples.length; i++) {
    w.tag(18);
    const s = w.fork();
    encodeSample(w, samples[i]!);
    w.join(s);
  }
  if (m.timeUnixNano !== 0n) {
    w.tag(25);
    w.fixed64Big(m.timeUnixNano);
  }
  if (m.durationNano !== 0n) {
    w.tag(32);
    w.varintBig(m.durationNano);
  }
  writeMessage(w, 42, m.periodType, encodeValueType);
  if (m.period !== 0) {
    w.tag(48);
    w.int64Number(m.period);
  }
  if (m.profileId.length !== 0) {
    w.tag(58);
    w.bytes(m.profileId);
  }
  if (m.droppedAttributesCount !== 0) {
    w.tag(64);
    w.varint32(m.droppedAttributesCount >>> 0);
  }
  if (m.originalPayloadFormat !== '') {
    w.tag(74);
    w.string(m.originalPayloadFormat);
  }
  if (m.originalPayload.length !== 0) {
    w.tag(82);
    w.bytes(m.originalPayload);
  }
  w.packedInt32(90, m.attributeIndices);
}

function encodeValueType(w: Writer, m: ValueType): void {
  if (m.typeStrindex !== 0) {
    w.tag(8);
    w.int32(m.typeStrindex);
  }
  if (m.unitStrindex !== 0) {
    w.tag(16);
    w.int32(m.unitStrindex);
  }
}

function encodeSample(w: Writer, m: Sample): void {
  if (m.stackIndex !== 0) {
    w.tag(8);
    w.int32(m.stackIndex);
  }
  w.packedInt32(18, m.attributeIndices);
  if (m.linkIndex !== 0) {
    w.tag(24);
    w.int32(m.linkIndex);
  }
  w.packedInt64Number(34, m.values);
  w.packedFixed64Big(42, m.timestampsUnixNano);
}

function encodeMapping(w: Writer, m: Mapping): void {
  if (m.memoryStart !== 0n) {
    w.tag(8);
    w.varintBig(m.memoryStart);
  }
  if (m.memoryLimit !== 0n) {
    w.tag(16);
    w.varintBig(m.memoryLimit);
  }
  if (m.fileOffset !== 0n) {
    w.tag(24);
    w.varintBig(m.fileOffset);
  }
  if (m.filenameStrindex !== 0) {
    w.tag(32);
    w.int32(m.filenameStrindex);
  }
  w.packedInt32(42, m.attributeIndices);
}

function encodeStack(w: Writer, m: Stack): void {
  w.packedInt32(10, m.locationIndices);
}

function encodeLocation(w: Writer, m: Location): void {
  if (m.mappingIndex !== 0) {
    w.tag(8);
    w.int32(m.mappingIndex);
  }
  if (m.address !== 0n) {
    w.tag(16);
    w.varintBig(m.address);
  }
  const lines = m.lines;
  for (let i = 0; i < lines.length; i++) {
    w.tag(26);
    const s = w.fork();
    encodeLine(w, lines[i]!);
    w.join(s);
  }
  w.packedInt32(34, m.attributeIndices);
}

function encodeLine(w: Writer, m: Line): void {
  if (m.functionIndex !== 0) {
    w.tag(8);
    w.int32(m.functionIndex);
  }
  if (m.line !== 0) {
    w.tag(16);
    w.int64Number(m.line);
  }
  if (m.column !== 0) {
    w.tag(24);
    w.int64Number(m.column);
  }
}

function encodeFunction(w: Writer, m: ProfileFunction): void {
  if (m.nameStrindex !== 0) {
    w.tag(8);
    w.int32(m.nameStrindex);
  }
  if (m.systemNameStrindex !== 0) {
    w.tag(16);
    w.int32(m.systemNameStrindex);
  }
  if (m.filenameStrindex !== 0) {
    w.tag(24);
    w.int32(m.filenameStrindex);
  }
  if (m.startLine !== 0) {
    w.tag(32);
    w.int64Number(m.startLine);
  }
}

function encodeLink(w: Writer, m: Link): void {
  if (m.traceId.length !== 0) {
    w.tag(10);
    w.bytes(m.traceId);
  }
  if (m.spanId.length !== 0) {
    w.tag(18);
    w.bytes(m.spanId);
  }
}

function encodeKeyValueAndUnit(w: Writer, m: KeyValueAndUnit): void {
  if (m.keyStrindex !== 0) {
    w.tag(8);
    w.int32(m.keyStrindex);
  }
  writeMessage(w, 18, m.value, encodeAnyValue);
  if (m.unitStrindex !== 0) {
    w.tag(24);
    w.int32(m.unitStrindex);
  }
}

export function encodeProfilesResponseMessage(w: Writer, m: ExportProfilesServiceResponse): void {
  writeMessage(w, 10, m.partialSuccess, encodePartialSuccess);
}

function encodePartialSuccess(w: Writer, m: ExportProfilesPartialSuccess): void {
  if (m.rejectedProfiles !== 0) {
    w.tag(8);
    w.int64Number(m.rejectedProfiles);
  }
  if (m.errorMessage !== '') {
    w.tag(18);
    w.string(m.errorMessage);
  }
}
