// google.protobuf.Any: type_url (1, string), value (2, bytes). The model keeps the details
// of a google.rpc.Status as the raw bytes of each Any; these read and write those bytes
// where a detail's content matters (the OTLP/JSON form of a Status).
import { Reader, locate, messageInfo } from '../../protobuf/reader.js';
import { Writer } from '../../protobuf/writer.js';

const ANY = messageInfo('google.protobuf.Any', { 1: 'type_url', 2: 'value' });

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
