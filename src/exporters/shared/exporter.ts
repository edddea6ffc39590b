// The frame every network exporter shares: consume -> items -> sending queue -> send.
// A backend only says how a request becomes items and how one item is sent; queueing,
// persistence, retries, metrics, logging and shutdown are done here, the same way for all.
//
// Because consuming only enqueues, a backend that is down never holds up the pipeline or
// the other exporters of a fan-out: its own queue fills, and only then does it push back.
import { join } from 'node:path';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../otlp/model.js';
import { ACCEPTED, type ConsumeResult } from '../../component/consumer.js';
import type { ComponentContext, Exporter } from '../../component/factory.js';
import { retryPolicyOf, type QueuedExporterSettings } from './config.js';
import { exporterMetrics, type ExporterMetrics } from './metrics.js';
import { SendingQueue, type NewItem, type QueuedItem } from './queue.js';
import type { ExportResult } from '../../otlp-client/index.js';

/** Items for the queue, and what could not be made into items (e.g. unconvertible profiles). */
export interface ItemBatch {
  items: NewItem[];
  /**
   * Profiles / spans left out as bad data: counted as dropped{reason}, logged, and reported
   * to the pipeline as rejected (so the sender sees a partial success).
   */
  rejected?: { reason: string; count: number; message: string };
}

export interface SendContext {
  signal: AbortSignal;
  /** The configured per-attempt timeout. */
  timeoutMs: number;
  /** 0 for the first attempt. */
  attempt: number;
}

export interface Backend {
  profilesToItems?(request: ExportProfilesServiceRequest): Promise<ItemBatch> | ItemBatch;
  tracesToItems?(request: ExportTraceServiceRequest): Promise<ItemBatch> | ItemBatch;
  send(item: QueuedItem, ctx: SendContext): Promise<ExportResult>;
  /** Releases connections; called after the queue has drained or given up. */
  close?(): Promise<void> | void;
}

/** `<directory>/<exporter id>` with the id made safe as one path segment. */
export function queueDirectory(directory: string, exporterId: string): string {
  return join(directory, exporterId.replace(/[^A-Za-z0-9_.-]/g, '_'));
}

export class QueuedExporter implements Exporter {
  readonly queue: SendingQueue;
  readonly metrics: ExporterMetrics;
  consumeProfiles?: (request: ExportProfilesServiceRequest) => Promise<ConsumeResult>;
  consumeTraces?: (request: ExportTraceServiceRequest) => Promise<ConsumeResult>;

  constructor(
    private readonly ctx: ComponentContext,
    settings: QueuedExporterSettings,
    private readonly backend: Backend,
  ) {
    const q = settings.sending_queue;
    const directory = q.directory === undefined ? undefined : queueDirectory(q.directory, ctx.id);
    this.metrics = exporterMetrics(ctx.metrics, ctx.id);
    this.queue = new SendingQueue({
      name: ctx.id,
      maxBytes: q.max_bytes,
      numConsumers: q.num_consumers,
      directory,
      drainTimeoutMs: q.drain_timeout,
      retry: retryPolicyOf(settings.retry, directory !== undefined),
      logger: ctx.logger,
      metrics: this.metrics,
      send: (item, a) => backend.send(item, { signal: a.signal, attempt: a.attempt, timeoutMs: settings.timeout }),
    });
    // Only the signals the backend supports exist, so the service can check pipelines.
    const toProfiles = backend.profilesToItems?.bind(backend);
    if (toProfiles) this.consumeProfiles = async (req) => this.accept(await toProfiles(req));
    const toTraces = backend.tracesToItems?.bind(backend);
    if (toTraces) this.consumeTraces = async (req) => this.accept(await toTraces(req));
  }

  private async accept(batch: ItemBatch): Promise<ConsumeResult> {
    await this.queue.enqueue(batch.items);
    const r = batch.rejected;
    if (r === undefined || r.count === 0) return ACCEPTED;
    this.metrics.dropped(r.reason, r.count);
    this.ctx.logger.warn({ reason: r.reason, count: r.count, err: r.message }, 'data left out: cannot be exported');
    return { rejected: r.count, message: r.message };
  }

  async start(): Promise<void> {
    await this.queue.start();
  }

  async shutdown(deadline?: number): Promise<void> {
    await this.queue.shutdown(deadline);
    await this.backend.close?.();
  }
}
