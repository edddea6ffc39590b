// One unary gRPC attempt with raw bytes through @grpc/grpc-js (our codecs do the protobuf),
// and what a gRPC status means for retrying (the rules are in retry.ts).
//
// @grpc/grpc-js is loaded on the first call, so that a process that never speaks gRPC (an
// app whose profiler sends OTLP/HTTP) does not load it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ChannelOptions, Client, Metadata, ServiceError } from '@grpc/grpc-js';
import { GRPC_CODES, isRetryableGrpcCode, retryDelayOf, type MetadataLike } from './retry.js';
import { permanent, retryable, type ExportResult } from '../component/result.js';
import { clipText } from './text.js';

type GrpcModule = typeof import('@grpc/grpc-js');

export interface GrpcTarget {
  /** host:port, or a URL whose scheme says whether TLS is used (http:// = plaintext). */
  endpoint: string;
  /** Plaintext for a bare host:port (a URL's scheme overrides it). */
  insecure: boolean;
  /** PEM file of the CA that signs the server's certificate (default: the system roots). */
  caFile?: string;
  gzip?: boolean;
  userAgent?: string;
  /** Reconnect backoff bounds: a recovered backend is found again within maxReconnectMs. */
  initialReconnectMs?: number;
  maxReconnectMs?: number;
}

/**
 * `host:port` and whether TLS applies, from an endpoint written either way. A URL without a
 * port gets the OTLP/gRPC default 4317 (443 for https).
 */
export function grpcAddress(endpoint: string, insecure: boolean): { address: string; insecure: boolean } {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(endpoint);
  if (!m) return { address: endpoint, insecure };
  const tls = m[1] === 'https';
  const hostPort = /:\d+$/.test(m[2]!) ? m[2]! : `${m[2]!}:${tls ? 443 : 4317}`;
  return { address: hostPort, insecure: tls ? insecure : true };
}

export type GrpcCallOutcome = { ok: true; body: Buffer } | ExportResult;

export class GrpcUnaryClient {
  private client: Client | undefined;
  private grpc: GrpcModule | undefined;

  constructor(private readonly target: GrpcTarget) {}

  private connect(): { grpc: GrpcModule; client: Client } {
    if (this.grpc === undefined || this.client === undefined) {
      const grpc = createRequire(import.meta.url)('@grpc/grpc-js') as GrpcModule;
      const t = this.target;
      const { address, insecure } = grpcAddress(t.endpoint, t.insecure);
      const creds = insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(t.caFile ? readFileSync(t.caFile) : null);
      const options: ChannelOptions = {
        'grpc.max_send_message_length': -1,
        'grpc.max_receive_message_length': 16 * 2 ** 20,
        'grpc.initial_reconnect_backoff_ms': t.initialReconnectMs ?? 1000,
        'grpc.max_reconnect_backoff_ms': t.maxReconnectMs ?? 10_000,
        ...(t.userAgent ? { 'grpc.primary_user_agent': t.userAgent } : {}),
        ...(t.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
      };
      this.client = new grpc.Client(address, creds, options);
      this.grpc = grpc;
    }
    return { grpc: this.grpc, client: this.client };
  }

  /** One call; resolves with the response bytes or with the failure as an ExportResult. */
  call(method: string, body: Uint8Array, metadata: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<GrpcCallOutcome> {
    if (signal?.aborted) return Promise.resolve(retryable('aborted', 'attempt aborted (shutting down)'));
    let conn: { grpc: GrpcModule; client: Client };
    try {
      conn = this.connect();
    } catch (e) {
      // A missing or broken @grpc/grpc-js, or an unreadable CA file: retrying cannot help.
      return Promise.resolve(permanent('grpc_client', `gRPC client unavailable: ${e instanceof Error ? e.message : String(e)}`));
    }
    const md: Metadata = new conn.grpc.Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k.toLowerCase(), v);
    return new Promise((resolve) => {
      const call = conn.client.makeUnaryRequest(
        method,
        (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        (b: Buffer) => b,
        body,
        md,
        { deadline: Date.now() + timeoutMs },
        (err: ServiceError | null, res?: Buffer) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) resolve(signal?.aborted ? retryable('aborted', 'attempt aborted (shutting down)') : resultOfGrpcError(err));
          else resolve({ ok: true, body: res ?? Buffer.alloc(0) });
        },
      );
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

export function isGrpcOk(x: GrpcCallOutcome): x is { ok: true; body: Buffer } {
  return (x as { ok?: boolean }).ok === true;
}

const CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(GRPC_CODES).map(([k, v]) => [v, k.toLowerCase()]));

export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? `code_${code}`;
}

export function resultOfGrpcError(err: Pick<ServiceError, 'code' | 'details'> & { metadata?: MetadataLike }): ExportResult {
  const name = grpcCodeName(err.code);
  const message = `gRPC ${name.toUpperCase()}${err.details ? `: ${clipText(err.details)}` : ''}`;
  const retryAfterMs = retryDelayOf(err.metadata);
  if (isRetryableGrpcCode(err.code, retryAfterMs !== undefined)) return retryable(`grpc_${name}`, message, retryAfterMs);
  return permanent(`grpc_${name}`, message);
}
