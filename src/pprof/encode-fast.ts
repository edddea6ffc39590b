// A faster serializer for the pprof-format model, producing the same bytes as
// `Profile.encode()` from pprof-format (tests hold it to that, byte for byte).
//
// Why: pprof-format's encoder turns every integer it writes or measures into a fresh
// [hi, lo] array and measures each nested message twice, so a 100k-sample profile spends
// most of its encode time allocating and collecting garbage (figures in bench/RESULTS.md,
// "pprof conversion"). This one measures once into a size table, allocates the output
// once, and writes varints straight from numbers (bigints only where a value is a bigint).
import type { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, ValueType } from 'pprof-format';

type Numeric = number | bigint;

const TWO_32 = 4294967296;

/** Bytes of a varint; negative values take 10 (64-bit two's complement), as in protobuf. */
export function vsize(v: Numeric): number {
  if (typeof v === 'number') {
    if (v < 0) return 10;
    if (v < 128) return 1;
    if (v < 16384) return 2;
    if (v < 2097152) return 3;
    if (v < 268435456) return 4;
    let n = 4;
    let x = Math.floor(v / 268435456);
    while (x > 0) {
      n++;
      x = Math.floor(x / 128);
    }
    return n;
  }
  if (v < 0n) return 10;
  let n = 1;
  let x = v >> 7n;
  while (x > 0n) {
    n++;
    x >>= 7n;
  }
  return n;
}

/** A scalar field's bytes (tag + varint), 0 when the value is the default (omitted). */
function fsize(v: Numeric): number {
  return v === 0 || v === 0n ? 0 : 1 + vsize(v);
}

/** A packed repeated field's payload length: zeros still take a byte each. */
function packedPayload(list: readonly Numeric[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    n += typeof v === 'number' && v >= 0 && v < 128 ? 1 : vsize(v);
  }
  return n;
}

function packedSize(list: readonly Numeric[]): number {
  if (list.length === 0) return 0;
  const p = packedPayload(list);
  return 1 + vsize(p) + p;
}

function nested(len: number): number {
  return 1 + vsize(len) + len;
}

function valueTypeSize(t: ValueType): number {
  return fsize(t.type) + fsize(t.unit);
}

function labelSize(l: Label): number {
  return fsize(l.key) + fsize(l.str) + fsize(l.num) + fsize(l.numUnit);
}

/**
 * Payload lengths of packed location id lists, by list object: the converter hands every
 * sample of a stack the same array, so most lists are measured once.
 */
type PayloadCache = Map<readonly Numeric[], number>;

function locationPayload(list: readonly Numeric[], cache: PayloadCache): number {
  let n = cache.get(list);
  if (n === undefined) {
    n = packedPayload(list);
    cache.set(list, n);
  }
  return n;
}

function sampleSize(s: Sample, cache: PayloadCache): number {
  let n = 0;
  if (s.locationId.length !== 0) {
    const p = locationPayload(s.locationId, cache);
    n += 1 + vsize(p) + p;
  }
  n += packedSize(s.value);
  const labels = s.label;
  for (let i = 0; i < labels.length; i++) n += nested(labelSize(labels[i]!));
  return n;
}

function mappingSize(m: Mapping): number {
  return (
    fsize(m.id) +
    fsize(m.memoryStart) +
    fsize(m.memoryLimit) +
    fsize(m.fileOffset) +
    fsize(m.filename) +
    fsize(m.buildId) +
    (m.hasFunctions ? 2 : 0) +
    (m.hasFilenames ? 2 : 0) +
    (m.hasLineNumbers ? 2 : 0) +
    (m.hasInlineFrames ? 2 : 0)
  );
}

function lineSize(l: Line): number {
  return fsize(l.functionId) + fsize(l.line) + fsize(l.column);
}

function locationSize(l: Location): number {
  let n = fsize(l.id) + fsize(l.mappingId) + fsize(l.address) + (l.isFolded ? 2 : 0);
  for (const ln of l.line) n += nested(lineSize(ln));
  return n;
}

function functionSize(f: PprofFunction): number {
  return fsize(f.id) + fsize(f.name) + fsize(f.systemName) + fsize(f.filename) + fsize(f.startLine);
}

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(v: Numeric): void {
    const buf = this.buf;
    if (typeof v === 'number') {
      if (v >= 0) {
        if (v < TWO_32) {
          let x = v >>> 0;
          while (x >= 128) {
            buf[this.pos++] = (x & 127) | 128;
            x >>>= 7;
          }
          buf[this.pos++] = x;
          return;
        }
        let x = v;
        while (x >= 128) {
          buf[this.pos++] = (x % 128) | 128;
          x = Math.floor(x / 128);
        }
        buf[this.pos++] = x;
        return;
      }
      v = BigInt(v);
    }
    let x = BigInt.asUintN(64, v);
    while (x >= 128n) {
      buf[this.pos++] = Number(x & 127n) | 128;
      x >>= 7n;
    }
    buf[this.pos++] = Number(x);
  }

  field(tag: number, v: Numeric): void {
    if (v === 0 || v === 0n) return;
    this.buf[this.pos++] = tag;
    this.varint(v);
  }

  bool(tag: number, v: boolean): void {
    if (!v) return;
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = 1;
  }

  packed(tag: number, list: readonly Numeric[], payload = packedPayload(list)): void {
    if (list.length === 0) return;
    this.buf[this.pos++] = tag;
    this.varint(payload);
    for (let i = 0; i < list.length; i++) this.varint(list[i]!);
  }

  header(tag: number, len: number): void {
    this.buf[this.pos++] = tag;
    this.varint(len);
  }
}

