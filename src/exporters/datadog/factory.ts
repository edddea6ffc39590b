// The `datadog` exporter: profiles of one series and window become one multipart upload
// (event.json + one gzip'd pprof per profile type) to the agent's /profiling/v1/input or,
// agentless, to the intake with DD-API-KEY. See event.ts for the event's fields.
import type { ExportProfilesServiceRequest } from '../../otlp/model.js';
import { packageVersion } from '../../version.js';
import type { ComponentContext, Exporter, ExporterFactory } from '../../service/component.js';
import { QueuedExporter, type Backend, type ItemBatch, type SendContext } from '../shared/exporter.js';
import { failureOf, httpPost, intakeRetryableStatus, success, type ExportResult } from '../../otlp-client/index.js';
import { pprofUploads } from '../shared/pprof-uploads.js';
import type { QueuedItem } from '../shared/queue.js';
import { datadogConfigSchema, type DatadogConfig } from './config.js';
import { buildUploads } from './event.js';
import { encodeMultipart, type Part } from './multipart.js';

export const DD_ORIGIN = 'otel-profile-bridge';

class DatadogBackend implements Backend {
  private readonly version = safeVersion();

  constructor(private readonly config: DatadogConfig) {}

  async profilesToItems(request: ExportProfilesServiceRequest): Promise<ItemBatch> {
    const { uploads, rejected } = await pprofUploads(request);
    const items = buildUploads(uploads, this.config.tags, this.version).map((u) => {
      const parts: Part[] = [
        { name: 'event', filename: 'event.json', contentType: 'application/json', data: Buffer.from(JSON.stringify(u.event), 'utf8') },
        ...u.attachments.map((a) => ({ name: a.name, filename: a.name, contentType: 'application/octet-stream', data: a.data })),
      ];
      const { body, contentType } = encodeMultipart(parts);
      return { key: u.key, meta: { contentType }, body };
    });
    return { items, rejected };
  }

  async send(item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const headers: Record<string, string> = {
      'Content-Type': String(item.meta.contentType),
      'DD-EVP-ORIGIN': DD_ORIGIN,
      'DD-EVP-ORIGIN-VERSION': this.version,
      'User-Agent': `${DD_ORIGIN}/${this.version}`,
    };
    if (this.config.api_key) headers['DD-API-KEY'] = this.config.api_key;
    const res = await httpPost({ url: this.config.url, headers, body: item.body, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    return failureOf(res, undefined, intakeRetryableStatus) ?? success();
  }
}

function safeVersion(): string {
  try {
    return packageVersion();
  } catch {
    return '0.0.0';
  }
}

export const datadogExporterFactory: ExporterFactory<DatadogConfig> = {
  type: 'datadog',
  configSchema: datadogConfigSchema as unknown as ExporterFactory<DatadogConfig>['configSchema'],
  create: (config: DatadogConfig, ctx: ComponentContext): Exporter => new QueuedExporter(ctx, config, new DatadogBackend(config)),
};
