// Body bytes -> a decoded request with its bad parts removed, the same on every thread: the
// receivers call it inline, the worker pool's tasks call it off the main thread, so the
// messages a sender sees do not depend on where the work ran.
import {
  decodeProfilesRequest,
  decodeTracesRequest,
  profilesRequestFromJson,
  tracesRequestFromJson,
  validateProfilesRequest,
  validateTracesRequest,
  type ValidationResult,
} from '../../otlp/index.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../otlp/model.js';
import { decodeProfilesRequestColumnar, type ColumnarProfilesRequest } from '../../otlp/columns/decode.js';
import type { ColumnsPool } from '../../otlp/columns/samples.js';
import { validateColumnarProfilesRequest } from '../../otlp/validate.js';
import { DecodeError } from '../../errors.js';

export type Signal = 'traces' | 'profiles';
export type BodyFormat = 'proto' | 'json';

export function parseJson(body: Uint8Array): unknown {
  if (body.length === 0) throw new DecodeError('empty body is not an OTLP JSON message');
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (e) {
    throw new DecodeError(`body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Decodes and validates; `request` is the decoded object itself when nothing was removed. */
export function checkedTraces(body: Uint8Array, format: BodyFormat): ValidationResult<ExportTraceServiceRequest> {
  return validateTracesRequest(format === 'proto' ? decodeTracesRequest(body) : tracesRequestFromJson(parseJson(body)));
}

export function checkedProfiles(body: Uint8Array, format: BodyFormat): ValidationResult<ExportProfilesServiceRequest> {
  return validateProfilesRequest(format === 'proto' ? decodeProfilesRequest(body) : profilesRequestFromJson(parseJson(body)));
}

/**
 * checkedProfiles of a protobuf body, its samples decoded as columns (for conversion straight
 * to pprof): the same profiles kept, the same count and messages. `pool` as for
 * decodeProfilesRequestColumnar.
 */
export function checkedProfilesColumnar(body: Uint8Array, pool?: ColumnsPool): ValidationResult<ColumnarProfilesRequest> {
  return validateColumnarProfilesRequest(decodeProfilesRequestColumnar(body, pool));
}

/** Keeps partial_success messages short: OTLP responses should stay small. */
export function summarize(messages: string[]): string {
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
