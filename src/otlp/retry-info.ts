// google.rpc.RetryInfo inside a google.rpc.Status, the way gRPC servers say "retry after":
// the status travels in the `grpc-status-details-bin` trailer with a RetryInfo among its
// details. The receivers write it on back-pressure; the exporters read it from backends.
//
//   Any       { string type_url = 1; bytes value = 2; }
//   RetryInfo { google.protobuf.Duration retry_delay = 1; }
//   Duration  { int64 seconds = 1; int32 nanos = 2; }
import { decodeRpcStatus } from './decode.js';
import { encodeRpcStatus } from './encode.js';
import { Reader } from '../protobuf/reader.js';
import { Writer } from '../protobuf/writer.js';

export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** retry_delay of the first google.rpc.RetryInfo among a google.rpc.Status's details. */
export function retryInfoDelayMs(statusBytes: Uint8Array): number | undefined {
  try {
    for (const anyBytes of decodeRpcStatus(statusBytes).details) {
      const any = decodeAny(anyBytes);
      if (any.typeUrl === RETRY_INFO_TYPE) return decodeRetryInfoMs(any.value);
    }
  } catch {
    // Unreadable details are ignored: the status code alone decides.
  }
  return undefined;
}

function decodeAny(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } {
  const r = new Reader(bytes);
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array(0);
  while (r.pos < r.limit) {
    const tag = r.tag();
    if (tag === 10) typeUrl = r.string();
    else if (tag === 18) value = r.bytes();
    else r.skip(tag);
  }
  return { typeUrl, value };
}

/** RetryInfo { google.protobuf.Duration retry_delay = 1 }; Duration { int64 seconds = 1; int32 nanos = 2 }. */
function decodeRetryInfoMs(bytes: Uint8Array): number | undefined {
  const r = new Reader(bytes);
  let ms: number | undefined;
  while (r.pos < r.limit) {
    const tag = r.tag();
    if (tag !== 10) {
      r.skip(tag);
      continue;
    }
    const saved = r.enter();
    let seconds = 0;
    let nanos = 0;
    while (r.pos < r.limit) {
      const t = r.tag();
      if (t === 8) seconds = r.int64Number();
      else if (t === 16) nanos = r.int32();
      else r.skip(t);
    }
    r.leave(saved);
    ms = Math.max(0, Math.round(seconds * 1000 + nanos / 1e6));
  }
  return ms;
}

/** A google.rpc.Status carrying `code`, `message` and a RetryInfo of `delayMs`. */
export function encodeRetryInfoStatus(code: number, message: string, delayMs: number): Uint8Array {
  const ms = Math.max(0, Math.round(delayMs));
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  const w = new Writer(64);
  w.tag(10); // RetryInfo.retry_delay
  const d = w.fork();
  if (seconds !== 0) {
    w.tag(8);
    w.varint32(seconds);
  }
  if (nanos !== 0) {
    w.tag(16);
    w.varint32(nanos);
  }
  w.join(d);
  const retryInfo = w.finish();
  const a = new Writer(128);
  a.tag(10);
  a.string(RETRY_INFO_TYPE);
  a.tag(18);
  a.bytes(retryInfo);
  return encodeRpcStatus({ code, message, details: [a.finish()] });
}
