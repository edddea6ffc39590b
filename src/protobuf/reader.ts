// Protobuf wire-format reading primitives: the OTLP decoders (generated into src/generated/otlp/) and the other protobuf readers use them.
//
// Every read is bounds-checked against `limit`, the end of the message being decoded (not
// just the end of the buffer), so a field can never run past its enclosing message. A
// fault throws `WireError` (a DecodeError) that says what went wrong and at which byte;
// the message decoder that catches it adds the message and field name (see `locate`), so
// messages read like "truncated varint in Span.span_id at byte 123" without any string
// work on the happy path.
//
// Speed notes (micro-benchmarks on node 20; whole-decode figures in bench/decode.bench.ts):
// - varints are read into `number` directly; `bigint` is only made where the model asks
//   for it (timestamps, addresses, AnyValue.intValue);
// - strings: Buffer#utf8Slice beat TextDecoder#decode by 1.7-2x at every length we tried
//   (both replace invalid UTF-8 with U+FFFD, as TextDecoder('utf-8', { fatal: false })
//   does); ASCII strings of up to 6 bytes are assembled in JS, about twice as fast as the
//   native call at that size; short ASCII strings also go through a small intern cache
//   (see `string`);
// - fixed64 -> bigint uses DataView#getBigUint64, faster than composing two halves;
// - packed runs are read into arrays of exactly their length (see `packedInt32`).
import { DecodeError } from '../errors.js';

/** Nesting limit for sub-messages and groups (as protobuf's default recursion limit). */
export const MAX_DEPTH = 100;

/** Placeholder for a repeated scalar field not read yet; see the repeated-scalar methods of Reader. */
export const NONE: readonly never[] = Object.freeze([]);

/** Wire types. */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const SGROUP = 3;
export const EGROUP = 4;
export const I32 = 5;

/**
 * A fault found while reading. `located` turns true once a message decoder has named the
 * message and field; until then the message has only the fault and the byte offset.
 */
export class WireError extends DecodeError {
  readonly detail: string;
  readonly at: number;
  /** The fault happened while reading a field's tag, so no field is known yet. */
  readonly inTag: boolean;
  located: boolean;
  constructor(detail: string, at: number, inTag = false, where?: string) {
    super(where === undefined ? `${detail} at byte ${at}` : `${detail} in ${where} at byte ${at}`);
    this.detail = detail;
    this.at = at;
    this.inTag = inTag;
    this.located = where !== undefined;
    this.name = 'DecodeError'; // the subclass is internal; callers see a DecodeError
  }
}

/** Field names of one message, for error messages. */
export interface MessageInfo {
  name: string;
  fields: Readonly<Record<number, string>>;
}

export function messageInfo(name: string, fields: Record<number, string>): MessageInfo {
  return { name, fields };
}

/**
 * Gives an unlocated WireError the message and field it happened in; anything else passes
 * through unchanged. Used as `catch (e) { throw locate(e, INFO, tag) }`.
 */
export function locate(e: unknown, info: MessageInfo, tag: number): unknown {
  if (e instanceof WireError && !e.located) {
    const fieldNo = tag >>> 3;
    const where = e.inTag ? `${info.name} (field tag)` : `${info.name}.${info.fields[fieldNo] ?? `field ${fieldNo}`}`;
    return new WireError(e.detail, e.at, e.inTag, where);
  }
  return e;
}

type Utf8Slicer = (this: Buffer, start: number, end: number) => string;
const utf8Slice: Utf8Slicer =
  (Buffer.prototype as unknown as { utf8Slice?: Utf8Slicer }).utf8Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('utf8', start, end);
  };

/** Longest string decoded byte by byte in JS before handing over to the native decoder. */
const SHORT_STRING = 6;
/** Longest string looked up in the intern cache. */
const INTERN_MAX = 40;
const INTERN_SLOTS = 4096;
/** Recently decoded short ASCII strings, by hash of their bytes (a lossy cache: a collision just replaces). */
const internTable: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

export class Reader {
  /** A plain Uint8Array over the input (slices of it are plain Uint8Arrays too). */
  readonly buf: Uint8Array;
  /** The same bytes as a Buffer, for its fast UTF-8 decoder. */
  private readonly nodeBuf: Buffer;
  private readonly view: DataView;
  pos = 0;
  /** End of the message being read. */
  limit: number;
  depth = 0;
  /** Scratch halves of the last 64-bit varint read by `varint64` (unsigned 32-bit each). */
  private lo = 0;
  private hi = 0;

