// Protobuf decoding of the OTLP messages the bridge receives and the responses it reads
// back from the collectors it exports to. Hand-written for speed (see
// bench/decode.bench.ts); the wire primitives are in wire/reader.ts.
//
// Decoded `bytes` fields are fresh plain Uint8Arrays (copies, never views into `buf`), so
// keeping an id does not keep a request buffer alive.
//
// Every function throws DecodeError (code ERR_OTLP_DECODE) and nothing else for bad bytes:
// truncation, malformed varints, invalid wire types, unmatched groups, nesting deeper than
// 100 levels. Unknown fields are skipped; repeated scalars are accepted packed or not; a
// singular embedded message sent twice is merged, as protobuf specifies. Content rules
// (index ranges, id lengths) are not checked here: see validate.ts.
//
// TracesData and ProfilesData use the same field numbers as the export requests, so the
// same functions read them (aliases below).
import { DecodeError } from '../errors.js';
import type {
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
} from './model.js';
import { decodeProfilesRequestMessage, decodeProfilesResponseMessage } from './wire/decode-profiles.js';
import { decodeTraceRequestMessage, decodeTraceResponseMessage } from './wire/decode-traces.js';
import { Reader } from '../protobuf/reader.js';
import { decodeRpcStatusMessage } from './wire/rpc-status.js';

function decodeWith<T>(buf: Uint8Array, decode: (r: Reader) => T, what: string): T {
  try {
    return decode(new Reader(buf));
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    // A RangeError here means the input drove us past a runtime limit (call stack, array
    // length); it is still bad input from the caller's point of view.
    if (e instanceof RangeError) throw new DecodeError(`cannot decode ${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

export function decodeTracesRequest(buf: Uint8Array): ExportTraceServiceRequest {
  return decodeWith(buf, decodeTraceRequestMessage, 'ExportTraceServiceRequest');
}

export function decodeProfilesRequest(buf: Uint8Array): ExportProfilesServiceRequest {
  return decodeWith(buf, decodeProfilesRequestMessage, 'ExportProfilesServiceRequest');
}

export function decodeTracesResponse(buf: Uint8Array): ExportTraceServiceResponse {
  return decodeWith(buf, decodeTraceResponseMessage, 'ExportTraceServiceResponse');
}

export function decodeProfilesResponse(buf: Uint8Array): ExportProfilesServiceResponse {
  return decodeWith(buf, decodeProfilesResponseMessage, 'ExportProfilesServiceResponse');
}

export function decodeRpcStatus(buf: Uint8Array): RpcStatus {
  return decodeWith(buf, decodeRpcStatusMessage, 'google.rpc.Status');
}

/** TracesData (the storage form) has the request's field numbers. */
export const decodeTracesData: (buf: Uint8Array) => ExportTraceServiceRequest = decodeTracesRequest;
/** ProfilesData (the storage form) has the request's field numbers. */
export const decodeProfilesData: (buf: Uint8Array) => ExportProfilesServiceRequest = decodeProfilesRequest;
