// Encoders for opentelemetry.proto.common.v1 and resource.v1 messages.
//
// Conventions shared by every encoder in this folder: proto3 canonical form — fields in
// field-number order, zero scalars and empty repeated fields left out, repeated scalars
// packed; an embedded message is written whenever it is present (even when empty, since
// presence is meaningful for message fields), and an AnyValue writes its one set member even
// when that member is a zero value. Each encoder writes the message body only; the caller
// writes tag + length around it.
import type { AnyValue, EntityRef, InstrumentationScope, KeyValue, Resource } from '../model.js';
import type { Writer } from '../../protobuf/writer.js';

export function encodeAnyValue(w: Writer, v: AnyValue): void {
  // Exactly one member should be set; if several are, the first in field order is written.
  if (v.stringValue !== undefined) {
    w.tag(10);
    w.string(v.stringValue);
  } else if (v.boolValue !== undefined) {
    w.tag(16);
    w.varint32(v.boolValue ? 1 : 0);
  } else if (v.intValue !== undefined) {
    w.tag(24);
    w.varintBig(v.intValue);
  } else if (v.doubleValue !== undefined) {
    w.tag(33);
    w.double(v.doubleValue);
  } else if (v.arrayValue !== undefined) {
    w.tag(42);
    const start = w.fork();
    for (const x of v.arrayValue.values) {
      w.tag(10);
      const s = w.fork();
      encodeAnyValue(w, x);
      w.join(s);
    }
    w.join(start);
  } else if (v.kvlistValue !== undefined) {
    w.tag(50);
    const start = w.fork();
    writeKeyValues(w, 10, v.kvlistValue.values);
    w.join(start);
  } else if (v.bytesValue !== undefined) {
    w.tag(58);
    w.bytes(v.bytesValue);
  } else if (v.stringValueStrindex !== undefined) {
    w.tag(64);
    w.int32(v.stringValueStrindex);
  }
}

export function encodeKeyValue(w: Writer, kv: KeyValue): void {
  if (kv.key !== '') {
    w.tag(10);
    w.string(kv.key);
  }
  if (kv.value !== undefined) {
    w.tag(18);
    const s = w.fork();
    encodeAnyValue(w, kv.value);
    w.join(s);
  }
  if (kv.keyStrindex !== 0) {
    w.tag(24);
    w.int32(kv.keyStrindex);
  }
}

/** A repeated KeyValue field. */
export function writeKeyValues(w: Writer, tag: number, kvs: readonly KeyValue[]): void {
  for (let i = 0; i < kvs.length; i++) {
    w.tag(tag);
    const s = w.fork();
    encodeKeyValue(w, kvs[i]!);
    w.join(s);
  }
}

export function encodeScope(w: Writer, m: InstrumentationScope): void {
  if (m.name !== '') {
    w.tag(10);
    w.string(m.name);
  }
  if (m.version !== '') {
    w.tag(18);
    w.string(m.version);
  }
  writeKeyValues(w, 26, m.attributes);
  if (m.droppedAttributesCount !== 0) {
    w.tag(32);
    w.varint32(m.droppedAttributesCount >>> 0);
  }
}

function encodeEntityRef(w: Writer, m: EntityRef): void {
  if (m.schemaUrl !== '') {
    w.tag(10);
    w.string(m.schemaUrl);
  }
  if (m.type !== '') {
    w.tag(18);
    w.string(m.type);
  }
  for (const k of m.idKeys) {
    w.tag(26);
    w.string(k);
  }
  for (const k of m.descriptionKeys) {
    w.tag(34);
    w.string(k);
  }
}

export function encodeResource(w: Writer, m: Resource): void {
  writeKeyValues(w, 10, m.attributes);
  if (m.droppedAttributesCount !== 0) {
    w.tag(16);
    w.varint32(m.droppedAttributesCount >>> 0);
  }
  for (const e of m.entityRefs) {
    w.tag(26);
    const s = w.fork();
    encodeEntityRef(w, e);
    w.join(s);
  }
}

/** Writes an optional embedded message field: tag, length, body. */
export function writeMessage<T>(w: Writer, tag: number, m: T | undefined, encode: (w: Writer, m: T) => void): void {
  if (m === undefined) return;
  w.tag(tag);
  const s = w.fork();
  encode(w, m);
  w.join(s);
}
