// The transport-independent part of an OTLP Export call: decode, check content, hand to the
// pipeline, and build the response (partial_success when part of the request was rejected).
//
// Two ways through, with the same checks, messages and answers:
// - off the main thread, when the bridge has worker threads and every consumer behind this
//   receiver takes encoded requests (see EncodedRequest): the body is transferred to a
//   worker, which pre-scans, decodes and validates it and sends back OTLP protobuf; the
//   main thread only moves bytes;
// - inline otherwise (a processor such as `join` needs the decoded request here); the limits
//   pre-scan still runs in a worker when there are any, so a hostile body is refused off the
//   event loop either way.
import type { Counter } from 'prom-client';
import { encodeProfilesResponse, encodeTracesResponse, profilesResponseToJson, tracesResponseToJson } from '../../otlp/index.js';
import { prescanRequest, type LimitsOf } from '../../otlp/prescan/index.js';
import { mergeResults, type ConsumeResult, type EncodedRequest } from '../../component/consumer.js';
import type { ReceiverSinks } from '../../component/factory.js';
import type { WorkerPool } from '../../workers/pool.js';
import { ownedBytes, transferOf } from '../../workers/transfer.js';
import { checkRequest, type CheckedRequest } from '../../workers/tasks.js';

/** Bodies at least this large are checked in a worker thread when there are any. */
export const OFFLOAD_MIN_BYTES = 64 * 2 ** 10;
import { checkedProfiles, checkedTraces, countProfiles, countSpans, summarize, type BodyFormat, type Signal } from './checked.js';

export type { BodyFormat, Signal } from './checked.js';
export { countProfiles, countSpans } from './checked.js';

export interface ReceiverMetrics {
  /** Items (spans, profiles) received, by signal, transport and outcome. */
  items: Counter<'signal' | 'transport' | 'outcome'>;
  /** Requests by signal, transport and result (ok, partial, refused). */
  requests: Counter<'signal' | 'transport' | 'result'>;
}

export interface ExportOutcome {
  /** Encoded Export*ServiceResponse, in the request's format. */
  body: Uint8Array;
  result: ConsumeResult;
}

/** Where the request runs: the bridge's worker threads, and the sender's key for ordering. */
export interface ExportPlace {
  workers?: WorkerPool;
  /** Requests with the same key reach the pipeline in the order they arrived (e.g. one connection). */
  order?: string;
}

/**
 * Checks the per-request limits, decodes, validates and consumes; throws (BridgeError) when the
 * whole request is refused. The limits are checked by an allocation-free pre-scan first, so a
 * body that would decode into millions of objects is refused before it costs more than a scan.
 * The body may be transferred to a worker thread: the caller must not use it afterwards.
 */
export async function handleExport(
  signal: Signal,
  body: Uint8Array,
  format: BodyFormat,
  sinks: ReceiverSinks,
  metrics: ReceiverMetrics,
  transport: string,
  limits: LimitsOf,
  place: ExportPlace = {},
): Promise<ExportOutcome> {
  try {
    const encodedSink =
      signal === 'traces' ? sinks.traces?.consumeEncodedTraces?.bind(sinks.traces) : sinks.profiles?.consumeEncodedProfiles?.bind(sinks.profiles);
    let outcome: ExportOutcome;
    // A small body is cheaper to check here than to hand over (a thread hop costs more than
    // scanning a few KiB), and it cannot hold the event loop for long.
    const workers = body.byteLength >= OFFLOAD_MIN_BYTES ? place.workers : undefined;
    if (encodedSink && (workers || place.workers)) {
      outcome = await exportInWorker(signal, body, format, workers, place.order, encodedSink, metrics, transport, limits);
    } else {
      if (workers) {
        // The decode below needs the main thread, the limits scan does not.
        const owned = ownedBytes(body);
        body = (await workers.run('prescan', { signal, format, body: owned, limits }, transferOf(owned), place.order)).body;
      } else {
        prescanRequest(signal, format, body, limits);
      }
      outcome =
        signal === 'traces'
          ? await exportTraces(body, format, sinks, metrics, transport)
          : await exportProfiles(body, format, sinks, metrics, transport);
    }
    metrics.requests.inc({ signal, transport, result: outcome.result.rejected > 0 ? 'partial' : 'ok' });
    return outcome;
  } catch (e) {
    metrics.requests.inc({ signal, transport, result: 'refused' });
    throw e;
  }
}

