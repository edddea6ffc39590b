// The OTLP/JSON mapping, both ways, between parsed JSON values (what JSON.parse returns /
// what JSON.stringify takes) and the model.
//
// Reading: lowerCamelCase keys (snake_case accepted too), traceId/spanId/parentSpanId as hex
// (either case), profileId as 32 hex digits or base64, other bytes as base64, 64-bit
// integers as decimal strings or numbers, enums as integers (names accepted), AnyValue as a
// single-key object (`{}` is the empty value), `null` as absent, unknown keys ignored. Any
// wrong type or value throws DecodeError naming the JSON path, e.g.
// "resourceProfiles[0].scopeProfiles[0].profiles[2].samples[5].values[0]: expected an integer".
//
// Writing: the same conventions, 64-bit integers as decimal strings, default values left out.
import { DecodeError } from '../errors.js';
import type {
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
} from './model.js';
import { JsonContext } from './json/context.js';
import {
  profilesRequestFromJsonValue,
  profilesResponseFromJsonValue,
  rpcStatusFromJsonValue,
  tracesRequestFromJsonValue,
  tracesResponseFromJsonValue,
} from './json/decode.js';
import {
  profilesRequestToJsonValue,
  profilesResponseToJsonValue,
  rpcStatusToJsonValue,
  tracesRequestToJsonValue,
  tracesResponseToJsonValue,
} from './json/encode.js';

function readWith<T>(value: unknown, read: (ctx: JsonContext, v: unknown) => T, what: string): T {
  try {
    return read(new JsonContext(), value);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    if (e instanceof RangeError) throw new DecodeError(`cannot read ${what} from JSON: ${e.message}`, { cause: e });
    throw e;
  }
}

export function tracesRequestFromJson(value: unknown): ExportTraceServiceRequest {
  return readWith(value, tracesRequestFromJsonValue, 'ExportTraceServiceRequest');
}

export function profilesRequestFromJson(value: unknown): ExportProfilesServiceRequest {
  return readWith(value, profilesRequestFromJsonValue, 'ExportProfilesServiceRequest');
}

export function tracesResponseFromJson(value: unknown): ExportTraceServiceResponse {
  return readWith(value, tracesResponseFromJsonValue, 'ExportTraceServiceResponse');
}

export function profilesResponseFromJson(value: unknown): ExportProfilesServiceResponse {
  return readWith(value, profilesResponseFromJsonValue, 'ExportProfilesServiceResponse');
}

export function rpcStatusFromJson(value: unknown): RpcStatus {
  return readWith(value, rpcStatusFromJsonValue, 'google.rpc.Status');
}

export function tracesRequestToJson(req: ExportTraceServiceRequest): unknown {
  return tracesRequestToJsonValue(req);
}

export function profilesRequestToJson(req: ExportProfilesServiceRequest): unknown {
  return profilesRequestToJsonValue(req);
}

export function tracesResponseToJson(res: ExportTraceServiceResponse): unknown {
  return tracesResponseToJsonValue(res);
}

export function profilesResponseToJson(res: ExportProfilesServiceResponse): unknown {
  return profilesResponseToJsonValue(res);
}

export function rpcStatusToJson(s: RpcStatus): unknown {
  return rpcStatusToJsonValue(s);
}
