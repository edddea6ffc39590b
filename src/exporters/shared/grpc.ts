// One unary gRPC attempt with raw bytes through @grpc/grpc-js (our codecs do the protobuf),
// and what a gRPC status means for retrying.
//
// Retryable (the OTLP client rules): CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED only when the server says when to come back
// (google.rpc.RetryInfo in `grpc-status-details-bin`, or a `retry-after` entry); without
// that it means "too large" and is permanent, like every other code (INVALID_ARGUMENT,
// UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED, ...).
import { readFileSync } from 'node:fs';
import {
  Client,
  credentials,
  Metadata,
  status as GrpcStatus,
  type ChannelCredentials,
  type ChannelOptions,
  type ServiceError,
} from '@grpc/grpc-js';
import { retryInfoDelayMs } from '../../otlp/retry-info.js';
import { parseRetryAfter } from './backoff.js';
import { permanent, retryable, type ExportResult } from './result.js';
import { clipText } from './text.js';

const RETRYABLE = new Set<number>([
  GrpcStatus.CANCELLED,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.ABORTED,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

export interface GrpcTarget {
  /** host:port, or a URL whose scheme says whether TLS is used (http:// = plaintext). */
  endpoint: string;
  insecure: boolean;
  /** PEM file of the CA that signs the server's certificate (default: the system roots). */
  caFile?: string;
  gzip?: boolean;
  /** Reconnect backoff bounds: a recovered backend is found again within maxReconnectMs. */
  initialReconnectMs?: number;
  maxReconnectMs?: number;
}

/** `host:port` and whether TLS applies, from an endpoint written either way. */
export function grpcAddress(endpoint: string, insecure: boolean): { address: string; insecure: boolean } {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(endpoint);
  if (m) return { address: m[2]!, insecure: m[1] === 'http' ? true : insecure };
  return { address: endpoint, insecure };
}

export type GrpcCallOutcome = { ok: true; body: Buffer } | ExportResult;

export class GrpcUnaryClient {
  private readonly client: Client;

  constructor(target: GrpcTarget) {
    const { address, insecure } = grpcAddress(target.endpoint, target.insecure);
    const creds: ChannelCredentials = insecure
      ? credentials.createInsecure()
      : credentials.createSsl(target.caFile ? readFileSync(target.caFile) : null);
    const options: ChannelOptions = {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': 16 * 2 ** 20,
      'grpc.initial_reconnect_backoff_ms': target.initialReconnectMs ?? 1000,
      'grpc.max_reconnect_backoff_ms': target.maxReconnectMs ?? 10_000,
      ...(target.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
    };
    this.client = new Client(address, creds, options);
  }

  /** One call; resolves with the response bytes or with the failure as an ExportResult. */
  call(method: string, body: Uint8Array, metadata: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<GrpcCallOutcome> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    if (signal?.aborted) return Promise.resolve(retryable('aborted', 'attempt aborted (shutting down)'));
    return new Promise((resolve) => {
      const call = this.client.makeUnaryRequest(
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
    this.client.close();
  }
}

export function isGrpcOk(x: GrpcCallOutcome): x is { ok: true; body: Buffer } {
  return (x as { ok?: boolean }).ok === true;
}

const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k.toLowerCase()]),
);

export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? `code_${code}`;
}

export function resultOfGrpcError(err: Pick<ServiceError, 'code' | 'details' | 'metadata'>): ExportResult {
  const name = grpcCodeName(err.code);
  const message = `gRPC ${name.toUpperCase()}${err.details ? `: ${clipText(err.details)}` : ''}`;
  const retryAfterMs = retryDelayOf(err.metadata);
  if (RETRYABLE.has(err.code)) return retryable(`grpc_${name}`, message, retryAfterMs);
  if (err.code === GrpcStatus.RESOURCE_EXHAUSTED && retryAfterMs !== undefined) return retryable(`grpc_${name}`, message, retryAfterMs);
  return permanent(`grpc_${name}`, message);
}

/** The server's "retry after", from google.rpc.RetryInfo or a `retry-after` entry. */
export function retryDelayOf(metadata: Metadata | undefined): number | undefined {
  if (!metadata) return undefined;
  for (const v of metadata.get('grpc-status-details-bin')) {
    if (typeof v === 'string') continue;
    const ms = retryInfoDelayMs(v);
    if (ms !== undefined) return ms;
  }
  const header = metadata.get('retry-after')[0];
  return typeof header === 'string' ? parseRetryAfter(header) : undefined;
}

