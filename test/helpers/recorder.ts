// An in-memory consumer for tests: records what reaches it and can be told to refuse
// (retryable or permanent) to exercise back-pressure paths. Use instead of mocks.
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import type { ConsumeResult, ProfilesConsumer, TracesConsumer } from '../../src/component/consumer.js';

/**
 * A consumer that records what reaches it (both signals) and can be told to refuse. It
 * loads no pipeline code, so pure processor tests can use it as well as the sink exporter.
 */
export class Recorder implements TracesConsumer, ProfilesConsumer {
  readonly traces: ExportTraceServiceRequest[] = [];
  readonly profiles: ExportProfilesServiceRequest[] = [];
  refuseWith: Error | undefined;
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  async consumeTraces(req: ExportTraceServiceRequest): Promise<ConsumeResult> {
    if (this.refuseWith) throw this.refuseWith;
    this.traces.push(req);
    this.wake();
    return { rejected: 0 };
  }

  async consumeProfiles(req: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    if (this.refuseWith) throw this.refuseWith;
    this.profiles.push(req);
    this.wake();
    return { rejected: 0 };
  }

  /** Resolves once `pred` holds; rejects after `timeoutMs` so a broken test cannot hang. */
  waitFor(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('recorder: condition not met in time')), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }
}