function writeValueType(w: Writer, tag: number, t: ValueType): void {
  w.header(tag, valueTypeSize(t));
  w.field(8, t.type);
  w.field(16, t.unit);
}

function writeSample(w: Writer, s: Sample, size: number, cache: PayloadCache): void {
  w.header(18, size);
  if (s.locationId.length !== 0) w.packed(10, s.locationId, locationPayload(s.locationId, cache));
  w.packed(18, s.value);
  const labels = s.label;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    w.header(26, labelSize(l));
    w.field(8, l.key);
    w.field(16, l.str);
    w.field(24, l.num);
    w.field(32, l.numUnit);
  }
}

function writeMapping(w: Writer, m: Mapping): void {
  w.header(26, mappingSize(m));
  w.field(8, m.id);
  w.field(16, m.memoryStart);
  w.field(24, m.memoryLimit);
  w.field(32, m.fileOffset);
  w.field(40, m.filename);
  w.field(48, m.buildId);
  w.bool(56, m.hasFunctions);
  w.bool(64, m.hasFilenames);
  w.bool(72, m.hasLineNumbers);
  w.bool(80, m.hasInlineFrames);
}

function writeLocation(w: Writer, l: Location): void {
  w.header(34, locationSize(l));
  w.field(8, l.id);
  w.field(16, l.mappingId);
  w.field(24, l.address);
  for (const ln of l.line) {
    w.header(34, lineSize(ln));
    w.field(8, ln.functionId);
    w.field(16, ln.line);
    w.field(24, ln.column);
  }
  w.bool(40, l.isFolded);
}

function writeFunction(w: Writer, f: PprofFunction): void {
  w.header(42, functionSize(f));
  w.field(8, f.id);
  w.field(16, f.name);
  w.field(24, f.systemName);
  w.field(32, f.filename);
  w.field(40, f.startLine);
}

/** The serialized perftools.profiles.Profile; byte-identical to `profile.encode()`. */
export function encodeProfileFast(p: Profile): Uint8Array {
  let total = 0;
  for (const t of p.sampleType) total += nested(valueTypeSize(t));
  const sampleSizes = new Int32Array(p.sample.length);
  const payloads: PayloadCache = new Map();
  for (let i = 0; i < p.sample.length; i++) {
    const n = sampleSize(p.sample[i]!, payloads);
    sampleSizes[i] = n;
    total += nested(n);
  }
  for (const m of p.mapping) total += nested(mappingSize(m));
  for (const l of p.location) total += nested(locationSize(l));
  for (const f of p.function) total += nested(functionSize(f));
  const strings = p.stringTable.strings;
  const stringBytes = new Int32Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const n = Buffer.byteLength(strings[i]!, 'utf8');
    stringBytes[i] = n;
    total += nested(n);
  }
  total += fsize(p.dropFrames) + fsize(p.keepFrames) + fsize(p.timeNanos) + fsize(p.durationNanos);
  if (p.periodType !== undefined) total += nested(valueTypeSize(p.periodType));
  total += fsize(p.period) + packedSize(p.comment) + fsize(p.defaultSampleType) + fsize(p.docUrl);

  // Unpooled: the result owns its whole ArrayBuffer, like pprof-format's.
  const w = new Writer(Buffer.allocUnsafeSlow(total));
  for (const t of p.sampleType) writeValueType(w, 10, t);
  for (let i = 0; i < p.sample.length; i++) writeSample(w, p.sample[i]!, sampleSizes[i]!, payloads);
  for (const m of p.mapping) writeMapping(w, m);
  for (const l of p.location) writeLocation(w, l);
  for (const f of p.function) writeFunction(w, f);
  for (let i = 0; i < strings.length; i++) {
    w.header(50, stringBytes[i]!);
    w.pos += w.buf.write(strings[i]!, w.pos, 'utf8');
  }
  w.field(56, p.dropFrames);
  w.field(64, p.keepFrames);
  w.field(72, p.timeNanos);
  w.field(80, p.durationNanos);
  if (p.periodType !== undefined) writeValueType(w, 90, p.periodType);
  w.field(96, p.period);
  w.packed(106, p.comment);
  w.field(112, p.defaultSampleType);
  w.field(120, p.docUrl);
  if (w.pos !== total) throw new Error(`pprof encoder size mismatch: wrote ${w.pos} of ${total} bytes`);
  return new Uint8Array(w.buf.buffer, w.buf.byteOffset, total);
}
