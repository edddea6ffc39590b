// A raw grpc-js client for tests: sends already-encoded bytes to a unary method and returns
// the response bytes or the gRPC error (code + details), like any OTLP gRPC client would see.
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

export const TRACES_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const PROFILES_METHOD = '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export';

export type UnaryResult = { ok: true; body: Buffer } | { ok: false; code: number; details: string; metadata: Metadata };

export async function grpcUnary(
  address: string,
  method: string,
  body: Uint8Array,
  options: { gzip?: boolean; metadata?: Record<string, string>; timeoutMs?: number } = {},
): Promise<UnaryResult> {
  const client = new Client(address, credentials.createInsecure(), {
    ...(options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
  const md = new Metadata();
  for (const [k, v] of Object.entries(options.metadata ?? {})) md.set(k, v);
  try {
    return await new Promise<UnaryResult>((resolve) => {
      client.makeUnaryRequest(
        method,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        body,
        md,
        { deadline: Date.now() + (options.timeoutMs ?? 30_000) },
        (err: ServiceError | null, res?: Buffer) => {
          if (err) resolve({ ok: false, code: err.code, details: err.details, metadata: err.metadata });
          else resolve({ ok: true, body: res ?? Buffer.alloc(0) });
        },
      );
    });
  } finally {
    client.close();
  }
}
