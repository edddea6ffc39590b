// The `parca` exporter: each converted profile becomes one WriteRaw call with one series
// (labels: `__name__` = the profile family, service_name, the other series labels, then
// the configured ones; see src/exporters/shared/series-labels.ts) and one gzip'd pprof.
import type { ExportProfilesServiceRequest } from '../../otlp/model.js';
import type { ComponentContext, Exporter, ExporterFactory, WorkerThreads } from '../../component/factory.js';
import { QueuedExporter, type Backend, type ItemBatch, type SendContext } from '../shared/exporter.js';
import { GrpcUnaryClient, isGrpcOk, success, type ExportResult } from '../../otlp-client/index.js';
import { pprofUploads } from '../shared/pprof-uploads.js';
import type { QueuedItem } from '../shared/queue.js';
import { seriesKey, storeLabels } from '../shared/series-labels.js';
import { parcaConfigSchema, type ParcaConfig } from './config.js';
import { encodeWriteRawRequest, WRITE_RAW_METHOD } from './write-raw.js';

class ParcaBackend implements Backend {
  private readonly client: GrpcUnaryClient;
  private readonly metadata: Record<string, string>;

  constructor(
    private readonly config: ParcaConfig,
    private readonly workers?: WorkerThreads,
  ) {
    this.client = new GrpcUnaryClient({
      endpoint: config.endpoint,
      insecure: config.insecure,
      caFile: config.ca_file,
      initialReconnectMs: Math.min(config.retry.initial_interval, 5000),
      maxReconnectMs: Math.min(config.retry.max_interval, 10_000),
    });
    this.metadata = config.bearer_token ? { authorization: `Bearer ${config.bearer_token}` } : {};
  }

  async profilesToItems(request: ExportProfilesServiceRequest): Promise<ItemBatch> {
    const { uploads, rejected } = await pprofUploads(request, this.workers);
    const items = uploads.map(({ converted, gzip }) => {
      const labels = storeLabels(converted.profileType, converted.seriesLabels, this.config.labels);
      return { key: seriesKey(labels), meta: {}, body: encodeWriteRawRequest([{ labels, samples: [gzip] }], this.config.normalized) };
    });
    return { items, rejected };
  }

  async send(item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const res = await this.client.call(WRITE_RAW_METHOD, item.body, this.metadata, ctx.timeoutMs, ctx.signal);
    return isGrpcOk(res) ? success() : res;
  }

  close(): void {
    this.client.close();
  }
}

export const parcaExporterFactory: ExporterFactory<ParcaConfig> = {
  type: 'parca',
  configSchema: parcaConfigSchema,
  create: (config: ParcaConfig, ctx: ComponentContext): Exporter => new QueuedExporter(ctx, config, new ParcaBackend(config, ctx.workers)),
};
