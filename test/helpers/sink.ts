// An in-memory exporter for tests: records what the pipeline delivers, and can be told to
// refuse (retryable or permanent) to exercise back-pressure paths. Use instead of mocks.
import { z } from 'zod';
import { ConsumerError } from '../../src/errors.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import type { ConsumeResult } from '../../src/pipeline/consumer.js';
import type { Exporter, ExporterFactory } from '../../src/service/component.js';
import { defaultFactories, type FactoryRegistry } from '../../src/service/components.js';

export class SinkExporter implements Exporter {
  readonly traces: ExportTraceServiceRequest[] = [];
  readonly profiles: ExportProfilesServiceRequest[] = [];
  /** When set, the next calls throw it instead of recording. */
  refuseWith: ConsumerError | undefined;
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
      const timer = setTimeout(() => reject(new Error('sink: condition not met in time')), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }
}

/** Registry with a `sink` exporter type whose instances are collected in `sinks` by id. */
export function factoriesWithSink(): { factories: FactoryRegistry; sinks: Map<string, SinkExporter> } {
  const sinks = new Map<string, SinkExporter>();
  const factory: ExporterFactory<Record<string, never>> = {
    type: 'sink',
    configSchema: z.strictObject({}) as unknown as z.ZodType<Record<string, never>>,
    create: (_c, ctx) => {
      const s = new SinkExporter();
      sinks.set(ctx.id, s);
      return s;
    },
  };
  const factories = defaultFactories();
  factories.exporters.sink = factory;
  return { factories, sinks };
}
