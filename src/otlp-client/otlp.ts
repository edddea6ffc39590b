// The OTLP exporter side of the wire: one encoded Export*ServiceRequest sent to an OTLP
// endpoint over OTLP/HTTP (protobuf or JSON, the body possibly already gzip'd) or OTLP/gRPC
// (gzip by the channel), and the answer read the OTLP way: a 2xx / OK with a partial success
// is a success that reports what was rejected (never retried); errors are classified by
// retry.ts and described with the server's google.rpc.Status message. One attempt per call:
// the caller retries (the SDK plugin's exporter, the bridge's sending queue).
import http from 'node:http';
import https from 'node:https';
import {
  decodeProfilesResponse,
  decodeRpcStatus,
  decodeTracesResponse,
  profilesResponseFromJson,
  rpcStatusFromJson,
  tracesResponseFromJson,
} from '../otlp/index.js';
import { GrpcUnaryClient, isGrpcOk } from './grpc.js';
import { bodyText, failureOf, httpPost, type HttpResponse } from './http.js';
import { success, type ExportResult } from '../component/result.js';
import { clipText } from './text.js';

export type OtlpSignal = 'traces' | 'profiles';

export const OTLP_GRPC_METHODS: Record<OtlpSignal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  profiles: '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
};

export const OTLP_HTTP_PATHS: Record<OtlpSignal, string> = {
  traces: '/v1/traces',
  profiles: '/v1development/profiles',
};

export interface SendOptions {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Aborts the attempt (shutdown). */
  abort?: AbortSignal;
  /** Do not keep the process alive for this attempt (the SDK plugin's background sends). */
  background?: boolean;
}

/** One OTLP endpoint for one signal. */
export interface OtlpSender {
  send(body: Uint8Array, options: SendOptions): Promise<ExportResult>;
  close(): void;
}

export interface HttpSenderOptions {
  /** The full URL, path included (e.g. http://host:4318/v1development/profiles). */
  url: string;
  headers: Record<string, string>;
  contentType: 'application/x-protobuf' | 'application/json';
  /** The body is already gzip'd. */
  gzip: boolean;
  userAgent: string;
  /** Which response message to read (default: profiles). */
  signal?: OtlpSignal;
}

export class HttpSender implements OtlpSender {
  private readonly agent: http.Agent;
  private readonly signal: OtlpSignal;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpSenderOptions) {
    this.signal = options.signal ?? 'profiles';
    this.agent = new URL(options.url).protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.headers = { ...options.headers, 'content-type': options.contentType, 'user-agent': options.userAgent };
    if (options.gzip) this.headers['content-encoding'] = 'gzip';
  }

  async send(body: Uint8Array, options: SendOptions): Promise<ExportResult> {
    const res = await httpPost({
      url: this.options.url,
      headers: this.headers,
      body,
      timeoutMs: options.timeoutMs,
      signal: options.abort,
      background: options.background,
      agent: this.agent,
    });
    const failure = failureOf(res, describeOtlpError);
    if (failure) return failure;
    const answer = (res as HttpResponse).body;
    if (answer.byteLength === 0) return success();
    const json = this.options.contentType === 'application/json';
    return partialOf(this.signal, () => {
      if (!json) return this.signal === 'profiles' ? decodeProfilesResponse(answer) : decodeTracesResponse(answer);
      const value: unknown = JSON.parse(Buffer.from(answer).toString('utf8'));
      return this.signal === 'profiles' ? profilesResponseFromJson(value) : tracesResponseFromJson(value);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface GrpcSenderOptions {
  /** http://host:port (plaintext), https://host:port (TLS), or host:port (TLS unless `insecure`). */
  url: string;
  headers: Record<string, string>;
  /** Compress messages on the channel. */
  gzip: boolean;
  userAgent?: string;
  signal?: OtlpSignal;
  insecure?: boolean;
  caFile?: string;
  initialReconnectMs?: number;
  maxReconnectMs?: number;
}

export class GrpcSender implements OtlpSender {
  private readonly client: GrpcUnaryClient;
  private readonly signal: OtlpSignal;
  private readonly metadata: Record<string, string>;

  constructor(options: GrpcSenderOptions) {
    this.signal = options.signal ?? 'profiles';
    this.metadata = options.headers;
    this.client = new GrpcUnaryClient({
      endpoint: options.url,
      insecure: options.insecure ?? false,
      caFile: options.caFile,
      gzip: options.gzip,
      userAgent: options.userAgent,
      initialReconnectMs: options.initialReconnectMs,
      maxReconnectMs: options.maxReconnectMs,
    });
  }

  async send(body: Uint8Array, options: SendOptions): Promise<ExportResult> {
    const res = await this.client.call(OTLP_GRPC_METHODS[this.signal], body, this.metadata, options.timeoutMs, options.abort);
    if (!isGrpcOk(res)) return res;
    if (res.body.byteLength === 0) return success();
    return partialOf(this.signal, () => (this.signal === 'profiles' ? decodeProfilesResponse(res.body) : decodeTracesResponse(res.body)));
  }

  close(): void {
    this.client.close();
  }
}

type ExportResponse = { partialSuccess?: { errorMessage: string; rejectedProfiles?: number; rejectedSpans?: number } };

/** Success, with the partial rejection the response reports (if any). */
function partialOf(signal: OtlpSignal, decode: () => ExportResponse): ExportResult {
  let response: ExportResponse;
  try {
    response = decode();
  } catch (e) {
    // The data was accepted (2xx / OK); an unreadable answer must not make us send it again.
    return success({ rejected: 0, message: `unreadable ${signal} export response: ${e instanceof Error ? e.message : String(e)}` });
  }
  const p = response.partialSuccess;
  if (!p) return success();
  return success({ rejected: p.rejectedProfiles ?? p.rejectedSpans ?? 0, message: clipText(p.errorMessage) });
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
