// What a failed attempt means for retrying, one set of rules for every client in the
// project, and when to come back. Pure: the clock and the random source are parameters.
//
// HTTP, per the OTLP spec: 429, 502, 503 and 504 are retryable, every other 4xx/5xx is not.
// The profile intakes that are not OTLP endpoints (Pyroscope, Datadog) answer 500 while
// their storage is down and 408 when they are slow; they opt into `intakeRetryableStatus`.
//
// gRPC, the OTLP client table: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE, DATA_LOSS; RESOURCE_EXHAUSTED only when the server says when to come back
// (google.rpc.RetryInfo, or a `retry-after` entry) — without that it means "too large".
//
// The server's hint (Retry-After as delay-seconds, fractional seconds or an HTTP-date; gRPC
// RetryInfo) is honoured; else exponential backoff with jitter.
import { retryInfoDelayMs } from '../otlp/retry-info.js';

/** Which HTTP statuses a client retries. */
export type HttpRetryRule = (status: number) => boolean;

/** The OTLP/HTTP rule: 429, 502, 503, 504. */
export const otlpRetryableStatus: HttpRetryRule = (status) => status === 429 || status === 502 || status === 503 || status === 504;

/** For non-OTLP profile intakes: 408, 429 and 5xx except 501/505. */
export const intakeRetryableStatus: HttpRetryRule = (status) =>
  status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);

/** gRPC status codes (fixed by the gRPC spec; numbers so that @grpc/grpc-js need not load). */
export const GRPC_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const RETRYABLE_GRPC = new Set<number>([
  GRPC_CODES.CANCELLED,
  GRPC_CODES.DEADLINE_EXCEEDED,
  GRPC_CODES.ABORTED,
  GRPC_CODES.OUT_OF_RANGE,
  GRPC_CODES.UNAVAILABLE,
  GRPC_CODES.DATA_LOSS,
]);

/** Whether a gRPC status is retried, given whether the server said when to come back. */
export function isRetryableGrpcCode(code: number, hasRetryDelay: boolean): boolean {
  return RETRYABLE_GRPC.has(code) || (code === GRPC_CODES.RESOURCE_EXHAUSTED && hasRetryDelay);
}

/** The part of a retry policy backoff needs (the exporters' RetryPolicy fits). */
export interface BackoffPolicy {
  initialIntervalMs: number;
  maxIntervalMs: number;
  multiplier: number;
  randomizationFactor: number;
}

/**
 * Delay before retry number `attempt` (0 = the first retry): initial * multiplier^attempt,
 * capped at max, then spread by ±randomization_factor so that many clients that failed
 * together do not come back together.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * policy.multiplier ** Math.max(0, attempt));
  const spread = base * policy.randomizationFactor;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/**
 * Milliseconds from an HTTP `Retry-After` value: delay-seconds ("120", also "1.5") or an
 * HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `nowMs`). Undefined when absent or
 * unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** What the client needs of gRPC metadata (@grpc/grpc-js's Metadata fits). */
export interface MetadataLike {
  get(key: string): (string | Buffer)[];
}

/** The server's "retry after" in gRPC trailers: google.rpc.RetryInfo, else a `retry-after` entry. */
export function retryDelayOf(metadata: MetadataLike | undefined, nowMs: number = Date.now()): number | undefined {
  if (!metadata) return undefined;
  for (const v of metadata.get('grpc-status-details-bin')) {
    if (typeof v === 'string') continue;
    const ms = retryInfoDelayMs(v);
    if (ms !== undefined) return ms;
  }
  const header = metadata.get('retry-after')[0];
  return typeof header === 'string' ? parseRetryAfter(header, nowMs) : undefined;
}
