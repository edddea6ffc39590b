// The `otlp` exporter: forwards profiles (as the pipeline hands them over, so with the join's
// enrichment attributes) and traces to another OTLP endpoint over gRPC, HTTP/protobuf or
// HTTP/JSON. A request is one item, queued already encoded (and gzip'd for HTTP). Partial
// success answers are logged and counted (rejected_items_total), not retried: the receiver
// has told us the rejected part is bad data.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  decodeProfilesResponse,
  decodeRpcStatus,
  decodeTracesResponse,
  encodeProfilesRequest,
  encodeTracesRequest,
  profilesRequestToJson,
  profilesResponseFromJson,
  rpcStatusFromJson,
  tracesRequestToJson,
  tracesResponseFromJson,
  type ExportProfilesServiceRequest,
  type ExportTraceServiceRequest,
  type KeyValue,
  type Resource,
} from '../../otlp/index.js';
import type { ComponentContext, Exporter, ExporterFactory } from '../../service/component.js';
import { QueuedExporter, type Backend, type ItemBatch, type SendContext } from '../shared/exporter.js';
import { GrpcUnaryClient, isGrpcOk } from '../shared/grpc.js';
import { failureOf, httpPost, bodyText, type HttpResponse } from '../shared/http.js';
import type { QueuedItem } from '../shared/queue.js';
import { success, type ExportResult, type PartialRejection } from '../shared/result.js';
import { clipText } from '../shared/text.js';
import { otlpExporterConfigSchema, type OtlpExporterConfig } from './config.js';

const gzipAsync = promisify(gzip);

type Signal = 'traces' | 'profiles';

export const OTLP_GRPC_METHODS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  profiles: '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
};

export const OTLP_HTTP_PATHS: Record<Signal, string> = {
  traces: '/v1/traces',
  profiles: '/v1development/profiles',
};

function serviceOf(resource: Resource | undefined, strings?: readonly string[]): string {
  const kv = resource?.attributes.find((a: KeyValue) => (a.key || (strings?.[a.keyStrindex] ?? '')) === 'service.name');
  const v = kv?.value;
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.stringValueStrindex !== undefined) return strings?.[v.stringValueStrindex] ?? '';
  return '';
}

class OtlpBackend implements Backend {
  private readonly grpc: GrpcUnaryClient | undefined;
  private readonly json: boolean;

  constructor(private readonly config: OtlpExporterConfig) {
    this.json = config.protocol === 'http/json';
    if (config.protocol === 'grpc') {
      this.grpc = new GrpcUnaryClient({
        endpoint: config.endpoint,
        insecure: config.tls.insecure,
        caFile: config.tls.ca_file,
        gzip: config.compression === 'gzip',
        initialReconnectMs: Math.min(config.retry.initial_interval, 5000),
        maxReconnectMs: Math.min(config.retry.max_interval, 10_000),
      });
    }
  }

  private async encode(signal: Signal, request: ExportProfilesServiceRequest | ExportTraceServiceRequest): Promise<Uint8Array> {
    let body: Uint8Array;
    if (this.json) {
      const value = signal === 'profiles' ? profilesRequestToJson(request as ExportProfilesServiceRequest) : tracesRequestToJson(request as ExportTraceServiceRequest);
      body = Buffer.from(JSON.stringify(value), 'utf8');
    } else {
      body = signal === 'profiles' ? encodeProfilesRequest(request as ExportProfilesServiceRequest) : encodeTracesRequest(request as ExportTraceServiceRequest);
    }
    // gRPC compresses per message on the channel; HTTP bodies are queued compressed.
    if (this.grpc === undefined && this.config.compression === 'gzip') body = await gzipAsync(body);
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

  async send(item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const signal = item.meta.signal === 'traces' ? 'traces' : 'profiles';
    return this.grpc ? this.sendGrpc(signal, item, ctx) : this.sendHttp(signal, item, ctx);
  }

  private async sendGrpc(signal: Signal, item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const res = await this.grpc!.call(OTLP_GRPC_METHODS[signal], item.body, this.config.headers, ctx.timeoutMs, ctx.signal);
    if (!isGrpcOk(res)) return res;
    return this.partialOf(signal, () => (signal === 'profiles' ? decodeProfilesResponse(res.body) : decodeTracesResponse(res.body)));
  }

  private url(signal: Signal): string {
    const explicit = signal === 'profiles' ? this.config.profiles_endpoint : this.config.traces_endpoint;
    return explicit ?? `${this.config.endpoint.replace(/\/+$/, '')}${OTLP_HTTP_PATHS[signal]}`;
  }

  private async sendHttp(signal: Signal, item: QueuedItem, ctx: SendContext): Promise<ExportResult> {
    const headers: Record<string, string> = {
      ...this.config.headers,
      'Content-Type': this.json ? 'application/json' : 'application/x-protobuf',
      'User-Agent': 'otel-profile-bridge',
    };
    if (this.config.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
    const res = await httpPost({ url: this.url(signal), headers, body: item.body, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    const failure = failureOf(res, describeOtlpError);
    if (failure) return failure;
    const body = (res as HttpResponse).body;
    if (body.byteLength === 0) return success();
    return this.partialOf(signal, () => {
      if (!this.json) return signal === 'profiles' ? decodeProfilesResponse(body) : decodeTracesResponse(body);
      const value: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
      return signal === 'profiles' ? profilesResponseFromJson(value) : tracesResponseFromJson(value);
    });
  }

  /** Success, with the partial rejection the response reports (if any). */
  private partialOf(signal: Signal, decode: () => { partialSuccess?: { errorMessage: string; rejectedProfiles?: number; rejectedSpans?: number } }): ExportResult {
    let response;
    try {
      response = decode();
    } catch (e) {
      // The data was accepted (2xx / OK); an unreadable answer must not make us send it again.
      return success({ rejected: 0, message: `unreadable ${signal} export response: ${e instanceof Error ? e.message : String(e)}` });
    }
    const p = response.partialSuccess;
    if (!p) return success();
    const rejected = p.rejectedProfiles ?? p.rejectedSpans ?? 0;
    const partial: PartialRejection = { rejected, message: clipText(p.errorMessage) };
    return success(partial);
  }

  close(): void {
    this.grpc?.close();
  }
}

/** OTLP/HTTP error bodies are google.rpc.Status, protobuf or JSON by content type. */
export function describeOtlpError(res: HttpResponse): string {
  const type = res.headers.get('content-type') ?? '';
  try {
    if (type.includes('application/x-protobuf')) return clipText(decodeRpcStatus(res.body).message);
    if (type.includes('application/json')) {
      const status = rpcStatusFromJson(JSON.parse(Buffer.from(res.body).toString('utf8')));
      if (status.message) return clipText(status.message);
    }
  } catch {
    // fall back to the raw text
  }
  return bodyText(res);
}

export const otlpExporterFactory: ExporterFactory<OtlpExporterConfig> = {
  type: 'otlp',
  configSchema: otlpExporterConfigSchema,
  create: (config: OtlpExporterConfig, ctx: ComponentContext): Exporter => new QueuedExporter(ctx, config, new OtlpBackend(config)),
};

