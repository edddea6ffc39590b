// An allocation-free walk over an OTLP protobuf request that counts nested messages (and
// samples, strings, attributes) per field of the known schema, without decoding anything:
// it reads tags and lengths and jumps over every payload. It throws RequestLimitError as soon
// as a count passes its limit, so a hostile body is refused after scanning only as many bytes
// as the limit allows. Malformed input just ends the walk: the real decoder then reports the
// fault with its precise message and byte offset.
import { MAX_DEPTH } from '../../protobuf/reader.js';
import type { CountedKind, Tally } from './limits.js';

/** A message type: for each field number holding a sub-message (or a counted string), where it leads. */
interface MessageNode {
  fields: Record<number, Edge>;
}
interface Edge {
  /** The sub-message's type; undefined for a counted string/bytes field. */
  node?: MessageNode;
  count?: CountedKind;
}

const leaf = (): MessageNode => ({ fields: {} });
const msg = (node: MessageNode, count?: CountedKind): Edge => (count ? { node, count } : { node });

// common.proto
const ANY_VALUE: MessageNode = { fields: {} };
const KEY_VALUE: MessageNode = { fields: { 2: msg(ANY_VALUE) } };
const ARRAY_VALUE: MessageNode = { fields: { 1: msg(ANY_VALUE) } };
const KEY_VALUE_LIST: MessageNode = { fields: { 1: msg(KEY_VALUE, 'attributes') } };
ANY_VALUE.fields[5] = msg(ARRAY_VALUE);
ANY_VALUE.fields[6] = msg(KEY_VALUE_LIST);
const ATTRIBUTE = msg(KEY_VALUE, 'attributes');
const RESOURCE: MessageNode = { fields: { 1: ATTRIBUTE, 3: msg(leaf()) } };
const SCOPE: MessageNode = { fields: { 3: ATTRIBUTE } };

// trace.proto
const EVENT: MessageNode = { fields: { 3: ATTRIBUTE } };
const LINK: MessageNode = { fields: { 4: ATTRIBUTE } };
const SPAN: MessageNode = { fields: { 9: ATTRIBUTE, 11: msg(EVENT), 13: msg(LINK), 15: msg(leaf()) } };
const SCOPE_SPANS: MessageNode = { fields: { 1: msg(SCOPE), 2: msg(SPAN) } };
const RESOURCE_SPANS: MessageNode = { fields: { 1: msg(RESOURCE), 2: msg(SCOPE_SPANS) } };
export const TRACES_REQUEST: MessageNode = { fields: { 1: msg(RESOURCE_SPANS) } };

// profiles.proto (v1development)
const VALUE_TYPE = leaf();
const PROFILE: MessageNode = { fields: { 1: msg(VALUE_TYPE), 2: msg(leaf(), 'samples'), 5: msg(VALUE_TYPE) } };
const SCOPE_PROFILES: MessageNode = { fields: { 1: msg(SCOPE), 2: msg(PROFILE) } };
const RESOURCE_PROFILES: MessageNode = { fields: { 1: msg(RESOURCE), 2: msg(SCOPE_PROFILES) } };
const LOCATION: MessageNode = { fields: { 3: msg(leaf()) } };
const KEY_VALUE_AND_UNIT: MessageNode = { fields: { 2: msg(ANY_VALUE) } };
const DICTIONARY: MessageNode = {
  fields: {
    1: msg(leaf()),
    2: msg(LOCATION),
    3: msg(leaf()),
    4: msg(leaf()),
    5: { count: 'strings' },
    6: msg(KEY_VALUE_AND_UNIT, 'attributes'),
    7: msg(leaf()),
  },
};
export const PROFILES_REQUEST: MessageNode = { fields: { 1: msg(RESOURCE_PROFILES), 2: msg(DICTIONARY) } };

/** Walks `buf` as a message of type `root`, counting into `tally` (which throws past a limit). */
export function prescanProtobuf(buf: Uint8Array, root: MessageNode, tally: Tally): void {
  walk(buf, 0, buf.length, root, tally, 0);
}

/** Returns the end position, or -1 when the input is malformed (the walk stops there). */
function walk(buf: Uint8Array, start: number, end: number, node: MessageNode, tally: Tally, depth: number): number {
  let pos = start;
  while (pos < end) {
    // Tag (a varint of up to 5 bytes).
    let tag = 0;
    let shift = 0;
    let b = 0;
    do {
      if (pos >= end || shift > 28) return -1;
      b = buf[pos++]!;
      tag += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0: // varint
        for (let i = 0; ; i++) {
          if (pos >= end || i >= 10) return -1;
          if ((buf[pos++]! & 0x80) === 0) break;
        }
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        let len = 0;
        shift = 0;
        do {
          if (pos >= end || shift > 35) return -1;
          b = buf[pos++]!;
          len += (b & 0x7f) * 2 ** shift;
          shift += 7;
        } while (b & 0x80);
        if (len > end - pos) return -1;
        const edge = node.fields[field];
        if (edge !== undefined) {
          if (edge.count !== undefined) tally.count(edge.count);
          if (edge.node !== undefined) {
            tally.message();
            if (depth + 1 > MAX_DEPTH) return -1; // the decoder refuses this depth itself
            if (walk(buf, pos, pos + len, edge.node, tally, depth + 1) < 0) return -1;
          }
        }
        pos += len;
        break;
      }
      case 3: {
        // A group (deprecated, but the decoder skips them in unknown fields): skip to its end,
        // counting nothing inside, as the decoder keeps nothing of it.
        pos = skipGroup(buf, pos, end);
        if (pos < 0) return -1;
        break;
      }
      default:
        return -1;
    }
  }
  return pos > end ? -1 : pos;
}

function skipGroup(buf: Uint8Array, start: number, end: number): number {
  let pos = start;
  let open = 1;
  while (pos < end) {
    let tag = 0;
    let shift = 0;
    let b = 0;
    do {
      if (pos >= end || shift > 28) return -1;
      b = buf[pos++]!;
      tag += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    switch (tag & 7) {
      case 0:
        for (let i = 0; ; i++) {
          if (pos >= end || i >= 10) return -1;
          if ((buf[pos++]! & 0x80) === 0) break;
        }
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        let len = 0;
        shift = 0;
        do {
          if (pos >= end || shift > 35) return -1;
          b = buf[pos++]!;
          len += (b & 0x7f) * 2 ** shift;
          shift += 7;
        } while (b & 0x80);
        pos += len;
        break;
      }
      case 3:
        if (++open > MAX_DEPTH) return -1;
        break;
      case 4:
        if (--open === 0) return pos;
        break;
      default:
        return -1;
    }
  }
  return -1;
}