  constructor(input: Uint8Array) {
    // A Buffer (or other subclass) is re-viewed as a plain Uint8Array so that `slice`
    // gives plain Uint8Arrays, which is what the model promises.
    this.buf = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.nodeBuf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.limit = input.byteLength;
  }

  // ------------------------------------------------------------------ faults

  truncated(what: string, at = this.pos): never {
    throw new WireError(`truncated ${what}`, at);
  }

  fail(detail: string, at = this.pos): never {
    throw new WireError(detail, at);
  }

  // ------------------------------------------------------------------ varints

  /**
   * Reads a field tag. Field number 0 and a tag longer than 5 bytes are rejected here;
   * wire types are checked by the caller's switch (an unexpected one falls to `skip`).
   */
  tag(): number {
    const buf = this.buf;
    const limit = this.limit;
    let pos = this.pos;
    const start = pos;
    let b = buf[pos++]!; // pos < limit is the caller's loop condition
    if (b < 0x80) {
      this.pos = pos;
      if (b < 8) throw new WireError('invalid field number 0', start, true);
      return b;
    }
    let v = b & 0x7f;
    let shift = 7;
    do {
      if (pos >= limit) throw new WireError('truncated tag', start, true);
      b = buf[pos++]!;
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80 && shift < 35);
    if (b >= 0x80 || (shift === 35 && b > 0x0f)) throw new WireError('malformed tag', start, true);
    this.pos = pos;
    v >>>= 0;
    if (v < 8) throw new WireError('invalid field number 0', start, true);
    return v;
  }

