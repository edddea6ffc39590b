// Decoders for opentelemetry.proto.trace.v1 and the trace collector service messages.
// Conventions (merging, wire-type checks, fault location): see decode-common.ts.
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
import { decodeGroup, decodeResource, decodeScope, readKeyValue } from './decode-common.js';
import { type Reader, locate, messageInfo } from '../../protobuf/reader.js';

const REQUEST = messageInfo('ExportTraceServiceRequest', { 1: 'resource_spans' });
const RESOURCE_SPANS = messageInfo('ResourceSpans', { 1: 'resource', 2: 'scope_spans', 3: 'schema_url' });
const SCOPE_SPANS = messageInfo('ScopeSpans', { 1: 'scope', 2: 'spans', 3: 'schema_url' });
const SPAN = messageInfo('Span', {
  1: 'trace_id',
  2: 'span_id',
  3: 'trace_state',
  4: 'parent_span_id',
  5: 'name',
  6: 'kind',
  7: 'start_time_unix_nano',
  8: 'end_time_unix_nano',
  9: 'attributes',
  10: 'dropped_attributes_count',
  11: 'events',
  12: 'dropped_events_count',
  13: 'links',
  14: 'dropped_links_count',
  15: 'status',
  16: 'flags',
});
const EVENT = messageInfo('Span.Event', { 1: 'time_unix_nano', 2: 'name', 3: 'attributes', 4: 'dropped_attributes_count' });
const LINK = messageInfo('Span.Link', {
  1: 'trace_id',
  2: 'span_id',
  3: 'trace_state',
  4: 'attributes',
  5: 'dropped_attributes_count',
  6: 'flags',
});
const STATUS = messageInfo('Status', { 2: 'message', 3: 'code' });
const RESPONSE = messageInfo('ExportTraceServiceResponse', { 1: 'partial_success' });
const PARTIAL = messageInfo('ExportTracePartialSuccess', { 1: 'rejected_spans', 2: 'error_message' });

const EMPTY = new Uint8Array(0);

export function decodeTraceRequestMessage(r: Reader): ExportTraceServiceRequest {
  const m: ExportTraceServiceRequest = { resourceSpans: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) {
        const saved = r.enter();
        m.resourceSpans.push(decodeResourceSpans(r));
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, REQUEST, tag);
  }
  return m;
}

function decodeResourceSpans(r: Reader): ResourceSpans {
  const g = decodeGroup(r, RESOURCE_SPANS, decodeResource, decodeScopeSpans);
  const m: ResourceSpans = { scopeSpans: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.resource = g.head;
  return m;
}

function decodeScopeSpans(r: Reader): ScopeSpans {
  const g = decodeGroup(r, SCOPE_SPANS, decodeScope, decodeSpan);
  const m: ScopeSpans = { spans: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.scope = g.head;
  return m;
}

function decodeSpan(r: Reader): Span {
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
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          m.traceId = r.bytes();
          break;
        case 18:
          m.spanId = r.bytes();
          break;
        case 26:
          m.traceState = r.string();
          break;
        case 34:
          m.parentSpanId = r.bytes();
          break;
        case 42:
          m.name = r.string();
          break;
        case 48:
          m.kind = r.int32();
          break;
        case 57:
          m.startTimeUnixNano = r.fixed64Big();
          break;
        case 65:
          m.endTimeUnixNano = r.fixed64Big();
          break;
        case 74:
          readKeyValue(r, m.attributes);
          break;
        case 80:
          m.droppedAttributesCount = r.uint32();
          break;
        case 90: {
          const saved = r.enter();
          m.events.push(decodeEvent(r));
          r.leave(saved);
          break;
        }
        case 96:
          m.droppedEventsCount = r.uint32();
          break;
        case 106: {
          const saved = r.enter();
          m.links.push(decodeLink(r));
          r.leave(saved);
          break;
        }
        case 112:
          m.droppedLinksCount = r.uint32();
          break;
        case 122: {
          const saved = r.enter();
          m.status = decodeStatus(r, m.status);
          r.leave(saved);
          break;
        }
        case 133:
          m.flags = r.fixed32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, SPAN, tag);
  }
  return m;
}

function decodeEvent(r: Reader): SpanEvent {
  const m: SpanEvent = { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 9:
          m.timeUnixNano = r.fixed64Big();
          break;
        case 18:
          m.name = r.string();
          break;
        case 26:
          readKeyValue(r, m.attributes);
          break;
        case 32:
          m.droppedAttributesCount = r.uint32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, EVENT, tag);
  }
  return m;
}

function decodeLink(r: Reader): SpanLink {
  const m: SpanLink = {
    traceId: EMPTY,
    spanId: EMPTY,
    traceState: '',
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
  };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          m.traceId = r.bytes();
          break;
        case 18:
          m.spanId = r.bytes();
          break;
        case 26:
          m.traceState = r.string();
          break;
        case 34:
          readKeyValue(r, m.attributes);
          break;
        case 40:
          m.droppedAttributesCount = r.uint32();
          break;
        case 53:
          m.flags = r.fixed32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, LINK, tag);
  }
  return m;
}

function decodeStatus(r: Reader, into?: Status): Status {
  const m: Status = into ?? { message: '', code: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 18:
          m.message = r.string();
          break;
        case 24:
          m.code = r.int32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, STATUS, tag);
  }
  return m;
}

export function decodeTraceResponseMessage(r: Reader): ExportTraceServiceResponse {
  const m: ExportTraceServiceResponse = {};
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) {
        const saved = r.enter();
        m.partialSuccess = decodePartialSuccess(r, m.partialSuccess);
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, RESPONSE, tag);
  }
  return m;
}

function decodePartialSuccess(r: Reader, into?: ExportTracePartialSuccess): ExportTracePartialSuccess {
  const m: ExportTracePartialSuccess = into ?? { rejectedSpans: 0, errorMessage: '' };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.rejectedSpans = r.int64Number();
          break;
        case 18:
          m.errorMessage = r.string();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, PARTIAL, tag);
  }
  return m;
}
