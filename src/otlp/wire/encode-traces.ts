// Encoders for opentelemetry.proto.trace.v1 and the trace collector service messages.
// Conventions: see encode-common.ts.
import type {
  ExportTracePartialSuccess,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  ResourceSpans,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  Status,
} from '../model.js';
import { encodeResource, encodeScope, writeKeyValues, writeMessage } from './encode-common.js';
import type { Writer } from '../../protobuf/writer.js';

export function encodeTraceRequestMessage(w: Writer, m: ExportTraceServiceRequest): void {
  for (const rs of m.resourceSpans) writeMessage(w, 10, rs, encodeResourceSpans);
}

function encodeResourceSpans(w: Writer, m: ResourceSpans): void {
  writeMessage(w, 10, m.resource, encodeResource);
  for (const ss of m.scopeSpans) writeMessage(w, 18, ss, encodeScopeSpans);
  if (m.schemaUrl !== '') {
    w.tag(26);
    w.string(m.schemaUrl);
  }
}

function encodeScopeSpans(w: Writer, m: ScopeSpans): void {
  writeMessage(w, 10, m.scope, encodeScope);
  const spans = m.spans;
  for (let i = 0; i < spans.length; i++) {
    w.tag(18);
    const s = w.fork();
    encodeSpan(w, spans[i]!);
    w.join(s);
  }
  if (m.schemaUrl !== '') {
    w.tag(26);
    w.string(m.schemaUrl);
  }
}

function encodeSpan(w: Writer, m: Span): void {
  if (m.traceId.length !== 0) {
    w.tag(10);
    w.bytes(m.traceId);
  }
  if (m.spanId.length !== 0) {
    w.tag(18);
    w.bytes(m.spanId);
  }
  if (m.traceState !== '') {
    w.tag(26);
    w.string(m.traceState);
  }
  if (m.parentSpanId.length !== 0) {
    w.tag(34);
    w.bytes(m.parentSpanId);
  }
  if (m.name !== '') {
    w.tag(42);
    w.string(m.name);
  }
  if (m.kind !== 0) {
    w.tag(48);
    w.int32(m.kind);
  }
  if (m.startTimeUnixNano !== 0n) {
    w.tag(57);
    w.fixed64Big(m.startTimeUnixNano);
  }
  if (m.endTimeUnixNano !== 0n) {
    w.tag(65);
    w.fixed64Big(m.endTimeUnixNano);
  }
  writeKeyValues(w, 74, m.attributes);
  if (m.droppedAttributesCount !== 0) {
    w.tag(80);
    w.varint32(m.droppedAttributesCount >>> 0);
  }
  for (const e of m.events) writeMessage(w, 90, e, encodeEvent);
  if (m.droppedEventsCount !== 0) {
    w.tag(96);
    w.varint32(m.droppedEventsCount >>> 0);
  }
  for (const l of m.links) writeMessage(w, 106, l, encodeLink);
  if (m.droppedLinksCount !== 0) {
    w.tag(112);
    w.varint32(m.droppedLinksCount >>> 0);
  }
  writeMessage(w, 122, m.status, encodeStatus);
  if (m.flags !== 0) {
    w.tag(133);
    w.fixed32(m.flags);
  }
}

function encodeEvent(w: Writer, m: SpanEvent): void {
  if (m.timeUnixNano !== 0n) {
    w.tag(9);
    w.fixed64Big(m.timeUnixNano);
  }
  if (m.name !== '') {
    w.tag(18);
    w.string(m.name);
  }
  writeKeyValues(w, 26, m.attributes);
  if (m.droppedAttributesCount !== 0) {
    w.tag(32);
    w.varint32(m.droppedAttributesCount >>> 0);
  }
}

function encodeLink(w: Writer, m: SpanLink): void {
  if (m.traceId.length !== 0) {
    w.tag(10);
    w.bytes(m.traceId);
  }
  if (m.spanId.length !== 0) {
    w.tag(18);
    w.bytes(m.spanId);
  }
  if (m.traceState !== '') {
    w.tag(26);
    w.string(m.traceState);
  }
  writeKeyValues(w, 34, m.attributes);
  if (m.droppedAttributesCount !== 0) {
    w.tag(40);
    w.varint32(m.droppedAttributesCount >>> 0);
  }
  if (m.flags !== 0) {
    w.tag(53);
    w.fixed32(m.flags);
  }
}

function encodeStatus(w: Writer, m: Status): void {
  if (m.message !== '') {
    w.tag(18);
    w.string(m.message);
  }
  if (m.code !== 0) {
    w.tag(24);
    w.int32(m.code);
  }
}

export function encodeTraceResponseMessage(w: Writer, m: ExportTraceServiceResponse): void {
  writeMessage(w, 10, m.partialSuccess, encodePartialSuccess);
}

function encodePartialSuccess(w: Writer, m: ExportTracePartialSuccess): void {
  if (m.rejectedSpans !== 0) {
    w.tag(8);
    w.int64Number(m.rejectedSpans);
  }
  if (m.errorMessage !== '') {
    w.tag(18);
    w.string(m.errorMessage);
  }
}
