// The one OTLP client of the project, used by the SDK plugin and the exporters: HTTP and
// gRPC transports, the retry rules, Retry-After / RetryInfo, backoff, and one result type.
export { permanent, retryable, success, SUCCESS, type ExportResult, type PartialRejection } from '../component/result.js';
export {
  backoffDelay,
  GRPC_CODES,
  intakeRetryableStatus,
  isRetryableGrpcCode,
  otlpRetryableStatus,
  parseRetryAfter,
  retryDelayOf,
  type BackoffPolicy,
  type HttpRetryRule,
  type MetadataLike,
} from './retry.js';
export {
  bodyText,
  failureOf,
  httpPost,
  isHttpResponse,
  MAX_REDIRECTS,
  MAX_RESPONSE_BYTES,
  resultOfResponse,
  type HttpPost,
  type HttpResponse,
} from './http.js';
export { GrpcUnaryClient, grpcAddress, grpcCodeName, isGrpcOk, resultOfGrpcError, type GrpcCallOutcome, type GrpcTarget } from './grpc.js';
export {
  describeOtlpError,
  GrpcSender,
  HttpSender,
  OTLP_GRPC_METHODS,
  OTLP_HTTP_PATHS,
  type GrpcSenderOptions,
  type HttpSenderOptions,
  type OtlpSender,
  type OtlpSignal,
  type SendOptions,
} from './otlp.js';
export { clipText, MAX_MESSAGE_CHARS } from './text.js';
