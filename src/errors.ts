// Error classes with stable string codes. Tests and callers assert on `code`, never on
// message text. `retryable` tells a receiver which status to answer with and an exporter
// whether to try again.

export type ErrorCode =
  | 'ERR_OTLP_DECODE'
  | 'ERR_OTLP_INVALID'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_REQUEST_LIMIT'
  | 'ERR_BAD_REQUEST'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_UNSUPPORTED_ENCODING'
  | 'ERR_CONFIG'
  | 'ERR_INSECURE_BIND'
  | 'ERR_PIPELINE_FULL'
  | 'ERR_PIPELINE_UNAVAILABLE'
  | 'ERR_PPROF_CONVERT'
  | 'ERR_EXPORT_PERMANENT'
  | 'ERR_EXPORT_RETRYABLE'
  | 'ERR_QUERY'
  | 'ERR_STORE'
  | 'ERR_INPUT';

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message: string, options?: { retryable?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** Bytes that are not a valid protobuf / JSON encoding of the expected message. */
export class DecodeError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OTLP_DECODE', message, options);
  }
}

/** A well-formed message whose content breaks an OTLP rule (e.g. an index out of range). */
export class InvalidDataError extends BridgeError {
  constructor(message: string) {
    super('ERR_OTLP_INVALID', message);
  }
}

export class BodyTooLargeError extends BridgeError {
  readonly limit: number;
  constructor(limit: number) {
    super('ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes (measured after decompression)`);
    this.limit = limit;
  }
}

/**
 * A request over one of the receiver's per-request limits (messages, samples, strings,
 * attributes, nesting), found by the pre-scan before the real decode.
 */
export class RequestLimitError extends BridgeError {
  /** Which limit, as its config key (e.g. `max_messages`). */
  readonly limit: string;
  constructor(limit: string, message: string) {
    super('ERR_REQUEST_LIMIT', message);
    this.limit = limit;
  }
}

/** An HTTP request the server cannot route: a malformed request target or Host header. */
export class BadRequestError extends BridgeError {
  constructor(message: string) {
    super('ERR_BAD_REQUEST', message);
  }
}

export class ConfigError extends BridgeError {
  constructor(message: string) {
    super('ERR_CONFIG', message);
  }
}

/**
 * A consumer refused data. `retryable` = the sender should try again later (back-pressure,
 * a full queue, shutting down); otherwise the data is bad and retrying will not help.
 */
export class ConsumerError extends BridgeError {
  /** Seconds the sender should wait before retrying, when known. */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, options: { retryable: boolean; retryAfterSeconds?: number; cause?: unknown }) {
    super(code, message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Where a profile sits in its request: resource_profiles[r].scope_profiles[s].profiles[p]. */
export interface ProfilePosition {
  resourceIndex: number;
  scopeIndex: number;
  profileIndex: number;
}

/**
 * One OTLP profile could not be turned into pprof (e.g. an index out of range). Only that
 * profile is rejected; the rest of the request still converts.
 */
export class ConvertError extends BridgeError {
  readonly position: ProfilePosition;
  constructor(position: ProfilePosition, message: string) {
    super(
      'ERR_PPROF_CONVERT',
      `resource_profiles[${position.resourceIndex}].scope_profiles[${position.scopeIndex}].profiles[${position.profileIndex}]: ${message}`,
    );
    this.position = position;
  }
}

export function isBridgeError(e: unknown): e is BridgeError {
  return e instanceof BridgeError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
