// The OTLP codec's public surface: the decoded model, protobuf decode/encode, the OTLP/JSON
// mapping, content validation and id helpers, as the library root exports it (`otlp`).
// Inside the bridge, modules import the file that holds what they need.
export type * from './model.js';
export { SpanKind, StatusCode, SpanFlags } from './model.js';
export {
  decodeTracesRequest,
  decodeProfilesRequest,
  decodeTracesResponse,
  decodeProfilesResponse,
  decodeRpcStatus,
  decodeTracesData,
  decodeProfilesData,
} from './decode.js';
export {
  encodeTracesRequest,
  encodeProfilesRequest,
  encodeTracesResponse,
  encodeProfilesResponse,
  encodeRpcStatus,
  encodeTracesData,
  encodeProfilesData,
} from './encode.js';
export {
  tracesRequestFromJson,
  profilesRequestFromJson,
  tracesResponseFromJson,
  profilesResponseFromJson,
  rpcStatusFromJson,
  tracesRequestToJson,
  profilesRequestToJson,
  tracesResponseToJson,
  profilesResponseToJson,
  rpcStatusToJson,
} from './json.js';
export {
  validateProfilesRequest,
  validateTracesRequest,
  profileProblem,
  spanIdProblem,
  DictionaryChecker,
  MAX_MESSAGES,
  type ValidationResult,
} from './validate.js';
export { hexOf, bytesOfHex, isZeroId, spanIdToDecimal, decimalToSpanId } from './ids.js';
export { encodeRetryInfoStatus, retryInfoDelayMs, RETRY_INFO_TYPE } from './retry-info.js';
