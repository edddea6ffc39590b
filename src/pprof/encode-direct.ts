// OTLP profiles -> pprof bytes, without a pprof-format object per sample.
//
// The model converter (convert.ts) makes a Sample object (and its arrays) per merged sample
// and the encoder then walks them all again; on a 100 k-sample profile that object graph is
// most of the cost (bench/RESULTS.md, "pprof conversion"). Here the tables (strings,
// functions, mappings, locations: one entry per distinct value, far fewer than samples) are
// built exactly as the model converter builds them, by the same code (tables.ts), but each
// stack's packed location-id run and each label set's label messages are encoded once, when
// first used, and a merged sample is kept as three numbers (stack, label set, value) in typed arrays. Writing
// a sample is then a tag, a length, two copies and a varint.
//
// The output is byte-identical to `encodePprof(convertProfilesRequest(req).profiles[i].profile)`
// (test/pprof/encode-direct.property.test.ts checks it on random requests): same tables in
// the same order, same samples in the same order, same field order and varint forms as
// encode-fast.ts. The tables-only profile is serialized by encode-fast.ts itself and the
// samples spliced in after its sample_type field (field 1), which is where field 2 goes.
import type { Profile as PprofProfile, Label as PprofLabel } from 'pprof-format';
import { ConvertError } from '../errors.js';
import type { ExportProfilesServiceRequest, Profile } from '../otlp/model.js';
import { Writer } from '../protobuf/writer.js';
import { convertPart, type ConvertOptions, type ConvertResult } from './convert.js';
import { encodeProfileFast } from './encode-fast.js';
import { eachPart, labelText, PprofBuilder, type LabelsEntry, type RequestTables, type StackEntry, type TimestampMode } from './tables.js';
import type { ConvertedProfile, PprofSummary } from './types.js';

/** Converts every profile of the request straight to pprof bytes; bad profiles become errors. */
export function encodeProfilesRequestPprof(req: ExportProfilesServiceRequest, options: ConvertOptions = {}): ConvertResult {
  const result: ConvertResult = { profiles: [], errors: [] };
  for (const r of encodeEach(req, options)) {
    if (r instanceof ConvertError) result.errors.push(r);
    else result.profiles.push(r);
  }
  return result;
}

/** Like convertEach (same order, same errors), each result carrying its `pprof` bytes. */
export function encodeEach(
  req: ExportProfilesServiceRequest,
  options: ConvertOptions = {},
): Generator<ConvertedProfile | ConvertError, void, undefined> {
  return eachPart(req, options, (tables, mode, part, labels, type) => new BytesBuilder(tables, mode).build(part, labels, type));
}

/** A directly encoded profile; its model is made only if someone reads `profile`. */
class EncodedProfile implements ConvertedProfile {
  private model: PprofProfile | undefined;

  constructor(
    readonly pprof: Uint8Array,
    readonly summary: PprofSummary,
    readonly profileType: string,
    readonly seriesLabels: Record<string, string>,
    readonly startUnixNano: bigint,
    readonly durationNano: bigint,
    readonly profileId: string,
    readonly endpointCounts: Record<string, number>,
    private source: { tables: RequestTables; mode: TimestampMode; part: Profile } | undefined,
  ) {}

  get profile(): PprofProfile {
    if (this.model === undefined) {
      const s = this.source!;
      // The same request, tables and part: the model converter cannot fail where this did.
      this.model = convertPart(s.tables, s.mode, s.part, this.seriesLabels, this.profileType).profile;
      this.source = undefined;
    }
    return this.model;
  }
}

