// Decoders for opentelemetry.proto.common.v1 and resource.v1 messages.
//
// Conventions shared by every decoder in this folder:
// - each decoder reads fields until `r.limit` (set by `Reader.enter` for embedded messages);
// - the switch is on the whole tag (field number and wire type), so a known field sent with
//   an unexpected wire type falls to `r.skip`, like an unknown field;
// - a singular embedded message that appears more than once is merged into the first, as
//   protobuf specifies: the decoder takes the existing object as `into`, scalars are
//   overwritten, repeated fields appended and sub-messages merged in turn. For AnyValue
//   (a oneof), a later member replaces an earlier one unless both are the same message
//   kind, which is merged;
// - faults are re-thrown through `locate` so the message names message and field.
import type {
  AnyValue,
  ArrayValue,
  EntityRef,
  InstrumentationScope,
  KeyValue,
  KeyValueList,
  Resource,
} from '../model.js';
import { type MessageInfo, type Reader, locate, messageInfo } from '../../protobuf/reader.js';

const ANY_VALUE = messageInfo('AnyValue', {
  1: 'string_value',
  2: 'bool_value',
  3: 'int_value',
  4: 'double_value',
  5: 'array_value',
  6: 'kvlist_value',
  7: 'bytes_value',
  8: 'string_value_strindex',
});
const ARRAY_VALUE = messageInfo('ArrayValue', { 1: 'values' });
const KEY_VALUE_LIST = messageInfo('KeyValueList', { 1: 'values' });
const KEY_VALUE = messageInfo('KeyValue', { 1: 'key', 2: 'value', 3: 'key_strindex' });
const SCOPE = messageInfo('InstrumentationScope', {
  1: 'name',
  2: 'version',
  3: 'attributes',
  4: 'dropped_attributes_count',
});
const ENTITY_REF = messageInfo('EntityRef', { 1: 'schema_url', 2: 'type', 3: 'id_keys', 4: 'description_keys' });
const RESOURCE = messageInfo('Resource', { 1: 'attributes', 2: 'dropped_attributes_count', 3: 'entity_refs' });

export function decodeAnyValue(r: Reader, into?: AnyValue): AnyValue {
  let v: AnyValue | undefined = into;
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          v = { stringValue: r.string() };
          break;
        case 16:
          v = { boolValue: r.bool() };
          break;
        case 24:
          v = { intValue: r.int64Big() };
          break;
        case 33:
          v = { doubleValue: r.double() };
          break;
        case 42: {
          const saved = r.enter();
          v = { arrayValue: decodeArrayValue(r, v?.arrayValue) };
          r.leave(saved);
          break;
        }
        case 50: {
          const saved = r.enter();
          v = { kvlistValue: decodeKeyValueList(r, v?.kvlistValue) };
          r.leave(saved);
          break;
        }
        case 58:
          v = { bytesValue: r.bytes() };
          break;
        case 64:
          v = { stringValueStrindex: r.int32() };
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, ANY_VALUE, tag);
  }
  return v ?? {};
}

function decodeArrayValue(r: Reader, into?: ArrayValue): ArrayValue {
  const m: ArrayValue = into ?? { values: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) {
        const saved = r.enter();
        m.values.push(decodeAnyValue(r));
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, ARRAY_VALUE, tag);
  }
  return m;
}

function decodeKeyValueList(r: Reader, into?: KeyValueList): KeyValueList {
  const m: KeyValueList = into ?? { values: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) {
        const saved = r.enter();
        m.values.push(decodeKeyValue(r));
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, KEY_VALUE_LIST, tag);
  }
  return m;
}

export function decodeKeyValue(r: Reader): KeyValue {
  const m: KeyValue = { key: '', keyStrindex: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          m.key = r.string();
          break;
        case 18: {
          const saved = r.enter();
          m.value = decodeAnyValue(r, m.value);
          r.leave(saved);
          break;
        }
        case 24:
          m.keyStrindex = r.int32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, KEY_VALUE, tag);
  }
  return m;
}

/** Reads one KeyValue element of a repeated field (its length prefix included). */
export function readKeyValue(r: Reader, out: KeyValue[]): void {
  const saved = r.enter();
  out.push(decodeKeyValue(r));
  r.leave(saved);
}

export function decodeScope(r: Reader, into?: InstrumentationScope): InstrumentationScope {
  const m: InstrumentationScope = into ?? { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          m.name = r.string();
          break;
        case 18:
          m.version = r.string();
          break;
        case 26:
          readKeyValue(r, m.attributes);
          break;
        case 32:
          m.droppedAttributesCount = r.uint32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, SCOPE, tag);
  }
  return m;
}

function decodeEntityRef(r: Reader): EntityRef {
  const m: EntityRef = { schemaUrl: '', type: '', idKeys: [], descriptionKeys: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          m.schemaUrl = r.string();
          break;
        case 18:
          m.type = r.string();
          break;
        case 26:
          m.idKeys.push(r.string());
          break;
        case 34:
          m.descriptionKeys.push(r.string());
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, ENTITY_REF, tag);
  }
  return m;
}

export function decodeResource(r: Reader, into?: Resource): Resource {
  const m: Resource = into ?? { attributes: [], droppedAttributesCount: 0, entityRefs: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10:
          readKeyValue(r, m.attributes);
          break;
        case 16:
          m.droppedAttributesCount = r.uint32();
          break;
        case 26: {
          const saved = r.enter();
          m.entityRefs.push(decodeEntityRef(r));
          r.leave(saved);
          break;
        }
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, RESOURCE, tag);
  }
  return m;
}

/** What one of the grouping messages holds; see `decodeGroup`. */
export interface Group<H, C> {
  head: H | undefined;
  children: C[];
  schemaUrl: string;
}

/**
 * ResourceSpans, ScopeSpans, ResourceProfiles and ScopeProfiles share one layout: field 1 a
 * singular message (resource or scope, merged when repeated), field 2 the repeated children,
 * field 3 schema_url. One loop reads all four; `info` names the message in errors.
 */
export function decodeGroup<H, C>(
  r: Reader,
  info: MessageInfo,
  decodeHead: (r: Reader, into?: H) => H,
  decodeChild: (r: Reader) => C,
): Group<H, C> {
  const g: Group<H, C> = { head: undefined, children: [], schemaUrl: '' };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10: {
          const saved = r.enter();
          g.head = decodeHead(r, g.head);
          r.leave(saved);
          break;
        }
        case 18: {
          const saved = r.enter();
          g.children.push(decodeChild(r));
          r.leave(saved);
          break;
        }
        case 26:
          g.schemaUrl = r.string();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, info, tag);
  }
  return g;
}
