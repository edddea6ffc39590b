// Errors as they cross a thread boundary: structured cloning keeps an Error's message but not
// its class, so a bridge error is sent as its parts and rebuilt with the same class, code,
// retryability and Retry-After. The receivers' status mapping (receivers/otlp/status.ts) then
// answers exactly as if the work had run on the main thread.
import { BridgeError, ConsumerError, DecodeError, InvalidDataError, RequestLimitError, errorMessage, type ErrorCode } from '../errors.js';

export interface WireError {
  name: string;
  message: string;
  code?: ErrorCode;
  retryable?: boolean;
  retryAfterSeconds?: number;
  /** RequestLimitError's limit key. */
  limit?: string;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof BridgeError) {
    return {
      name: e.name,
      message: e.message,
      code: e.code,
      retryable: e.retryable,
      ...(e instanceof ConsumerError && e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}),
      ...(e instanceof RequestLimitError ? { limit: e.limit } : {}),
    };
  }
  return { name: e instanceof Error ? e.name : 'Error', message: errorMessage(e) };
}

export function fromWireError(w: WireError): Error {
  if (w.code === undefined) return new Error(w.message);
  switch (w.name) {
    case 'DecodeError':
      return new DecodeError(w.message);
    case 'InvalidDataError':
      return new InvalidDataError(w.message);
    case 'RequestLimitError':
      return new RequestLimitError(w.limit ?? '', w.message);
    case 'ConsumerError':
      return new ConsumerError(w.code, w.message, { retryable: w.retryable ?? false, retryAfterSeconds: w.retryAfterSeconds });
    default:
      return new BridgeError(w.code, w.message, { retryable: w.retryable ?? false });
  }
}
