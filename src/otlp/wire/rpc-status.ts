// google.rpc.Status, the error body of OTLP/HTTP: code (int32, 1), message (string, 2),
// details (repeated google.protobuf.Any, 3; kept as the raw bytes of each Any).
import type { RpcStatus } from '../model.js';
import { Reader, locate, messageInfo } from '../../protobuf/reader.js';
import { Writer } from '../../protobuf/writer.js';

const STATUS = messageInfo('google.rpc.Status', { 1: 'code', 2: 'message', 3: 'details' });
const ANY = messageInfo('google.protobuf.Any', { 1: 'type_url', 2: 'value' });

export function decodeRpcStatusMessage(r: Reader): RpcStatus {
  const m: RpcStatus = { code: 0, message: '', details: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.code = r.int32();
          break;
        case 18:
          m.message = r.string();
          break;
        case 26:
          m.details.push(r.bytes());
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, STATUS, tag);
  }
  return m;
}

export function encodeRpcStatusMessage(w: Writer, m: RpcStatus): void {
  if (m.code !== 0) {
    w.tag(8);
    w.int32(m.code);
  }
  if (m.message !== '') {
    w.tag(18);
    w.string(m.message);
  }
  for (const d of m.details) {
    w.tag(26);
    w.bytes(d);
  }
}

/** The bytes of a google.protobuf.Any: type_url (1, string), value (2, bytes). */
export function encodeAnyMessage(typeUrl: string, value: Uint8Array): Uint8Array {
  const w = new Writer(64 + value.length);
  if (typeUrl !== '') {
    w.tag(10);
    w.string(typeUrl);
  }
  if (value.length !== 0) {
    w.tag(18);
    w.bytes(value);
  }
  return w.finish();
}

/** Reads the bytes of a google.protobuf.Any (throws DecodeError when they are not one). */
export function decodeAnyMessage(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } {
  const r = new Reader(bytes);
  const m: { typeUrl: string; value: Uint8Array } = { typeUrl: '', value: new Uint8Array(0) };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) m.typeUrl = r.string();
      else if (tag === 18) m.value = r.bytes();
      else r.skip(tag);
    }
  } catch (e) {
    throw locate(e, ANY, tag);
  }
  return m;
}
