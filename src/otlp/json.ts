// The OTLP/JSON mapping, both ways, between parsed JSON values (what JSON.parse returns /
// what JSON.stringify takes) and the model. The per-message readers and writers are
// generated from proto/ (src/generated/otlp/json-decode.ts and json-encode.ts, by
// scripts/gen-otlp-codec.mjs); the scalar forms are in json/scalars.ts, google.rpc.Status
// (whose details are Any messages) in json/rpc-status.ts.
//
// Reading: lowerCamelCase keys (snake_case accepted too), traceId/spanId/parentSpanId as hex
// (either case), profileId as 32 hex digits or base64, other bytes as base64, 64-bit
// integers as decimal strings or numbers, enums as integers (names accepted), AnyValue as a
// single-key object (`{}` is the empty value), `null` as absent, unknown keys ignored. Each
// reader walks the object's own keys once with a switch. Any wrong type or value throws
// DecodeError naming the JSON path, e.g.
// "resourceProfiles[0].scopeProfiles[0].profiles[2].samples[5].values[0]: expected an integer".
//
// Writing: lowerCamelCase keys in field-number order, 64-bit integers as decimal strings,
// zero scalars and empty repeated fields left out (as the Collector and the protobuf JSON
// printers do by default), present sub-messages always written, an AnyValue's one member
// written even when it is a zero value.
import {
  exportProfilesServiceRequestFromJson,
  exportProfilesServiceResponseFromJson,
  exportTraceServiceRequestFromJson,
  exportTraceServiceResponseFromJson,
} from '../generated/otlp/json-decode.js';
import {
  exportProfilesServiceRequestToJson,
  exportProfilesServiceResponseToJson,
  exportTraceServiceRequestToJson,
  exportTraceServiceResponseToJson,
} from '../generated/otlp/json-encode.js';
import type {
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
} from './model.js';
import { readingInput } from './bad-input.js';
import { JsonContext } from './json/context.js';
import { rpcStatusFromJson as rpcStatusFromJsonValue, rpcStatusToJson as rpcStatusToJsonValue } from './json/rpc-status.js';

/** A reader of one message from a parsed JSON value; `what` names it in errors. */
function reader<T>(read: (ctx: JsonContext, v: unknown) => T, what: string): (value: unknown) => T {
  return (value) => readingInput(`cannot read ${what} from JSON`, () => read(new JsonContext(), value));
}

/** A writer of one message; the result is a plain value for JSON.stringify. */
type ToJson<T> = (m: T) => unknown;

export const tracesRequestFromJson = reader(exportTraceServiceRequestFromJson, 'ExportTraceServiceRequest');
export const profilesRequestFromJson = reader(exportProfilesServiceRequestFromJson, 'ExportProfilesServiceRequest');
export const tracesResponseFromJson = reader(exportTraceServiceResponseFromJson, 'ExportTraceServiceResponse');
export const profilesResponseFromJson = reader(exportProfilesServiceResponseFromJson, 'ExportProfilesServiceResponse');
export const rpcStatusFromJson = reader(rpcStatusFromJsonValue, 'google.rpc.Status');

export const tracesRequestToJson: ToJson<ExportTraceServiceRequest> = exportTraceServiceRequestToJson;
export const profilesRequestToJson: ToJson<ExportProfilesServiceRequest> = exportProfilesServiceRequestToJson;
export const tracesResponseToJson: ToJson<ExportTraceServiceResponse> = exportTraceServiceResponseToJson;
export const profilesResponseToJson: ToJson<ExportProfilesServiceResponse> = exportProfilesServiceResponseToJson;
export const rpcStatusToJson: ToJson<RpcStatus> = rpcStatusToJsonValue;
