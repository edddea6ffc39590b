// The `pyroscope` exporter: each converted profile becomes one upload, either to the ingest
// API (POST /ingest?name=app{labels}&..., body = gzip'd pprof) or the Connect Push API
// (POST /push.v1.PusherService/Push, body = PushRequest with one series and one sample).
// Series labels: see src/exporters/shared/series-labels.ts.
import type { ComponentContext, Exporter, ExporterFactory, WorkerThreads } from '../../component/factory.js';
import { authorizationHeader } from '../shared/auth.js';
import { QueuedExporter, type Backend, type ItemBatch, type SendContext } from '../shared/exporter.js';
import { clipText, failureOf, httpPost, intakeRetryableStatus, success, type ExportResult, type HttpResponse } from '../../otlp-client/index.js';
import { pprofUploads } from '../shared/pprof-uploads.js';
import type { QueuedItem } from '../shared/queue.js';
import { seriesKey, storeLabels } from '../shared/series-labels.js';
import { pyroscopeConfigSchema, type PyroscopeConfig } from './config.js';
import { ingestPath } from './ingest.js';
import { encodePushRequest, profileUuid, PUSH_PATH } from './push.js';
import type { ExportProfilesServiceRequest } from '../../otlp/model.js';

class PyroscopeBackend implements Backend {
  private readonly base: string;

  constructor(
    private readonly config: PyroscopeConfig,
    private readonly workers?: WorkerThreads,
  ) {
    this.base = config.endpoint.replace(/\/+$/, '');
  }

  async profilesToItems(request: ExportProfilesServiceRequest): Promise<ItemBatch> {
    const { uploads, rejected } = await pprofUploads(request, this.workers);
    const now = BigInt(Date.now()) * 1_000_000n;
    const items = uploads.map(({ converted, gzip }) => {
      const labels = storeLabels(converted.profileType, converted.seriesLabels, this.config.labels);
      const key = seriesKey(labels);
      if (this.config.protocol === 'push') {
        const body = encodePushRequest([{ labels, samples: [{ rawProfile: gzip, id: profileUuid(converted.profileId) }] }]);
        return { key, meta: { path: PUSH_PATH }, body };
      }
      return { key, meta: { path: ingestPath(converted, this.config.labels, now) }, body: gzip };
    });
    return { items, rejected };
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { ...this.config.headers, 'User-Agent': 'otel-profile-bridge' };
    h['Content-Type'] = this.config.protocol === 'push' ? 'application/proto' : 'binary/octet-stream';
    if (this.config.protocol === 'push') h['Connect-Protocol-Version'] = '1';
    const authz = authorizationHeader(this.config.auth);
    if (authz) h.Authorization = authz;
    if (this.config.tenant) h['X-Scope-OrgID'] = this.config.tenant;
    return h;
  }

  async send(item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const res = await httpPost({
      url: `${this.base}${String(item.meta.path)}`,
      headers: this.headers(),
      body: item.body,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    return failureOf(res, describeError, intakeRetryableStatus) ?? success();
  }
}

/** Connect errors are JSON `{ code, message }`; the ingest API answers plain text. */
export function describeError(res: HttpResponse): string {
  const text = Buffer.from(res.body).toString('utf8');
  try {
    const j = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof j.message === 'string') return clipText(typeof j.code === 'string' ? `${j.code}: ${j.message}` : j.message);
  } catch {
    // not JSON
  }
  return clipText(text);
}

export const pyroscopeExporterFactory: ExporterFactory<PyroscopeConfig> = {
  type: 'pyroscope',
  configSchema: pyroscopeConfigSchema,
  create: (config: PyroscopeConfig, ctx: ComponentContext): Exporter => new QueuedExporter(ctx, config, new PyroscopeBackend(config, ctx.workers)),
};
