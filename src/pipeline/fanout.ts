// Fans one signal out to several consumers. Each consumer is called independently: one
// that fails or is slow to refuse does not keep the others from getting the data. The
// sender is told to retry only if *no* consumer took the data, because a retry would
// duplicate it in the ones that did.
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { ACCEPTED, mergeResults, type ConsumeResult, type ProfilesConsumer, type TracesConsumer } from './consumer.js';

async function fanOut<T>(
  targets: { id: string; consume: (data: T) => Promise<ConsumeResult> }[],
  data: T,
  logger: Logger,
): Promise<ConsumeResult> {
  if (targets.length === 0) return ACCEPTED;
  if (targets.length === 1) return targets[0]!.consume(data);
  const settled = await Promise.allSettled(targets.map((t) => t.consume(data)));
  let result: ConsumeResult = ACCEPTED;
  let firstError: unknown;
  let anyOk = false;
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      anyOk = true;
      result = mergeResults(result, s.value);
    } else {
      firstError ??= s.reason;
      logger.warn({ consumer: targets[i]!.id, err: errorMessage(s.reason) }, 'consumer refused data');
    }
  });
  if (!anyOk) throw firstError;
  return result;
}

export function fanOutTraces(targets: { id: string; consumer: TracesConsumer }[], logger: Logger): TracesConsumer {
  const list = targets.map((t) => ({ id: t.id, consume: (d: Parameters<TracesConsumer['consumeTraces']>[0]) => t.consumer.consumeTraces(d) }));
  return { consumeTraces: (req) => fanOut(list, req, logger) };
}

export function fanOutProfiles(targets: { id: string; consumer: ProfilesConsumer }[], logger: Logger): ProfilesConsumer {
  const list = targets.map((t) => ({ id: t.id, consume: (d: Parameters<ProfilesConsumer['consumeProfiles']>[0]) => t.consumer.consumeProfiles(d) }));
  return { consumeProfiles: (req) => fanOut(list, req, logger) };
}
