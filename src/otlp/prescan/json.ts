// A byte-level structural walk over an OTLP/JSON body before JSON.parse: counts objects (as
// messages), the elements of `samples`, `stringTable` and attribute arrays, and the nesting
// depth, without building anything. JSON.parse of 60 MiB of `{}` makes 20 M objects; this
// walk refuses such a body after as many objects as the limit allows. It only follows the
// structure (strings, escapes, brackets); syntax errors are left to JSON.parse to report.
import { DecodeError } from '../../errors.js';
import type { CountedKind, Tally } from './limits.js';

/** Deeper than anything OTLP/JSON needs (AnyValue nesting takes ~3 levels per level). */
export const MAX_JSON_STRUCTURE_DEPTH = 512;

const KIND_NONE = 0;
const KIND_SAMPLES = 1;
const KIND_STRINGS = 2;
const KIND_ATTRIBUTES = 3;
const KINDS: readonly (CountedKind | undefined)[] = [undefined, 'samples', 'strings', 'attributes', undefined];
const KIND_KVLIST = 4; // a key naming a KeyValueList object, whose `values` are attributes
const OBJECT = 255;
const KVLIST_OBJECT = 254;
const VALUES = Buffer.from('values');

// Keys whose array elements are counted, in both spellings the decoder accepts.
const KEYS: readonly [Buffer, number][] = [
  [Buffer.from('samples'), KIND_SAMPLES],
  [Buffer.from('stringTable'), KIND_STRINGS],
  [Buffer.from('string_table'), KIND_STRINGS],
  [Buffer.from('attributes'), KIND_ATTRIBUTES],
  [Buffer.from('attributeTable'), KIND_ATTRIBUTES],
  [Buffer.from('attribute_table'), KIND_ATTRIBUTES],
  [Buffer.from('kvlistValue'), KIND_KVLIST],
  [Buffer.from('kvlist_value'), KIND_KVLIST],
];

function keyKind(buf: Uint8Array, start: number, end: number, inKvlist: boolean): number {
  const n = end - start;
  if (inKvlist && n === VALUES.length && VALUES.every((b, i) => buf[start + i] === b)) return KIND_ATTRIBUTES;
  outer: for (const [key, kind] of KEYS) {
    if (key.length !== n) continue;
    for (let i = 0; i < n; i++) if (buf[start + i] !== key[i]) continue outer;
    return kind;
  }
  return KIND_NONE;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

export function prescanJson(buf: Uint8Array, tally: Tally): void {
  // stack[d]: OBJECT, or the counted kind of the array at depth d.
  const stack = new Uint8Array(MAX_JSON_STRUCTURE_DEPTH + 1);
  let depth = 0;
  let keyStart = -1;
  let keyEnd = -1;
  let pendingKind = KIND_NONE; // kind named by the key just read, for an array that follows
  let expectElement = false; // inside an array, right after `[` or `,`
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (expectElement) {
      expectElement = false;
      if (c !== 0x5d) {
        const kind = KINDS[stack[depth]!];
        if (kind !== undefined) tally.count(kind);
      }
    }
    switch (c) {
      case QUOTE: {
        const start = i + 1;
        i++;
        while (i < n && buf[i] !== QUOTE) {
          if (buf[i] === BACKSLASH) i++;
          i++;
        }
        keyStart = start;
        keyEnd = i;
        break;
      }
      case COLON:
        pendingKind =
          keyStart >= 0 && depth > 0 && stack[depth]! >= KVLIST_OBJECT ? keyKind(buf, keyStart, keyEnd, stack[depth] === KVLIST_OBJECT) : KIND_NONE;
        break;
      case COMMA:
        pendingKind = KIND_NONE;
        if (depth > 0 && stack[depth]! < KVLIST_OBJECT) expectElement = true;
        break;
      case 0x7b: // {
        tally.message();
        if (++depth > MAX_JSON_STRUCTURE_DEPTH) throw new DecodeError(`JSON nested deeper than ${MAX_JSON_STRUCTURE_DEPTH} levels`);
        stack[depth] = pendingKind === KIND_KVLIST ? KVLIST_OBJECT : OBJECT;
        pendingKind = KIND_NONE;
        break;
      case 0x5b: // [
        if (++depth > MAX_JSON_STRUCTURE_DEPTH) throw new DecodeError(`JSON nested deeper than ${MAX_JSON_STRUCTURE_DEPTH} levels`);
        stack[depth] = pendingKind === KIND_KVLIST ? KIND_NONE : pendingKind;
        pendingKind = KIND_NONE;
        expectElement = true;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (depth > 0) depth--;
        pendingKind = KIND_NONE;
        break;
      default:
        break;
    }
  }
}