/** Bytes of an unsigned varint below 2^32. */
function vsize32(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes of a sample value's varint, as encode-fast.ts writes it (negative: 10). */
function valueSize(v: number): number {
  if (v >= 0 && v < 0x100000000) return vsize32(v);
  if (v < 0) return 10;
  let n = 4;
  let x = Math.floor(v / 268435456);
  while (x > 0) {
    n++;
    x = Math.floor(x / 128);
  }
  return n;
}

/** Bytes of a uint64 varint held as a bigint. */
function bigSize(v: bigint): number {
  let n = 1;
  let x = BigInt.asUintN(64, v) >> 7n;
  while (x > 0n) {
    n++;
    x >>= 7n;
  }
  return n;
}

/** A scratch writer for the small per-stack and per-label-set byte runs. */
const scratch = new Writer(4096);

function takeScratch(): Uint8Array {
  const out = scratch.buf.slice(0, scratch.pos);
  scratch.pos = 0;
  return out;
}

function numeric(w: Writer, v: number | bigint): void {
  if (typeof v === 'bigint') w.varintBig(v);
  else w.int64Number(v);
}

/** One Label message (tag included), fields as encode-fast.ts writes them: zeros left out. */
function writeLabel(w: Writer, l: PprofLabel): void {
  w.tag(26);
  const start = w.fork();
  if (l.key !== 0 && l.key !== 0n) {
    w.tag(8);
    numeric(w, l.key);
  }
  if (l.str !== 0 && l.str !== 0n) {
    w.tag(16);
    numeric(w, l.str);
  }
  if (l.num !== 0 && l.num !== 0n) {
    w.tag(24);
    numeric(w, l.num);
  }
  if (l.numUnit !== 0 && l.numUnit !== 0n) {
    w.tag(32);
    numeric(w, l.numUnit);
  }
  w.join(start);
}

/** The stack's location_id field (tag, length, packed ids), encoded on first use. */
function runOf(st: StackEntry): Uint8Array {
  if (st.run !== undefined) return st.run;
  const ids = st.ids;
  if (ids.length !== 0) scratch.packedInt32(10, ids);
  return (st.run = takeScratch());
}

/** The label set's Label messages, encoded on first use. */
function labelBytesOf(ls: LabelsEntry): Uint8Array {
  if (ls.bytes !== undefined) return ls.bytes;
  for (const l of ls.labels) writeLabel(scratch, l);
  return (ls.bytes = takeScratch());
}

/** Copies `src` into the writer's buffer (room already ensured); a loop beats set() on short runs. */
function copy(w: Writer, src: Uint8Array): void {
  const n = src.length;
  const buf = w.buf;
  let pos = w.pos;
  if (n < 64) {
    for (let i = 0; i < n; i++) buf[pos++] = src[i]!;
  } else {
    buf.set(src, pos);
    pos += n;
  }
  w.pos = pos;
}

/** Keeps merged samples as (stack, label set, value[, event time]) and writes them as bytes. */
class BytesBuilder extends PprofBuilder {
  /**
   * Merged samples, column by column: stack id, label set id, value. Typed arrays, grown by
   * doubling, and an open-addressed table from (stack id, label set id) to the sample: no
   * object or map per stack or per sample on the hot path (on a 100 k-sample profile nearly
   * every sample is a pair of its own, so per-pair maps were most of the garbage).
   */
  private sampleStack = new Int32Array(1024);
  private sampleLabels = new Int32Array(1024);
  /**
   * Each sample's own label set entry: equal ids may list their labels in another order (the
   * id does not depend on it), and a sample keeps the order of its first occurrence.
   */
  private readonly labelsOfSample: LabelsEntry[] = [];
  private values = new Float64Array(1024);
  private n = 0;
  /** Sample index + 1 per slot, 0 = empty; its length is a power of two, at most half full. */
  private slots = new Int32Array(2048);
  /** One entry per stack id: equal ids hold the same location ids, so their encoded run is shared. */
  private readonly stackById: StackEntry[] = [];
  /** 'label' mode: sample index by `stack|labels|timestamp`. */
  private readonly mergedEvents = new Map<string, number>();
  /**
   * 'label' mode only: each sample's event time, undefined for a sample without one. Read only
   * when `timed` (an out-of-range read of an empty array is slow in V8).
   */
  private readonly times: (bigint | undefined)[] = [];
  private timed = false;
  private tsKey = 0;

  private static slotOf(stack: number, labels: number, mask: number): number {
    return ((Math.imul(stack, 0x9e3779b1) ^ Math.imul(labels + 0x7f4a7c15, 0x85ebca77)) >>> 0) & mask;
  }

  /** Appends a sample (no merge lookup) and returns its index. */
  private push(st: StackEntry, ls: LabelsEntry, value: number): number {
    const i = this.n;
    if (i === this.values.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.sampleStack = grow(this.sampleStack, (k) => new Int32Array(k));
      this.sampleLabels = grow(this.sampleLabels, (k) => new Int32Array(k));
      this.values = grow(this.values, (k) => new Float64Array(k));
    }
    this.sampleStack[i] = st.id;
    this.sampleLabels[i] = ls.id;
    this.values[i] = value;
    this.stackById[st.id] ??= st;
    this.labelsOfSample.push(ls);
    this.n = i + 1;
    return i;
  }

  /** Doubles the slot table and re-inserts every merged sample (event samples are not in it). */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.n; i++) {
      if (this.timed && this.times[i] !== undefined) continue;
      let k = BytesBuilder.slotOf(this.sampleStack[i]!, this.sampleLabels[i]!, mask);
      while (slots[k] !== 0) k = (k + 1) & mask;
      slots[k] = i + 1;
    }
    this.slots = slots;
  }

  protected add(st: StackEntry, ls: LabelsEntry, value: number): void {
    const stack = st.id;
    const labels = ls.id;
    const slots = this.slots;
    const mask = slots.length - 1;
    let k = BytesBuilder.slotOf(stack, labels, mask);
    for (;;) {
      const at = slots[k]!;
      if (at === 0) break;
      if (this.sampleStack[at - 1] === stack && this.sampleLabels[at - 1] === labels) {
        this.values[at - 1] += value;
        return;
      }
      k = (k + 1) & mask;
    }
    const i = this.push(st, ls, value);
    slots[k] = i + 1;
    if (this.timed) this.times.push(undefined);
    // Merged samples only; counting all samples keeps the table at most half full either way.
    if (this.n * 2 > slots.length) this.rehash();
  }

  protected addEvent(st: StackEntry, ls: LabelsEntry, t: bigint, tsKey: number, value: number): void {
    if (!this.timed) {
      this.timed = true;
      for (let i = 0; i < this.n; i++) this.times.push(undefined);
    }
    this.tsKey = tsKey;
    const key = `${st.id}|${ls.id}|${t}`;
    const hit = this.mergedEvents.get(key);
    if (hit !== undefined) {
      this.values[hit] += value;
      return;
    }
    this.mergedEvents.set(key, this.push(st, ls, value));
    this.times.push(t);
  }

  protected sampleTexts(push: (text: string) => void): void {
    const n = this.n;
    for (let i = 0; i < n; i++) {
      const st = this.stackById[this.sampleStack[i]!]!;
      const ls = this.labelsOfSample[i]!;
      const stackText = (st.text ??= st.ids.join(','));
      let labels = (ls.text ??= ls.labels.map(labelText).join(','));
      const t = this.timed ? this.times[i] : undefined;
      if (t !== undefined) labels = `${labels}${labels === '' ? '' : ','}${this.tsKey}:0:${t}:0`;
      push(`${stackText}|${labels}=${this.values[i]}`);
    }
  }

  build(p: Profile, seriesLabels: Record<string, string>, profileType: string | undefined): ConvertedProfile {
    const { model, summary, converted } = this.collect(p, seriesLabels, profileType);
    summary.sampleCount = this.n;
    const pprof = this.encode(encodeProfileFast(model));
    return new EncodedProfile(
      pprof,
      summary,
      converted.profileType,
      converted.seriesLabels,
      converted.startUnixNano,
      converted.durationNano,
      converted.profileId,
      converted.endpointCounts,
      { tables: this.tables, mode: this.mode, part: p },
    );
  }

  /** The tables-only profile's bytes with the samples put in after its sample_type field. */
  private encode(tables: Uint8Array): Uint8Array {
    // Field 1 (sample_type) holds two small string ids: its length fits one byte.
    if (tables[0] !== 10 || tables[1]! >= 0x80) throw new Error('pprof direct encoder: unexpected sample_type field');
    const head = 2 + tables[1]!;
    const n = this.n;
    const stackOf = this.sampleStack;
    const stacks = this.stackById;
    const labelSets = this.labelsOfSample;
    const tsKeySize = 1 + vsize32(this.tsKey);
    const bodies = new Int32Array(n);
    let total = tables.length;
    const timed = this.timed;
    for (let i = 0; i < n; i++) {
      const t = timed ? this.times[i] : undefined;
      let body = runOf(stacks[stackOf[i]!]!).length + 2 + valueSize(this.values[i]!) + labelBytesOf(labelSets[i]!).length;
      if (t !== undefined) body += 2 + tsKeySize + (t === 0n ? 0 : 1 + bigSize(t));
      bodies[i] = body;
      total += 1 + vsize32(body) + body;
    }
    const w = new Writer(total);
    w.ensure(total);
    copy(w, tables.subarray(0, head));
    for (let i = 0; i < n; i++) {
      w.tag(18);
      w.varint32(bodies[i]!);
      copy(w, runOf(stacks[stackOf[i]!]!));
      const v = this.values[i]!;
      w.tag(18);
      w.varint32(valueSize(v));
      w.int64Number(v);
      copy(w, labelBytesOf(labelSets[i]!));
      const t = timed ? this.times[i] : undefined;
      if (t !== undefined) {
        w.tag(26);
        w.varint32(tsKeySize + (t === 0n ? 0 : 1 + bigSize(t)));
        w.tag(8);
        w.varint32(this.tsKey);
        if (t !== 0n) {
          w.tag(24);
          w.varintBig(t);
        }
      }
    }
    copy(w, tables.subarray(head));
    if (w.pos !== total) throw new Error(`pprof direct encoder size mismatch: wrote ${w.pos} of ${total} bytes`);
    return w.finish();
  }
}