async function exportInWorker(
  signal: Signal,
  body: Uint8Array,
  format: BodyFormat,
  workers: WorkerPool | undefined,
  order: string | undefined,
  consume: (r: EncodedRequest) => Promise<ConsumeResult>,
  metrics: ReceiverMetrics,
  transport: string,
  limits: LimitsOf,
): Promise<ExportOutcome> {
  let checked: CheckedRequest;
  if (workers) {
    const owned = ownedBytes(body);
    checked = await workers.run('check', { signal, format, body: owned, limits }, transferOf(owned), order);
  } else {
    checked = checkRequest({ signal, format, body, limits });
  }
  return finish(
    signal,
    format,
    checked.items,
    checked.rejected,
    checked.messages,
    () => consume({ bytes: checked.bytes, items: checked.items }),
    metrics,
    transport,
  );
}

async function exportTraces(
  body: Uint8Array,
  format: BodyFormat,
  sinks: ReceiverSinks,
  metrics: ReceiverMetrics,
  transport: string,
): Promise<ExportOutcome> {
  const checked = checkedTraces(body, format);
  return finish(
    'traces',
    format,
    countSpans(checked.request),
    checked.rejected,
    checked.messages,
    () => sinks.traces!.consumeTraces(checked.request),
    metrics,
    transport,
  );
}

async function exportProfiles(
  body: Uint8Array,
  format: BodyFormat,
  sinks: ReceiverSinks,
  metrics: ReceiverMetrics,
  transport: string,
): Promise<ExportOutcome> {
  const checked = checkedProfiles(body, format);
  return finish(
    'profiles',
    format,
    countProfiles(checked.request),
    checked.rejected,
    checked.messages,
    () => sinks.profiles!.consumeProfiles(checked.request),
    metrics,
    transport,
  );
}

/** Hands the checked items on (when there are any), counts them and builds the response. */
async function finish(
  signal: Signal,
  format: BodyFormat,
  items: number,
  rejectedByCheck: number,
  messages: string[],
  consume: () => Promise<ConsumeResult>,
  metrics: ReceiverMetrics,
  transport: string,
): Promise<ExportOutcome> {
  let result: ConsumeResult = rejectedByCheck > 0 ? { rejected: rejectedByCheck, message: summarize(messages) } : { rejected: 0 };
  if (items > 0) {
    try {
      result = mergeResults(result, await consume());
    } catch (e) {
      metrics.items.inc({ signal, transport, outcome: 'refused' }, items);
      throw e;
    }
  }
  metrics.items.inc({ signal, transport, outcome: 'accepted' }, Math.max(0, items - (result.rejected - rejectedByCheck)));
  if (result.rejected > 0) metrics.items.inc({ signal, transport, outcome: 'rejected' }, result.rejected);
  if (signal === 'traces') {
    const response =
      result.rejected > 0 || result.message ? { partialSuccess: { rejectedSpans: result.rejected, errorMessage: result.message ?? '' } } : {};
    return { result, body: format === 'proto' ? encodeTracesResponse(response) : Buffer.from(JSON.stringify(tracesResponseToJson(response))) };
  }
  const response =
    result.rejected > 0 || result.message ? { partialSuccess: { rejectedProfiles: result.rejected, errorMessage: result.message ?? '' } } : {};
  return { result, body: format === 'proto' ? encodeProfilesResponse(response) : Buffer.from(JSON.stringify(profilesResponseToJson(response))) };
}
