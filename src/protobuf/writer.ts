// Protobuf wire-format writing primitives: the OTLP encoders (generated into src/generated/otlp/) and the Pyroscope and Parca encoders use them.
//
// One growable buffer, one pass. An embedded message is written after a 1-byte length
// placeholder (`fork`) and its length patched in afterwards (`join`); when the message
// turns out to be 128 bytes or longer, its bytes are moved up to make room for the longer
// varint. Small messages (samples, lines, key-values) never move; a large one moves once
// (so the bytes of a deeply nested large message move once per large enclosing level).
// Measured on the 10k-span request of bench/decode.bench.ts (3 MB out): the moves copy
// 9.5 MB in total, about 1-3 ms of memmove, while a size-only walk of the same request
// (what a two-pass encoder adds: every string's UTF-8 length, every nested size) took
// 5-10 ms on its own, against 70-100 ms for the whole encode on the same (busy) machine.
// So the single pass is both simpler and slightly faster.
//
// Output is canonical proto3 as far as the encoders use it: minimal varints, minimal
// length prefixes.

type Utf8Writer = (this: Buffer, s: string, offset: number, length: number) => number;
const utf8Write: Utf8Writer =
  (Buffer.prototype as unknown as { utf8Write?: Utf8Writer }).utf8Write ??
  function (this: Buffer, s: string, offset: number, length: number): number {
    return this.write(s, offset, length, 'utf8');
  };

/** Strings up to this many UTF-16 units are encoded in JS; longer ones natively. */
const SHORT_STRING = 64;
/** A scratch buffer up to this size is kept between calls. */
const POOL_MAX = 4 * 1024 * 1024;
let pooled: Uint8Array | undefined;

export class Writer {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;
  private nodeBuf: Buffer;

  constructor(initialCapacity = 64 * 1024) {
    let buf = pooled;
    if (buf !== undefined && buf.length >= initialCapacity) pooled = undefined;
    else buf = new Uint8Array(initialCapacity);
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nodeBuf = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The bytes written, as a new array; the scratch buffer goes back to the pool. */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    if (this.buf.length <= POOL_MAX && (pooled === undefined || pooled.length < this.buf.length)) {
      pooled = this.buf;
    }
    this.pos = 0;
    return out;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.nodeBuf = Buffer.from(next.buffer);
  }

  // ------------------------------------------------------------------ varints

  /** An unsigned 32-bit value (tags, lengths, uint32 fields, non-negative int32). */
  varint32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  tag(t: number): void {
    if (t < 0x80) {
      this.ensure(1);
      this.buf[this.pos++] = t;
    } else {
      this.varint32(t);
    }
  }

  /** int32 / enum: a negative value is sign-extended to a 10-byte varint. */
  int32(v: number): void {
    if (v >= 0) this.varint32(v);
    else this.varint64(v >>> 0, 0xffffffff);
  }

  /** Writes the varint whose unsigned 32-bit halves are lo and hi. */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** int64 (and uint64) held as a number; fractions are truncated, as the model never has them. */
  int64Number(v: number): void {
    if (v >= 0 && v <= 0xffffffff) {
      this.varint32(v >>> 0);
      return;
    }
    const a = Math.trunc(Math.abs(v));
    let lo = a >>> 0;
    let hi = Math.floor(a / 4294967296) >>> 0;
    if (v < 0) {
      // two's complement of the 64-bit magnitude
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    this.varint64(lo, hi);
  }

  /** uint64 / int64 held as a bigint; values outside 64 bits wrap, as on the wire. */
  varintBig(v: bigint): void {
    if (v >= 0n && v <= 0xffffffffn) {
      this.varint32(Number(v));
      return;
    }
    const u = BigInt.asUintN(64, v);
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  // ------------------------------------------------------------------ fixed width

  fixed32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  fixed64Big(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true); // ToBigUint64 wraps modulo 2^64
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  // ------------------------------------------------------------------ length-delimited

  /** Reserves a 1-byte length for an embedded message; returns where it starts. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Patches the length of the message started at `start`, moving it if the length needs more than 1 byte. */
  join(start: number): void {
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return;
    }
    const n = len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5;
    this.ensure(n - 1);
    const buf = this.buf;
    buf.copyWithin(start + n, start + 1, this.pos);
    this.pos += n - 1;
    let p = start;
    let v = len;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** Length-prefixed UTF-8; lone surrogates become U+FFFD, as TextEncoder does. */
  string(s: string): void {
    const n = s.length;
    if (n > SHORT_STRING) {
      const len = Buffer.byteLength(s, 'utf8');
      this.varint32(len);
      this.ensure(len);
      this.pos += utf8Write.call(this.nodeBuf, s, this.pos, len);
      return;
    }
    const start = this.fork();
    this.ensure(n * 3);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[pos++] = c;
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c < 0xdc00 && d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
            buf[pos++] = 0xf0 | (c >> 18);
            buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
            buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
            buf[pos++] = 0x80 | (c & 0x3f);
            continue;
          }
          c = 0xfffd;
        }
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = pos;
    this.join(start);
  }

  bytes(b: Uint8Array): void {
    const len = b.length;
    this.varint32(len);
    this.ensure(len);
    if (len <= 16) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < len; i++) buf[pos++] = b[i]!;
      this.pos = pos;
    } else {
      this.buf.set(b, this.pos);
      this.pos += len;
    }
  }

  // ------------------------------------------------------------------ packed repeated

  /** Packed int32 field (tag written here); nothing for an empty array. */
  packedInt32(tag: number, values: readonly number[]): void {
    const n = values.length;
    if (n === 0) return;
    this.tag(tag);
    const start = this.fork();
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v >= 0 && v < 0x80) {
        this.ensure(1);
        this.buf[this.pos++] = v;
      } else {
        this.int32(v);
      }
    }
    this.join(start);
  }

  packedInt64Number(tag: number, values: readonly number[]): void {
    const n = values.length;
    if (n === 0) return;
    this.tag(tag);
    const start = this.fork();
    for (let i = 0; i < n; i++) this.int64Number(values[i]!);
    this.join(start);
  }

  packedFixed64Big(tag: number, values: readonly bigint[]): void {
    const n = values.length;
    if (n === 0) return;
    this.tag(tag);
    this.varint32(n * 8);
    this.ensure(n * 8);
    const view = this.view;
    let pos = this.pos;
    for (let i = 0; i < n; i++, pos += 8) view.setBigUint64(pos, values[i]!, true);
    this.pos = pos;
  }
}
