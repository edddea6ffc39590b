// Fans one signal out to several consumers. Each consumer is called independently: one
// that fails or is slow to refuse does not keep the others from getting the data.
//
// Acknowledged means kept, for every consumer: if any consumer refuses retryably, the
// fan-out refuses too (retryable, with the longest Retry-After asked for), so the data is
// offered again rather than lost for that consumer. A request offered again as the same
// object (the join processor retrying a held request) goes only to the consumers that have
// not taken it yet, so those that took it get no duplicate. A sender's retry is a new
// request and reaches every consumer again: the store and the file exporter take it
// idempotently, network exporters deliver at least once (docs/delivery.md).
// A permanent refusal (data that consumer can never take, counted and logged by it) does
// not make the fan-out refuse when another consumer took the data.
import type { Logger } from 'pino';
import { ConsumerError, errorMessage, isBridgeError } from '../errors.js';
import {
  ACCEPTED,
  mergeResults,
  type ConsumeResult,
  type EncodedRequest,
  type ProfilesConsumer,
  type TracesConsumer,
} from '../component/consumer.js';

interface Target<T> {
  id: string;
  consume: (data: T) => Promise<ConsumeResult>;
}

function isRetryable(e: unknown): boolean {
  // Anything that is not a bridge error is unexpected (a bug or an I/O failure): retryable.
  return isBridgeError(e) ? e.retryable : true;
}

function retryAfterOf(e: unknown): number | undefined {
  return e instanceof ConsumerError ? e.retryAfterSeconds : undefined;
}

async function fanOut<T extends object>(targets: Target<T>[], data: T, delivered: WeakMap<T, Set<number>>, logger: Logger): Promise<ConsumeResult> {
  if (targets.length === 0) return ACCEPTED;
  if (targets.length === 1) return targets[0]!.consume(data);
  const done = delivered.get(data);
  const pending = targets.map((t, i) => ({ t, i })).filter(({ i }) => !done?.has(i));
  const settled = await Promise.allSettled(pending.map(({ t }) => t.consume(data)));
  let result: ConsumeResult = ACCEPTED;
  const retryable: unknown[] = [];
  let permanent: unknown;
  let anyOk = done !== undefined && done.size > 0;
  const took = new Set(done);
  settled.forEach((s, k) => {
    const { t, i } = pending[k]!;
    if (s.status === 'fulfilled') {
      anyOk = true;
      took.add(i);
      result = mergeResults(result, s.value);
    } else {
      logger.warn({ consumer: t.id, err: errorMessage(s.reason) }, 'consumer refused data');
      if (isRetryable(s.reason)) retryable.push(s.reason);
      else {
        permanent ??= s.reason;
        took.add(i); // never retried for this consumer: it counted and logged its drop
      }
    }
  });
  if (retryable.length > 0) {
    delivered.set(data, took);
    const first = retryable[0];
    const waits = retryable.map(retryAfterOf).filter((s): s is number => s !== undefined);
    const retryAfterSeconds = waits.length > 0 ? Math.max(...waits) : undefined;
    // Keep the first refusal's code: ERR_PIPELINE_FULL answers 429, the rest 503.
    const code = isBridgeError(first) ? first.code : 'ERR_PIPELINE_UNAVAILABLE';
    throw new ConsumerError(code, `${retryable.length} of ${targets.length} consumers refused the data: ${retryable.map(errorMessage).join('; ')}`, {
      retryable: true,
      retryAfterSeconds,
      cause: first,
    });
  }
  delivered.delete(data);
  if (!anyOk) throw permanent;
  if (permanent !== undefined) result = mergeResults(result, { rejected: 0, message: errorMessage(permanent) });
  return result;
}

/**
 * The encoded form is offered only when every target takes it (the same semantics as the
 * decoded form: it is the same fan-out over the same targets).
 */
function encodedFanOut(targets: { id: string; consume?: (d: EncodedRequest) => Promise<ConsumeResult> }[], logger: Logger) {
  if (targets.length === 0 || targets.some((t) => t.consume === undefined)) return undefined;
  const list = targets as Target<EncodedRequest>[];
  const delivered = new WeakMap<EncodedRequest, Set<number>>();
  return (req: EncodedRequest) => fanOut(list, req, delivered, logger);
}

export function fanOutTraces(targets: { id: string; consumer: TracesConsumer }[], logger: Logger): TracesConsumer {
  const list = targets.map((t) => ({ id: t.id, consume: (d: Parameters<TracesConsumer['consumeTraces']>[0]) => t.consumer.consumeTraces(d) }));
  const delivered = new WeakMap<Parameters<TracesConsumer['consumeTraces']>[0], Set<number>>();
  const encoded = encodedFanOut(
    targets.map((t) => ({ id: t.id, consume: t.consumer.consumeEncodedTraces && ((d: EncodedRequest) => t.consumer.consumeEncodedTraces!(d)) })),
    logger,
  );
  return { consumeTraces: (req) => fanOut(list, req, delivered, logger), ...(encoded ? { consumeEncodedTraces: encoded } : {}) };
}

export function fanOutProfiles(targets: { id: string; consumer: ProfilesConsumer }[], logger: Logger): ProfilesConsumer {
  const list = targets.map((t) => ({ id: t.id, consume: (d: Parameters<ProfilesConsumer['consumeProfiles']>[0]) => t.consumer.consumeProfiles(d) }));
  const delivered = new WeakMap<Parameters<ProfilesConsumer['consumeProfiles']>[0], Set<number>>();
  const encoded = encodedFanOut(
    targets.map((t) => ({ id: t.id, consume: t.consumer.consumeEncodedProfiles && ((d: EncodedRequest) => t.consumer.consumeEncodedProfiles!(d)) })),
    logger,
  );
  return { consumeProfiles: (req) => fanOut(list, req, delivered, logger), ...(encoded ? { consumeEncodedProfiles: encoded } : {}) };
}
