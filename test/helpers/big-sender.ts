// Run as its own process by tests: builds 60 MiB hostile OTLP bodies and sends them, so that
// the building and the uploading never share an event loop with the test that measures how
// the server answers meanwhile. Usage:
//   node big-sender.js <otlp-http-url> <grpc-host:port> <kind>...   kind: http-proto | http-json | grpc-proto
// Prints one JSON line: [{ kind, status, message }...] in argument order.
import { decodeRpcStatus } from '../../src/otlp/index.js';
import { grpcUnary, PROFILES_METHOD } from './grpc-client.js';

const MiB = 2 ** 20;

export function emptyMessages(): Buffer {
  const b = Buffer.alloc(60 * MiB);
  for (let i = 0; i < b.length; i += 2) b[i] = 0x0a; // resource_profiles, length 0
  return b;
}

export function emptyObjects(): Buffer {
  return Buffer.from(`{"resourceProfiles":[${'{},'.repeat(20 * MiB - 10)}{}]}`);
}

async function send(kind: string, http: string, grpc: string): Promise<{ kind: string; status: number; message: string }> {
  if (kind === 'grpc-proto') {
    const r = await grpcUnary(grpc, PROFILES_METHOD, emptyMessages(), { timeoutMs: 240_000 });
    return { kind, status: r.ok ? 0 : r.code, message: r.ok ? '' : r.details };
  }
  const json = kind === 'http-json';
  const res = await fetch(`${http}/v1development/profiles`, {
    method: 'POST',
    body: json ? emptyObjects() : emptyMessages(),
    headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const message = res.status === 200 ? '' : json ? (JSON.parse(bytes.toString()) as { message: string }).message : decodeRpcStatus(bytes).message;
  return { kind, status: res.status, message };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [http, grpc, ...kinds] = process.argv.slice(2);
  const results = await Promise.all(kinds.map((k) => send(k, http!, grpc!)));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
