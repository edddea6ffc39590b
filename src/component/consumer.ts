// The seam every component plugs into, in the collector's style: a consumer has one method
// per signal. A consumer either resolves (possibly reporting a partial rejection) or throws
// a ConsumerError that says whether the sender may retry.

import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../otlp/model.js';

/** What a consumer accepted. `rejected` counts spans / profiles it dropped as bad data. */
export interface ConsumeResult {
  rejected: number;
  message?: string;
}

export const ACCEPTED: ConsumeResult = Object.freeze({ rejected: 0 });

/**
 * A request a receiver has already pre-scanned, decoded and validated, as OTLP protobuf
 * bytes again. A consumer that works off the main thread (the store writing in a worker)
 * takes this form, so the decoded object graph never has to exist on the main thread.
 * The bytes are shared: a consumer copies them before transferring them anywhere.
 */
export interface EncodedRequest {
  bytes: Uint8Array;
  /** Spans or profiles in it. */
  items: number;
}

export interface TracesConsumer {
  consumeTraces(request: ExportTraceServiceRequest): Promise<ConsumeResult>;
  /** Present when the consumer (and everything behind it) can take the encoded form. */
  consumeEncodedTraces?(request: EncodedRequest): Promise<ConsumeResult>;
}

export interface ProfilesConsumer {
  consumeProfiles(request: ExportProfilesServiceRequest): Promise<ConsumeResult>;
  /** Present when the consumer (and everything behind it) can take the encoded form. */
  consumeEncodedProfiles?(request: EncodedRequest): Promise<ConsumeResult>;
}

/** Anything with a lifecycle in the pipeline graph. Start in dependency order, stop in reverse. */
export interface Component {
  start?(): Promise<void>;
  /**
   * Stop accepting, flush what is held, release resources. Must be idempotent. `deadline`
   * (ms since the epoch) is when the service stops waiting: what is not flushed by then stays
   * on disk where persisted, else it is counted and logged as dropped.
   */
  shutdown?(deadline?: number): Promise<void>;
}

/** Adds two partial results: counts sum, messages join. */
export function mergeResults(a: ConsumeResult, b: ConsumeResult): ConsumeResult {
  if (b.rejected === 0 && !b.message) return a;
  if (a.rejected === 0 && !a.message) return b;
  const message = [a.message, b.message].filter(Boolean).join('; ');
  return message ? { rejected: a.rejected + b.rejected, message } : { rejected: a.rejected + b.rejected };
}
