// The transport-independent part of an OTLP Export call: decode, check content, hand to the
// pipeline, and build the response (partial_success when part of the request was rejected).
import type { Counter } from 'prom-client';
import {
  decodeProfilesRequest,
  decodeTracesRequest,
  encodeProfilesResponse,
  encodeTracesResponse,
  profilesRequestFromJson,
  profilesResponseToJson,
  tracesRequestFromJson,
  tracesResponseToJson,
  validateProfilesRequest,
  validateTracesRequest,
} from '../../otlp/index.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../otlp/model.js';
import { DecodeError } from '../../errors.js';
import { prescanRequest, type LimitsOf } from '../../otlp/prescan/index.js';
import { mergeResults, type ConsumeResult } from '../../component/consumer.js';
import type { ReceiverSinks } from '../../component/factory.js';

export type Signal = 'traces' | 'profiles';
export type BodyFormat = 'proto' | 'json';

export interface ReceiverMetrics {
  /** Items (spans, profiles) received, by signal, transport and outcome. */
  items: Counter<'signal' | 'transport' | 'outcome'>;
  /** Requests by signal, transport and result (ok, partial, refused). */
  requests: Counter<'signal' | 'transport' | 'result'>;
}

export interface ExportOutcome {
  /** Encoded Export*ServiceResponse, in the request's format. */
  body: Uint8Array;
  result: ConsumeResult;
}

function parseJson(body: Uint8Array): unknown {
  if (body.length === 0) throw new DecodeError('empty body is not an OTLP JSON message');
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (e) {
    throw new DecodeError(`body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Checks the per-request limits, decodes, validates and consumes; throws (BridgeError) when the
 * whole request is refused. The limits are checked by an allocation-free pre-scan first, so a
 * body that would decode into millions of objects is refused before it costs more than a scan.
 */
export async function handleExport(
  signal: Signal,
  body: Uint8Array,
  format: BodyFormat,
  sinks: ReceiverSinks,
  metrics: ReceiverMetrics,
  transport: string,
  limits: LimitsOf,
): Promise<ExportOutcome> {
  try {
    prescanRequest(signal, format, body, limits);
    const outcome =
      signal === 'traces'
        ? await exportTraces(body, format, sinks, metrics, transport)
        : await exportProfiles(body, format, sinks, metrics, transport);
    metrics.requests.inc({ signal, transport, result: outcome.result.rejected > 0 ? 'partial' : 'ok' });
    return outcome;
  } catch (e) {
    metrics.requests.inc({ signal, transport, result: 'refused' });
    throw e;
  }
}

async function exportTraces(
  body: Uint8Array,
  format: BodyFormat,
  sinks: ReceiverSinks,
  metrics: ReceiverMetrics,
  transport: string,
): Promise<ExportOutcome> {
  const decoded: ExportTraceServiceRequest = format === 'proto' ? decodeTracesRequest(body) : tracesRequestFromJson(parseJson(body));
  const checked = validateTracesRequest(decoded);
  const spans = countSpans(checked.request);
  let result: ConsumeResult = checked.rejected > 0 ? { rejected: checked.rejected, message: summarize(checked.messages) } : { rejected: 0 };
  if (spans > 0) {
    try {
      result = mergeResults(result, await sinks.traces!.consumeTraces(checked.request));
    } catch (e) {
      metrics.items.inc({ signal: 'traces', transport, outcome: 'refused' }, spans);
      throw e;
    }
  }
  metrics.items.inc({ signal: 'traces', transport, outcome: 'accepted' }, Math.max(0, spans - (result.rejected - checked.rejected)));
  if (result.rejected > 0) metrics.items.inc({ signal: 'traces', transport, outcome: 'rejected' }, result.rejected);
  const response =
    result.rejected > 0 || result.message ? { partialSuccess: { rejectedSpans: result.rejected, errorMessage: result.message ?? '' } } : {};
  return {
    result,
    body: format === 'proto' ? encodeTracesResponse(response) : Buffer.from(JSON.stringify(tracesResponseToJson(response))),
  };
}

async function exportProfiles(
  body: Uint8Array,
  format: BodyFormat,
  sinks: ReceiverSinks,
  metrics: ReceiverMetrics,
  transport: string,
): Promise<ExportOutcome> {
  const decoded: ExportProfilesServiceRequest = format === 'proto' ? decodeProfilesRequest(body) : profilesRequestFromJson(parseJson(body));
  const checked = validateProfilesRequest(decoded);
  const profiles = countProfiles(checked.request);
  let result: ConsumeResult = checked.rejected > 0 ? { rejected: checked.rejected, message: summarize(checked.messages) } : { rejected: 0 };
  if (profiles > 0) {
    try {
      result = mergeResults(result, await sinks.profiles!.consumeProfiles(checked.request));
    } catch (e) {
      metrics.items.inc({ signal: 'profiles', transport, outcome: 'refused' }, profiles);
      throw e;
    }
  }
  metrics.items.inc({ signal: 'profiles', transport, outcome: 'accepted' }, Math.max(0, profiles - (result.rejected - checked.rejected)));
  if (result.rejected > 0) metrics.items.inc({ signal: 'profiles', transport, outcome: 'rejected' }, result.rejected);
  const response =
    result.rejected > 0 || result.message ? { partialSuccess: { rejectedProfiles: result.rejected, errorMessage: result.message ?? '' } } : {};
  return {
    result,
    body: format === 'proto' ? encodeProfilesResponse(response) : Buffer.from(JSON.stringify(profilesResponseToJson(response))),
  };
}

/** Keeps partial_success messages short: OTLP responses should stay small. */
function summarize(messages: string[]): string {
  const head = messages.slice(0, 5).join('; ');
  return messages.length > 5 ? `${head}; and ${messages.length - 5} more` : head;
}

export function countSpans(req: ExportTraceServiceRequest): number {
  let n = 0;
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

export function countProfiles(req: ExportProfilesServiceRequest): number {
  let n = 0;
  for (const rp of req.resourceProfiles) for (const sp of rp.scopeProfiles) n += sp.profiles.length;
  return n;
}
