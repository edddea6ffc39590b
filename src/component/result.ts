// What one delivery attempt came to, as a small union (the opentelemetry-js shape):
// - success: the backend took it (perhaps rejecting part of it: `partial`);
// - retryable: try again later, no sooner than `retryAfterMs` when the backend said so;
// - permanent: the backend refused the data itself; retrying cannot help.
// `reason` is a short, bounded label for metrics (`http_503`, `grpc_unavailable`,
// `connection`); `message` is the human text for logs, with the backend's own words.

export interface PartialRejection {
  /** Items (profiles, spans) the backend dropped out of an accepted request. */
  rejected: number;
  message: string;
}

export type ExportResult =
  | { kind: 'success'; partial?: PartialRejection }
  | { kind: 'retryable'; reason: string; message: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string; message: string };

export const SUCCESS: ExportResult = Object.freeze({ kind: 'success' });

export function success(partial?: PartialRejection): ExportResult {
  return partial && (partial.rejected > 0 || partial.message !== '') ? { kind: 'success', partial } : SUCCESS;
}

export function retryable(reason: string, message: string, retryAfterMs?: number): ExportResult {
  return retryAfterMs === undefined ? { kind: 'retryable', reason, message } : { kind: 'retryable', reason, message, retryAfterMs };
}

export function permanent(reason: string, message: string): ExportResult {
  return { kind: 'permanent', reason, message };
}
