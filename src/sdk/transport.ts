// Sending encoded ExportProfilesServiceRequest bytes, with the OTLP exporter conventions:
// OTLP/HTTP POST (protobuf or JSON, optionally gzip'd) or OTLP/gRPC (raw bytes through
// @grpc/grpc-js, gzip by the channel). One attempt per call; the caller retries.
//
// Retryable per the OTLP spec: HTTP 429/502/503/504 (with Retry-After) and network errors;
// gRPC CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS.
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { decodeProfilesResponse } from '../otlp/index.js';

export type SendResult =
  | { ok: true; rejectedProfiles: number; message: string }
  | { ok: false; retryable: boolean; retryAfterMillis?: number; reason: string };

export interface SendOptions {
  /** Per-attempt timeout. */
  timeoutMillis: number;
  /**
   * Background sends do not keep the process alive (the app may exit while one is in
   * flight); the final flush on shutdown is sent in the foreground.
   */
  background: boolean;
}

export interface ProfilesSender {
  send(body: Uint8Array, options: SendOptions): Promise<SendResult>;
  close(): void;
}

const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);

/** Retry-After as seconds or an HTTP-date, in milliseconds from now (undefined when absent or unreadable). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function partialSuccess(body: Buffer, contentType: string | undefined): { rejectedProfiles: number; message: string } {
  if (body.length === 0 || !(contentType ?? '').includes('protobuf')) return { rejectedProfiles: 0, message: '' };
  try {
    const ps = decodeProfilesResponse(body).partialSuccess;
    return { rejectedProfiles: ps?.rejectedProfiles ?? 0, message: ps?.errorMessage ?? '' };
  } catch {
    return { rejectedProfiles: 0, message: '' };
  }
}

export interface HttpSenderOptions {
  url: string;
  headers: Record<string, string>;
  contentType: 'application/x-protobuf' | 'application/json';
  /** The body is already gzip'd. */
  gzip: boolean;
  userAgent: string;
}

export class HttpSender implements ProfilesSender {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: HttpSenderOptions) {
    this.url = new URL(options.url);
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 2 });
  }

  send(body: Uint8Array, { timeoutMillis, background }: SendOptions): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (r: SendResult): void => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const headers: Record<string, string | number> = {
        ...this.options.headers,
        'content-type': this.options.contentType,
        'content-length': body.byteLength,
        'user-agent': this.options.userAgent,
      };
      if (this.options.gzip) headers['content-encoding'] = 'gzip';
      const request = this.url.protocol === 'https:' ? https.request : http.request;
      const req = request(this.url, { method: 'POST', headers, agent: this.agent, timeout: timeoutMillis }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Responses are small; a huge one is not worth holding.
          if (size < 4 * 1024 * 1024) chunks.push(c);
          size += c.length;
        });
        res.on('error', (err) => done({ ok: false, retryable: true, reason: `response error: ${err.message}` }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const payload = Buffer.concat(chunks);
          if (status >= 200 && status < 300) {
            done({ ok: true, ...partialSuccess(payload, res.headers['content-type']) });
          } else {
            const retryAfterMillis = parseRetryAfter(res.headers['retry-after'] as string | undefined);
            done({
              ok: false,
              retryable: RETRYABLE_HTTP.has(status),
              ...(retryAfterMillis !== undefined ? { retryAfterMillis } : {}),
              reason: `HTTP ${status}`,
            });
          }
        });
      });
      req.on('socket', (socket) => {
        if (background) socket.unref();
        else socket.ref();
      });
      req.on('timeout', () => {
        req.destroy(new Error(`no answer within ${timeoutMillis} ms`));
      });
      req.on('error', (err) => done({ ok: false, retryable: true, reason: err.message }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export const PROFILES_GRPC_METHOD = '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export';

// gRPC status codes the OTLP spec lists as retryable.
const RETRYABLE_GRPC = new Set([1, 4, 10, 11, 14, 15]);

type GrpcModule = typeof import('@grpc/grpc-js');

export interface GrpcSenderOptions {
  url: string;
  headers: Record<string, string>;
  gzip: boolean;
  userAgent: string;
}

/** OTLP/gRPC with raw bytes; @grpc/grpc-js is loaded on first use. */
export class GrpcSender implements ProfilesSender {
  private client: InstanceType<GrpcModule['Client']> | undefined;
  private grpc: GrpcModule | undefined;

  constructor(private readonly options: GrpcSenderOptions) {}

  private connect(): { grpc: GrpcModule; client: InstanceType<GrpcModule['Client']> } {
    if (this.grpc === undefined || this.client === undefined) {
      const grpc = createRequire(import.meta.url)('@grpc/grpc-js') as GrpcModule;
      const u = new URL(this.options.url);
      const port = u.port || (u.protocol === 'https:' ? '443' : '4317');
      const credentials = u.protocol === 'https:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
      this.client = new grpc.Client(`${u.hostname}:${port}`, credentials, {
        'grpc.primary_user_agent': this.options.userAgent,
        ...(this.options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
      });
      this.grpc = grpc;
    }
    return { grpc: this.grpc, client: this.client };
  }

  send(body: Uint8Array, { timeoutMillis }: SendOptions): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      let conn: ReturnType<GrpcSender['connect']>;
      try {
        conn = this.connect();
      } catch (err) {
        resolve({ ok: false, retryable: false, reason: `gRPC client unavailable: ${(err as Error).message}` });
        return;
      }
      const { grpc, client } = conn;
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(this.options.headers)) metadata.set(k.toLowerCase(), v);
      const raw = (b: Buffer): Buffer => b;
      client.makeUnaryRequest<Buffer, Buffer>(
        PROFILES_GRPC_METHOD,
        (b) => b,
        raw,
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        metadata,
        { deadline: Date.now() + timeoutMillis },
        (err, res) => {
          if (err) {
            resolve({ ok: false, retryable: RETRYABLE_GRPC.has(err.code), reason: `gRPC ${grpc.status[err.code] ?? err.code}: ${err.details}` });
            return;
          }
          let rejectedProfiles = 0;
          let message = '';
          try {
            const ps = res && res.length > 0 ? decodeProfilesResponse(res).partialSuccess : undefined;
            rejectedProfiles = ps?.rejectedProfiles ?? 0;
            message = ps?.errorMessage ?? '';
          } catch {
            // An unreadable response to a successful call: the data was accepted.
          }
          resolve({ ok: true, rejectedProfiles, message });
        },
      );
    });
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
