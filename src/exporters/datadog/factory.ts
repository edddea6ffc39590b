// The `datadog` exporter: profiles of one series and window become one multipart upload
// (event.json + the gzip'd pprof attachments, grouped as the family's tracer groups them) to
// the agent's /profiling/v1/input or, agentless, to the intake with DD-API-KEY. See event.ts
// for the event's fields. On a traces pipeline it sends no spans: it tallies their local
// roots per endpoint for the uploads' endpoint_counts (endpoint-tally.ts).
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../otlp/model.js';
import { packageVersion } from '../../version.js';
import type { ComponentContext, Exporter, ExporterFactory, WorkerThreads } from '../../component/factory.js';
import { QueuedExporter, type Backend, type ItemBatch, type SendContext } from '../shared/exporter.js';
import { failureOf, httpPost, intakeRetryableStatus, success, type ExportResult } from '../../otlp-client/index.js';
import { mergedGzips, pprofUploads } from '../shared/pprof-uploads.js';
import type { QueuedItem } from '../shared/queue.js';
import { datadogConfigSchema, withApiKey, type DatadogConfig } from './config.js';
import { EndpointTally } from './endpoint-tally.js';
import { buildUploads } from './event.js';
import { encodeMultipart, type Part } from './multipart.js';

export const DD_ORIGIN = 'otel-profile-bridge';

class DatadogBackend implements Backend {
  private readonly version = safeVersion();
  private readonly tally = new EndpointTally();

  constructor(
    private readonly config: DatadogConfig,
    private readonly workers?: WorkerThreads,
  ) {}

  /** Spans only feed the endpoint tally; nothing is queued or sent for them. */
  tracesToItems(request: ExportTraceServiceRequest): ItemBatch {
    this.tally.record(request);
    return { items: [] };
  }

  async profilesToItems(request: ExportProfilesServiceRequest): Promise<ItemBatch> {
    const { uploads, rejected } = await pprofUploads(request, this.workers);
    const built = buildUploads(uploads, this.config.tags, this.version, undefined, (labels, start, end) => this.tally.counts(labels, start, end));
    // Attachments of several profiles are merged (in a worker thread when the bridge has them),
    // all of a request's in one go; a profile alone in its file goes as its own gzip.
    const merges = built.flatMap((u) => u.attachments).filter((a) => !(a.profiles.length === 1 && a.rewrites[0] === undefined));
    const merged = new Map(
      (
        await mergedGzips(
          request,
          merges.map((a) => ({ members: a.profiles, rewrites: a.rewrites })),
          this.workers,
        )
      ).map((g, i) => [merges[i]!, g]),
    );
    const items = built.map((u) => {
      const files = u.attachments.map((a) => ({ name: a.name, data: merged.get(a) ?? a.profiles[0]!.gzip }));
      const parts: Part[] = [
        { name: 'event', filename: 'event.json', contentType: 'application/json', data: Buffer.from(JSON.stringify(u.event), 'utf8') },
        ...files.map((f) => ({ name: f.name, filename: f.name, contentType: 'application/octet-stream', data: f.data })),
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
  create: (config: DatadogConfig, ctx: ComponentContext): Exporter => {
    const resolved = withApiKey(config, ctx.env ?? {}, `exporters.${ctx.id}`);
    return new QueuedExporter(ctx, resolved, new DatadogBackend(resolved, ctx.workers));
  },
};
