// Protobuf encoding of the OTLP messages the bridge sends (the SDK plugin, the OTLP
// exporter) and the responses its receivers answer with. Output is proto3 canonical form:
// fields in number order, zero scalars and empty repeated fields omitted, repeated scalars
// packed; an embedded message is written whenever it is present (even when empty, since
// presence is meaningful for message fields), and an AnyValue writes its one set member even
// when that member is a zero value. The per-message encoders are generated from proto/
// (src/generated/otlp/encode.ts, by scripts/gen-otlp-codec.mjs); the wire primitives are in
// src/protobuf/writer.ts.
//
// The model is trusted here: numbers are assumed to be integers in range (an int64 held
// as a number is exact only up to 2^53), bigints wrap modulo 2^64 as on the wire.
import {
  encodeExportProfilesServiceRequest,
  encodeExportProfilesServiceResponse,
  encodeExportTraceServiceRequest,
  encodeExportTraceServiceResponse,
  encodeRpcStatus as encodeRpcStatusMessage,
} from '../generated/otlp/encode.js';
import { Writer } from '../protobuf/writer.js';

/** A whole-message encoder from a body encoder. */
function encoder<T>(encode: (w: Writer, m: T) => void): (m: T) => Uint8Array {
  return (m) => {
    const w = new Writer();
    encode(w, m);
    return w.finish();
  };
}

export const encodeTracesRequest = encoder(encodeExportTraceServiceRequest);
export const encodeProfilesRequest = encoder(encodeExportProfilesServiceRequest);
export const encodeTracesResponse = encoder(encodeExportTraceServiceResponse);
export const encodeProfilesResponse = encoder(encodeExportProfilesServiceResponse);
export const encodeRpcStatus = encoder(encodeRpcStatusMessage);

/** TracesData (the storage form) has the request's field numbers. */
export const encodeTracesData = encodeTracesRequest;
/** ProfilesData (the storage form) has the request's field numbers. */
export const encodeProfilesData = encodeProfilesRequest;
