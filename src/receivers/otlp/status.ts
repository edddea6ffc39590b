// How a failure becomes an answer: one table for both transports, so gRPC and HTTP clients
// get the same retry semantics (OTLP spec: 400 / INVALID_ARGUMENT never retried; 429, 503 /
// UNAVAILABLE retried, honouring Retry-After; RESOURCE_EXHAUSTED retried when the answer
// carries a RetryInfo, which every retryable answer here does).
import { status as GrpcStatus } from '@grpc/grpc-js';
import { BridgeError, ConsumerError, errorMessage } from '../../errors.js';

export interface FailureAnswer {
  httpStatus: number;
  grpcCode: GrpcStatus;
  message: string;
  retryable: boolean;
  retryAfterSeconds?: number;
}

export function answerFor(e: unknown, defaultRetryAfterSeconds: number): FailureAnswer {
  if (e instanceof BridgeError) {
    switch (e.code) {
      case 'ERR_OTLP_DECODE':
      case 'ERR_OTLP_INVALID':
        return { httpStatus: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT, message: e.message, retryable: false };
      case 'ERR_BODY_TOO_LARGE':
      case 'ERR_REQUEST_LIMIT':
        return { httpStatus: 413, grpcCode: GrpcStatus.RESOURCE_EXHAUSTED, message: e.message, retryable: false };
      case 'ERR_UNSUPPORTED_MEDIA_TYPE':
      case 'ERR_UNSUPPORTED_ENCODING':
        return { httpStatus: 415, grpcCode: GrpcStatus.INVALID_ARGUMENT, message: e.message, retryable: false };
      case 'ERR_PIPELINE_FULL':
        // Full (a queue, the join's hold): RESOURCE_EXHAUSTED, the gRPC twin of 429.
        return {
          httpStatus: 429,
          grpcCode: GrpcStatus.RESOURCE_EXHAUSTED,
          message: e.message,
          retryable: true,
          retryAfterSeconds: retryAfterOf(e, defaultRetryAfterSeconds),
        };
      default:
        if (e.retryable) {
          return {
            httpStatus: 503,
            grpcCode: GrpcStatus.UNAVAILABLE,
            message: e.message,
            retryable: true,
            retryAfterSeconds: retryAfterOf(e, defaultRetryAfterSeconds),
          };
        }
        return { httpStatus: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT, message: e.message, retryable: false };
    }
  }
  // Anything unexpected is our fault, not the sender's: let it retry.
  return {
    httpStatus: 503,
    grpcCode: GrpcStatus.UNAVAILABLE,
    message: `internal error: ${errorMessage(e)}`,
    retryable: true,
    retryAfterSeconds: defaultRetryAfterSeconds,
  };
}

function retryAfterOf(e: BridgeError, dflt: number): number {
  return e instanceof ConsumerError && e.retryAfterSeconds !== undefined ? e.retryAfterSeconds : dflt;
}
