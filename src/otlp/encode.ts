// Protobuf encoding of the OTLP messages the bridge sends (the SDK plugin, the OTLP
// exporter) and the responses its receivers answer with. Output is proto3 canonical form:
// fields in number order, zero scalars and empty repeated fields omitted, repeated scalars
// packed. Hand-written for speed (see bench/decode.bench.ts); the wire primitives are in
// wire/writer.ts.
//
// The model is trusted here: numbers are assumed to be integers in range (an int64 held
// as a number is exact only up to 2^53), bigints wrap modulo 2^64 as on the wire.
import type {
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
} from './model.js';
import { encodeProfilesRequestMessage, encodeProfilesResponseMessage } from './wire/encode-profiles.js';
import { encodeTraceRequestMessage, encodeTraceResponseMessage } from './wire/encode-traces.js';
import { encodeRpcStatusMessage } from './wire/rpc-status.js';
import { Writer } from '../protobuf/writer.js';

function encodeWith<T>(m: T, encode: (w: Writer, m: T) => void): Uint8Array {
  const w = new Writer();
  encode(w, m);
  return w.finish();
}

export function encodeTracesRequest(req: ExportTraceServiceRequest): Uint8Array {
  return encodeWith(req, encodeTraceRequestMessage);
}

export function encodeProfilesRequest(req: ExportProfilesServiceRequest): Uint8Array {
  return encodeWith(req, encodeProfilesRequestMessage);
}

export function encodeTracesResponse(res: ExportTraceServiceResponse): Uint8Array {
  return encodeWith(res, encodeTraceResponseMessage);
}

export function encodeProfilesResponse(res: ExportProfilesServiceResponse): Uint8Array {
  return encodeWith(res, encodeProfilesResponseMessage);
}

export function encodeRpcStatus(s: RpcStatus): Uint8Array {
  return encodeWith(s, encodeRpcStatusMessage);
}

/** TracesData (the storage form) has the request's field numbers. */
export const encodeTracesData: (req: ExportTraceServiceRequest) => Uint8Array = encodeTracesRequest;
/** ProfilesData (the storage form) has the request's field numbers. */
export const encodeProfilesData: (req: ExportProfilesServiceRequest) => Uint8Array = encodeProfilesRequest;
