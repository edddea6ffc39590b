// The `otlp` exporter: forwards profiles (as the pipeline hands them over, so with the join's
// enrichment attributes) and traces to another OTLP endpoint over gRPC, HTTP/protobuf or
// HTTP/JSON. A request is one item, queued already encoded (and gzip'd for HTTP). Partial
// success answers are logged and counted (rejected_items_total), not retried: the receiver
// has told us the rejected part is bad data.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  encodeProfilesRequest,
  encodeTracesRequest,
  profilesRequestToJson,
  tracesRequestToJson,
  type ExportProfilesServiceRequest,
  type ExportTraceServiceRequest,
  type KeyValue,
  type Resource,
} from '../../otlp/index.js';
import { GrpcSender, HttpSender, OTLP_HTTP_PATHS, type ExportResult, type OtlpSender, type OtlpSignal } from '../../otlp-client/index.js';
import type { ComponentContext, Exporter, ExporterFactory } from '../../component/factory.js';
import { QueuedExporter, type Backend, type ItemBatch, type SendContext } from '../shared/exporter.js';
import type { QueuedItem } from '../shared/queue.js';
import { otlpExporterConfigSchema, type OtlpExporterConfig } from './config.js';

const gzipAsync = promisify(gzip);

type Signal = OtlpSignal;

function serviceOf(resource: Resource | undefined, strings?: readonly string[]): string {
  const kv = resource?.attributes.find((a: KeyValue) => (a.key || (strings?.[a.keyStrindex] ?? '')) === 'service.name');
  const v = kv?.value;
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.stringValueStrindex !== undefined) return strings?.[v.stringValueStrindex] ?? '';
  return '';
}

class OtlpBackend implements Backend {
  private readonly grpc: boolean;
  private readonly json: boolean;
  private readonly senders = new Map<Signal, OtlpSender>();

  constructor(private readonly config: OtlpExporterConfig) {
    this.json = config.protocol === 'http/json';
    this.grpc = config.protocol === 'grpc';
  }

  /** The sender of a signal, made on first use (an exporter may carry one signal only). */
  private sender(signal: Signal): OtlpSender {
    let s = this.senders.get(signal);
    if (s === undefined) {
      const c = this.config;
      s = this.grpc
        ? new GrpcSender({
            url: c.endpoint,
            insecure: c.tls.insecure,
            caFile: c.tls.ca_file,
            headers: c.headers,
            gzip: c.compression === 'gzip',
            signal,
            initialReconnectMs: Math.min(c.retry.initial_interval, 5000),
            maxReconnectMs: Math.min(c.retry.max_interval, 10_000),
          })
        : new HttpSender({
            url: this.url(signal),
            headers: c.headers,
            contentType: this.json ? 'application/json' : 'application/x-protobuf',
            gzip: c.compression === 'gzip',
            userAgent: 'otel-profile-bridge',
            signal,
          });
      this.senders.set(signal, s);
    }
    return s;
  }

  private async encode(signal: Signal, request: ExportProfilesServiceRequest | ExportTraceServiceRequest): Promise<Uint8Array> {
    let body: Uint8Array;
    if (this.json) {
      const value =
        signal === 'profiles'
          ? profilesRequestToJson(request as ExportProfilesServiceRequest)
          : tracesRequestToJson(request as ExportTraceServiceRequest);
      body = Buffer.from(JSON.stringify(value), 'utf8');
    } else {
      body =
        signal === 'profiles'
          ? encodeProfilesRequest(request as ExportProfilesServiceRequest)
          : encodeTracesRequest(request as ExportTraceServiceRequest);
    }
    // gRPC compresses per message on the channel; HTTP bodies are queued compressed.
    if (!this.grpc && this.config.compression === 'gzip') body = await gzipAsync(body);
    return body;
  }

  async profilesToItems(request: ExportProfilesServiceRequest): Promise<ItemBatch> {
    if (request.resourceProfiles.length === 0) return { items: [] };
    const key = `profiles|${serviceOf(request.resourceProfiles[0]?.resource, request.dictionary?.stringTable)}`;
    return { items: [{ key, meta: { signal: 'profiles' }, body: await this.encode('profiles', request) }] };
  }

  async tracesToItems(request: ExportTraceServiceRequest): Promise<ItemBatch> {
    if (request.resourceSpans.length === 0) return { items: [] };
    const key = `traces|${serviceOf(request.resourceSpans[0]?.resource)}`;
    return { items: [{ key, meta: { signal: 'traces' }, body: await this.encode('traces', request) }] };
  }

  send(item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const signal = item.meta.signal === 'traces' ? 'traces' : 'profiles';
    return this.sender(signal).send(item.body, { timeoutMs: ctx.timeoutMs, abort: ctx.signal });
  }

  private url(signal: Signal): string {
    const explicit = signal === 'profiles' ? this.config.profiles_endpoint : this.config.traces_endpoint;
    return explicit ?? `${this.config.endpoint.replace(/\/+$/, '')}${OTLP_HTTP_PATHS[signal]}`;
  }

  close(): void {
    for (const s of this.senders.values()) s.close();
  }
}

export const otlpExporterFactory: ExporterFactory<OtlpExporterConfig> = {
  type: 'otlp',
  configSchema: otlpExporterConfigSchema,
  create: (config: OtlpExporterConfig, ctx: ComponentContext): Exporter => new QueuedExporter(ctx, config, new OtlpBackend(config)),
};
