// Protobuf decoding of the OTLP messages the bridge receives and the responses it reads
// back from the collectors it exports to. The per-message decoders are generated from
// proto/ (src/generated/otlp/decode.ts, by scripts/gen-otlp-codec.mjs) in the shape that
// bench/decode.bench.ts showed fastest; the wire primitives are in src/protobuf/reader.ts.
//
// Decoded `bytes` fields are fresh plain Uint8Arrays (copies, never views into `buf`), so
// keeping an id does not keep a request buffer alive.
//
// Every function throws DecodeError (code ERR_OTLP_DECODE) and nothing else for bad bytes:
// truncation, malformed varints, invalid wire types, unmatched groups, nesting deeper than
// 100 levels. Each decoder reads fields until `r.limit`, switching on the whole tag (field
// number and wire type), so a known field sent with an unexpected wire type is skipped like
// an unknown one. Repeated scalars are accepted packed or not; a singular embedded message
// sent twice is merged into the first, as protobuf specifies (scalars overwritten, repeated
// fields appended, sub-messages merged in turn; for AnyValue, a oneof, a later member
// replaces an earlier one unless both are the same message kind, which is merged). Faults
// name the message and field (see `locate` in src/protobuf/reader.ts). Content rules (index ranges,
// id lengths) are not checked here: see validate.ts.
//
// TracesData and ProfilesData use the same field numbers as the export requests, so the
// same functions read them (aliases below).
import {
  decodeExportProfilesServiceRequest,
  decodeExportProfilesServiceResponse,
  decodeExportTraceServiceRequest,
  decodeExportTraceServiceResponse,
  decodeRpcStatus as decodeRpcStatusMessage,
} from '../generated/otlp/decode.js';
import { readingInput } from './bad-input.js';
import { Reader } from '../protobuf/reader.js';

/** A whole-buffer decoder for one message; `what` names it in errors. */
function decoder<T>(decode: (r: Reader) => T, what: string): (buf: Uint8Array) => T {
  return (buf) => readingInput(`cannot decode ${what}`, () => decode(new Reader(buf)));
}

export const decodeTracesRequest = decoder(decodeExportTraceServiceRequest, 'ExportTraceServiceRequest');
export const decodeProfilesRequest = decoder(decodeExportProfilesServiceRequest, 'ExportProfilesServiceRequest');
export const decodeTracesResponse = decoder(decodeExportTraceServiceResponse, 'ExportTraceServiceResponse');
export const decodeProfilesResponse = decoder(decodeExportProfilesServiceResponse, 'ExportProfilesServiceResponse');
export const decodeRpcStatus = decoder(decodeRpcStatusMessage, 'google.rpc.Status');

/** TracesData (the storage form) has the request's field numbers. */
export const decodeTracesData = decodeTracesRequest;
/** ProfilesData (the storage form) has the request's field numbers. */
export const decodeProfilesData = decodeProfilesRequest;