  /**
   * Reads a varint and returns its low 32 bits as a signed int32 (int32 and enum fields;
   * a negative int32 is sent as a 10-byte varint whose low 32 bits are the value).
   */
  int32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.limit) this.truncated('varint');
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    const limit = this.limit;
    let v = b & 0x7f;
    let shift = 7;
    do {
      if (pos >= limit) this.truncated('varint', this.pos);
      b = buf[pos++]!;
      if (shift < 32) v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80 && shift < 70);
    if (b >= 0x80) this.fail('malformed varint (more than 10 bytes)', this.pos);
    this.pos = pos;
    return v | 0;
  }

  /** uint32 fields (counts): the low 32 bits, unsigned. */
  uint32(): number {
    return this.int32() >>> 0;
  }

  /** Any non-zero varint is true, including one whose low 32 bits are zero. */
  bool(): boolean {
    this.varint64();
    return (this.lo | this.hi) !== 0;
  }

  /** Reads any varint into `this.lo` / `this.hi` (unsigned 32-bit halves). */
  private varint64(): void {
    const buf = this.buf;
    const limit = this.limit;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    let b = 0;
    // Bytes 0..3: bits 0..27 of lo.
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= limit) this.truncated('varint', start);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    // Byte 4: bits 28..31 of lo, bits 0..2 of hi.
    if (pos >= limit) this.truncated('varint', start);
    b = buf[pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      // Bytes 5..9: bits 3..31 of hi.
      for (let shift = 3; shift < 38; shift += 7) {
        if (pos >= limit) this.truncated('varint', start);
        b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      if (b >= 0x80) this.fail('malformed varint (more than 10 bytes)', start);
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** int64 -> number (exact up to 2^53; the model keeps sample values, periods, lines as number). */
  int64Number(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < this.limit) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    this.varint64();
    return (this.hi | 0) * 4294967296 + this.lo;
  }

  /** uint64 -> number (exact up to 2^53). */
  uint64Number(): number {
    this.varint64();
    return this.hi * 4294967296 + this.lo;
  }

  /** uint64 -> bigint (addresses, durations). */
  uint64Big(): bigint {
    this.varint64();
    const hi = this.hi;
    // Below 2^53 the number is exact, and one BigInt() call is cheaper than shifting.
    if (hi < 0x200000) return BigInt(hi * 4294967296 + this.lo);
    return (BigInt(hi) << 32n) | BigInt(this.lo);
  }

  /** int64 -> bigint (AnyValue.int_value). */
  int64Big(): bigint {
    this.varint64();
    const hi = this.hi;
    if (hi < 0x200000) return BigInt(hi * 4294967296 + this.lo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(this.lo));
  }

  // ------------------------------------------------------------------ fixed width

  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.limit) this.truncated('fixed32');
    this.pos = pos + 4;
    return this.view.getUint32(pos, true);
  }

  fixed64Big(): bigint {
    const pos = this.pos;
    if (pos + 8 > this.limit) this.truncated('fixed64');
    this.pos = pos + 8;
    return this.view.getBigUint64(pos, true);
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.limit) this.truncated('double');
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  // ------------------------------------------------------------------ length-delimited

  /** Reads a length prefix and checks that many bytes remain in the current message. */
  length(): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    const limit = this.limit;
    if (pos >= limit) this.truncated('length');
    let b = buf[pos++]!;
    let len = b & 0x7f;
    if (b >= 0x80) {
      let shift = 7;
      do {
        if (pos >= limit) this.truncated('length', start);
        b = buf[pos++]!;
        // Past 2^31 nothing fits in memory anyway; multiply to stay out of int32 sign games.
        len += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b >= 0x80 && shift < 35);
      if (b >= 0x80) this.fail('malformed length', start);
    }
    if (len > limit - pos) {
      this.fail(`truncated length-delimited field (length ${len}, ${limit - pos} bytes left)`, start);
    }
    this.pos = pos;
    return len;
  }

  /**
   * Starts reading an embedded message: reads its length and narrows `limit` to it.
   * Returns the enclosing limit, to be handed back to `leave`.
   */
  enter(): number {
    const len = this.length();
    if (++this.depth > MAX_DEPTH) this.fail(`messages nested deeper than ${MAX_DEPTH}`);
    const saved = this.limit;
    this.limit = this.pos + len;
    return saved;
  }

  leave(saved: number): void {
    this.limit = saved;
    this.depth--;
  }

  string(): string {
    const len = this.length();
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    if (len > INTERN_MAX) return utf8Slice.call(this.nodeBuf, start, end);
    if (len === 0) return '';
    // Short ASCII strings (attribute keys, span names, enum-like values) repeat a lot, so
    // they go through a small process-wide cache: one hash pass, one compare pass, and a
    // hit allocates nothing. Decoded requests then also share these strings in memory.
    const buf = this.buf;
    let h = len;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8Slice.call(this.nodeBuf, start, end);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h ^ (h >>> 16)) & (INTERN_SLOTS - 1);
    const cached = internTable[slot];
    if (cached !== undefined && cached.length === len) {
      let i = 0;
      while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === len) return cached;
    }
    let str: string;
    if (len <= SHORT_STRING) {
      str = '';
      for (let i = start; i < end; i++) str += String.fromCharCode(buf[i]!);
    } else {
      str = utf8Slice.call(this.nodeBuf, start, end);
    }
    internTable[slot] = str;
    return str;
  }

  /**
   * A copy of the bytes, never a view into the input: a kept span id must not pin a
   * whole request buffer in memory.
   */
  bytes(): Uint8Array {
    const len = this.length();
    const start = this.pos;
    this.pos = start + len;
    return this.buf.slice(start, start + len);
  }

  // ------------------------------------------------------------------ repeated scalars
  //
  // A packed run is read into an array of exactly its length when the field has no values
  // yet (the usual case): the element count of a varint run is the number of bytes without
  // the continuation bit, and a fixed64 run has len / 8. Growing an empty array by `push`
  // would give every one-element array 17 slots, and for 100k samples with three repeated
  // fields each that garbage dominated decode time. When the field already has values (it
  // was sent more than once), the run is appended, as protobuf requires.

  // A repeated field's value before any run has been read can be the shared frozen NONE
  // (below): every method here returns a new array instead of writing into an empty one,
  // and decoders swap a NONE still in place at the end for a fresh []. That saves one
  // empty-array allocation per field per message on the hot path (three per sample).

  /** Elements in the varint run [pos, end): bytes that end a varint. */
  private varintCount(end: number): number {
    const buf = this.buf;
    let n = 0;
    for (let p = this.pos; p < end; p++) if (buf[p]! < 0x80) n++;
    return n;
  }

  /** Packed int32 run (wire type 2); returns `into` with the values appended, or a new array. */
  packedInt32(into: number[]): number[] {
    const len = this.length();
    const end = this.pos + len;
    const saved = this.limit;
    this.limit = end;
    const buf = this.buf;
    let out = into;
    if (into.length === 0) {
      const n = this.varintCount(end);
      if (n === 1 && buf[end - 1]! < 0x80) {
        out = [this.int32()];
      } else {
        out = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          const b = buf[this.pos]!;
          if (b < 0x80) {
            this.pos++;
            out[i] = b;
          } else {
            out[i] = this.int32();
          }
        }
      }
    }
    // Appending (or bytes left over after a malformed run, which then fail in int32).
    while (this.pos < end) {
      const b = buf[this.pos]!;
      if (b < 0x80) {
        this.pos++;
        out.push(b);
      } else {
        out.push(this.int32());
      }
    }
    this.limit = saved;
    return out;
  }

  /** Packed int64 run, each as a number; same contract as packedInt32. */
  packedInt64Number(into: number[]): number[] {
    const len = this.length();
    const end = this.pos + len;
    const saved = this.limit;
    this.limit = end;
    let out = into;
    if (into.length === 0) {
      const n = this.varintCount(end);
      if (n === 1 && this.buf[end - 1]! < 0x80) {
        out = [this.int64Number()];
      } else {
        out = new Array<number>(n);
        for (let i = 0; i < n; i++) out[i] = this.int64Number();
      }
    }
    while (this.pos < end) out.push(this.int64Number());
    this.limit = saved;
    return out;
  }

  /** Packed fixed64 run, each as a bigint; same contract as packedInt32. */
  packedFixed64Big(into: bigint[]): bigint[] {
    const len = this.length();
    if (len % 8 !== 0) this.fail(`packed fixed64 run of ${len} bytes is not a multiple of 8`);
    const view = this.view;
    const start = this.pos;
    const n = len / 8;
    this.pos = start + len;
    if (n === 1 && into.length === 0) return [view.getBigUint64(start, true)];
    const out = into.length === 0 ? new Array<bigint>(n) : into;
    const base = out === into ? into.length : 0;
    for (let i = 0; i < n; i++) out[base + i] = view.getBigUint64(start + 8 * i, true);
    return out;
  }

  /**
   * A repeated int32 field in either form: packed (wire type 2) or one value per tag
   * (wire type 0). Any other wire type is skipped like an unknown field. Returns the array
   * to store (see packedInt32).
   */
  repeatedInt32(tag: number, into: number[]): number[] {
    const wt = tag & 7;
    if (wt === LEN) return this.packedInt32(into);
    if (wt !== VARINT) {
      this.skip(tag);
      return into;
    }
    const out = into.length === 0 ? [] : into; // never push into NONE
    out.push(this.int32());
    return out;
  }

  repeatedInt64Number(tag: number, into: number[]): number[] {
    const wt = tag & 7;
    if (wt === LEN) return this.packedInt64Number(into);
    if (wt !== VARINT) {
      this.skip(tag);
      return into;
    }
    const out = into.length === 0 ? [] : into;
    out.push(this.int64Number());
    return out;
  }

  repeatedFixed64Big(tag: number, into: bigint[]): bigint[] {
    const wt = tag & 7;
    if (wt === LEN) return this.packedFixed64Big(into);
    if (wt !== I64) {
      this.skip(tag);
      return into;
    }
    const out = into.length === 0 ? [] : into;
    out.push(this.fixed64Big());
    return out;
  }

  // ------------------------------------------------------------------ unknown fields

  /**
   * Skips one field whose tag was just read: unknown fields, and known ones sent with an
   * unexpected wire type (treated as unknown, as the reference implementations do).
   * Groups (deprecated, never used by OTLP) are skipped to their matching end tag.
   */
  skip(tag: number): void {
    switch (tag & 7) {
      case VARINT: {
        const buf = this.buf;
        const limit = this.limit;
        const start = this.pos;
        let pos = start;
        for (let i = 0; ; i++) {
          if (pos >= limit) this.truncated('varint', start);
          if (i === 10) this.fail('malformed varint (more than 10 bytes)', start);
          if (buf[pos++]! < 0x80) break;
        }
        this.pos = pos;
        return;
      }
      case I64:
        if (this.pos + 8 > this.limit) this.truncated('fixed64');
        this.pos += 8;
        return;
      case LEN: {
        const len = this.length();
        this.pos += len;
        return;
      }
      case I32:
        if (this.pos + 4 > this.limit) this.truncated('fixed32');
        this.pos += 4;
        return;
      case SGROUP:
        this.skipGroup(tag >>> 3);
        return;
      case EGROUP:
        return this.fail('unexpected end-group tag', this.pos - 1);
      default:
        this.fail(`invalid wire type ${tag & 7}`, this.pos - 1);
    }
  }

  private skipGroup(fieldNo: number): void {
    const start = this.pos;
    if (++this.depth > MAX_DEPTH) this.fail(`groups nested deeper than ${MAX_DEPTH}`);
    for (;;) {
      if (this.pos >= this.limit) this.truncated('group', start);
      const tag = this.tag();
      if ((tag & 7) === EGROUP) {
        if (tag >>> 3 !== fieldNo) this.fail(`end-group tag for field ${tag >>> 3} closes group ${fieldNo}`);
        break;
      }
      this.skip(tag);
    }
    this.depth--;
  }
}
