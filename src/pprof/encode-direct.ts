// OTLP profiles -> pprof bytes, without a pprof-format object per sample.
//
// The model converter (convert.ts) makes a Sample object (and its arrays) per merged sample
// and the encoder then walks them all again; on a 100 k-sample profile that object graph is
// most of the cost (bench/RESULTS.md, "pprof conversion"). Here the tables (strings,
// functions, mappings, locations: one entry per distinct value, far fewer than samples) are
// built exactly as the model converter builds them, by the same code (tables.ts), but each
// stack's packed location-id field, each label's message and each label run's messages (a
// sample's labels are two runs, its link's and its attribute list's: label-runs.ts) are
// encoded once, when first used, into one arena, and a sample is kept as numbers (stack id,
// head and tail label runs, value) in typed arrays. Samples are merged by stack once all are
// in (merge-by-stack.ts). The output is sized in one pass and written into a buffer kept per
// thread, the arena's runs copied in past its end; writing a sample is then a tag, a length,
// three copies (within that one buffer) and a varint. No string key, Map lookup or
// object is made per sample (only per distinct stack, link and attribute list, and those are
// interned by integer hashing: id-runs.ts).
//
// The output is byte-identical to `encodePprof(convertProfilesRequest(req).profiles[i].profile)`
// (test/pprof/encode-direct.property.test.ts checks it on random requests): same tables in
// the same order, same samples in the same order, same field order and varint forms as
// encode-fast.ts. The tables-only profile is serialized by encode-fast.ts itself and the
// samples spliced in after its sample_type field (field 1), which is where field 2 goes.
import { gzipSync } from 'node:zlib';
import type { Profile as PprofProfile, Label as PprofLabel } from 'pprof-format';
import { ConvertError } from '../errors.js';
import type { ExportProfilesServiceRequest, Profile } from '../otlp/model.js';
import type { ColumnarProfile } from '../otlp/columns/samples.js';
import type { AnyDictionary } from '../otlp/columns/stacks.js';
import { Writer } from '../protobuf/writer.js';
import { convertPart, type ConvertOptions, type ConvertResult } from './convert.js';
import { PPROF_GZIP_OPTIONS } from './encode.js';
import { encodeProfileFast, vsize } from './encode-fast.js';
import { growInt32 } from '../otlp/columns/grow.js';
import { StackMerge } from './merge-by-stack.js';
import { BuilderArrays, contentId, eachPart, PlainStringTable, PprofBuilder, type RequestTables, type TimestampMode } from './tables.js';
import type { ConvertedProfile, PprofSummary } from './types.js';

/** Converts every profile of the request straight to pprof bytes; bad profiles become errors. */
export function encodeProfilesRequestPprof(
  req: ExportProfilesServiceRequest<Profile | ColumnarProfile, AnyDictionary>,
  options: ConvertOptions = {},
): ConvertResult {
  const result: ConvertResult = { profiles: [], errors: [] };
  for (const r of encodeEach(req, options)) {
    if (r instanceof ConvertError) result.errors.push(r);
    else result.profiles.push(r);
  }
  return result;
}

/** Like convertEach (same order, same errors), each result carrying its `pprof` bytes. */
export function encodeEach(
  req: ExportProfilesServiceRequest<Profile | ColumnarProfile, AnyDictionary>,
  options: ConvertOptions = {},
): Generator<ConvertedProfile | ConvertError, void, undefined> {
  return eachPart(req, options, (tables, mode, part, labels, type) => withBuilder(tables, mode, (b) => b.build(part, labels, type)));
}

/** A converted profile as gzip'd pprof, with what the exporters read besides (no model, no plain pprof). */
export type GzippedProfile = Omit<ConvertedProfile, 'profile' | 'pprof' | 'summary'> & {
  /** The pprof, gzip'd with PPROF_GZIP_OPTIONS (the same bytes as gzipSync of the plain pprof with those options); a buffer of its own. */
  gzip: Uint8Array;
  summary: PprofSummary;
};

/**
 * encodeProfilesRequestPprof, each profile gzip'd as soon as it is written, for callers that
 * want only the gzip (the worker tasks): the plain pprof is written into a buffer kept
 * between calls on this thread and gzip'd from there, so no 10 MB output is allocated per
 * profile. Same profiles, order and errors as encodeProfilesRequestPprof.
 */
export function gzipProfilesRequestPprof(
  req: ExportProfilesServiceRequest<Profile | ColumnarProfile, AnyDictionary>,
  options: ConvertOptions = {},
): { profiles: GzippedProfile[]; errors: ConvertError[] } {
  const result: { profiles: GzippedProfile[]; errors: ConvertError[] } = { profiles: [], errors: [] };
  const parts = eachPart(req, options, (tables, mode, part, labels, type) => withBuilder(tables, mode, (b) => b.buildGzip(part, labels, type)));
  for (const r of parts) {
    if (r instanceof ConvertError) result.errors.push(r);
    else result.profiles.push(r);
  }
  return result;
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
    private source: { tables: RequestTables; mode: TimestampMode; part: ColumnarProfile } | undefined,
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

/** A scratch writer for the rare values outside the fast paths below. */
const scratch = new Writer(64);

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

/** Writes an unsigned varint below 2^32 at `pos`; returns the position after it. */
function putVarint32(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Byte runs written once and copied many times (a stack's location_id field, a label's
 * message, a label run's messages): one growable buffer, each run known by start and length.
 */
class Arena {
  buf = new Uint8Array(64 * 1024);
  used = 0;

  /** Makes room for `n` more bytes and returns where they go. */
  reserve(n: number): number {
    if (this.used + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.used + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    return this.used;
  }
}

/**
 * The typed arrays a BytesBuilder works in (sample columns, merge scratch, arena, run offsets)
 * and the pprof output itself (every build writes there; the gzip path gzips from there), kept
 * from one build to the next on this thread. A 100 k-sample profile needs about 19 MiB of such
 * buffers (the output and the arena's copy past its end included);
 * allocated per build (35 MB then, with a merge hash table and a label set per pair),
 * they are what made V8 collect the young generation in the middle of a conversion
 * ("external memory pressure": young ArrayBuffers past twice the semi-space size), copying
 * and promoting everything the conversion still held, and the promoted garbage then cost
 * full collections too (bench/RESULTS.md, "pprof conversion"). One build holds a scratch
 * at a time (takeScratch / giveBack); a build that throws never gives its scratch back.
 */
class BuildScratch {
  sampleStack = new Int32Array(1024);
  sampleHead = new Int32Array(1024);
  sampleTail = new Int32Array(1024);
  values = new Float64Array(1024);
  readonly merger = new StackMerge();
  readonly arena = new Arena();
  runStart = new Int32Array(256).fill(-1);
  runLen = new Int32Array(256);
  setStart = new Int32Array(256).fill(-1);
  setLen = new Int32Array(256);
  refStart = new Int32Array(256).fill(-1);
  refLen = new Int32Array(256);
  bodies = new Int32Array(1024);
  private out = new Uint8Array(0);
  /** The base builder's interning structures and index arrays. */
  readonly arrays = new BuilderArrays();

  /** The first `n` bytes of the kept output buffer (grown with headroom when too small). */
  output(n: number): Uint8Array {
    if (this.out.length < n) this.out = new Uint8Array(Buffer.allocUnsafeSlow(n + (n >>> 3)).buffer);
    return this.out.subarray(0, n);
  }

  /** Bytes held. */
  bytes(): number {
    let n = this.arena.buf.byteLength + this.out.byteLength + this.arrays.bytes() + this.merger.bytes();
    for (const a of [this.sampleStack, this.sampleHead, this.sampleTail, this.values]) n += a.byteLength;
    for (const a of [this.runStart, this.runLen, this.setStart, this.setLen, this.refStart, this.refLen, this.bodies]) {
      n += a.byteLength;
    }
    return n;
  }
}

/**
 * A scratch holding more is dropped after its build instead (the next allocates afresh, as
 * every build used to): a 100 k-sample profile's is about 19 MiB with the output buffer, so
 * a thread keeps at most this much, for profiles up to somewhat more samples than that, not
 * the high-water mark of the largest request it ever converted.
 */
export const SCRATCH_KEPT_BYTES = 32 * 2 ** 20;
let idleScratch: BuildScratch | undefined;

function takeScratch(): BuildScratch {
  const s = idleScratch ?? new BuildScratch();
  idleScratch = undefined;
  return s;
}

function giveBack(s: BuildScratch): void {
  if (s.bytes() <= SCRATCH_KEPT_BYTES) idleScratch = s;
}

/** `build` on a BytesBuilder working in this thread's scratch, which it gives back only when `build` returns. */
function withBuilder<T>(tables: RequestTables, mode: TimestampMode, build: (b: BytesBuilder) => T): T {
  const scratch = takeScratch();
  const b = new BytesBuilder(tables, mode, scratch);
  const built = build(b);
  b.releaseScratch();
  giveBack(scratch);
  return built;
}

/** Keeps samples as (stack, label runs, value[, event time]), merges them, and writes them as bytes. */
class BytesBuilder extends PprofBuilder {
  /**
   * Samples, column by column: stack id, head and tail label runs (label-runs.ts: a merged
   * sample is written with its first occurrence's runs, as equal labels may come in another
   * order), value. Typed arrays, grown by doubling, merged by stack once all are in
   * (merge-by-stack.ts): no object or map per stack or per sample on the hot path.
   */
  private sampleStack: Int32Array<ArrayBuffer>;
  private sampleHead: Int32Array<ArrayBuffer>;
  private sampleTail: Int32Array<ArrayBuffer>;
  private values: Float64Array<ArrayBuffer>;
  private n = 0;
  /** Encoded runs: by stack id, by label run, by label ref id (-1 = not yet). */
  private readonly arena: Arena;
  private runStart: Int32Array<ArrayBuffer>;
  private runLen: Int32Array<ArrayBuffer>;
  private setStart: Int32Array<ArrayBuffer>;
  private setLen: Int32Array<ArrayBuffer>;
  private refStart: Int32Array<ArrayBuffer>;
  private refLen: Int32Array<ArrayBuffer>;
  /** 'label' mode: sample index by `stack|labels|timestamp`. */
  private readonly mergedEvents = new Map<string, number>();
  /**
   * 'label' mode only: each sample's event time, undefined for a sample without one. Read only
   * when `timed` (an out-of-range read of an empty array is slow in V8).
   */
  private readonly times: (bigint | undefined)[] = [];
  private timed = false;
  private tsKey = 0;

  constructor(
    tables: RequestTables,
    mode: TimestampMode,
    private readonly scratch: BuildScratch,
  ) {
    // The tables-only model is written by encodeProfileFast, which reads only the strings.
    super(tables, mode, new PlainStringTable(), scratch.arrays);
    this.sampleStack = scratch.sampleStack;
    this.sampleHead = scratch.sampleHead;
    this.sampleTail = scratch.sampleTail;
    this.values = scratch.values;
    this.arena = scratch.arena;
    this.runStart = scratch.runStart;
    this.runLen = scratch.runLen;
    this.setStart = scratch.setStart;
    this.setLen = scratch.setLen;
    this.refStart = scratch.refStart;
    this.refLen = scratch.refLen;
  }

  /**
   * Hands the (possibly grown) arrays back to the scratch, reset to what a new builder
   * expects: only the entries this build used are cleared.
   */
  releaseScratch(): void {
    const s = this.scratch;
    s.sampleStack = this.sampleStack;
    s.sampleHead = this.sampleHead;
    s.sampleTail = this.sampleTail;
    s.values = this.values;
    this.arena.used = 0;
    this.runStart.fill(-1, 0, this.stackRuns.size);
    s.runStart = this.runStart;
    s.runLen = this.runLen;
    this.setStart.fill(-1, 0, this.labelRuns.size);
    s.setStart = this.setStart;
    s.setLen = this.setLen;
    this.refStart.fill(-1, 0, this.labelById.length);
    s.refStart = this.refStart;
    s.refLen = this.refLen;
    s.arrays.reset();
  }

  private static grownFilled(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
    let size = a.length * 2;
    while (size <= n) size *= 2;
    const b = new Int32Array(size).fill(-1);
    b.set(a);
    return b;
  }

  /** Encodes the stack's location_id field (tag, length, packed ids) into the arena. */
  private encodeRun(id: number): void {
    if (id >= this.runStart.length) {
      this.runStart = BytesBuilder.grownFilled(this.runStart, id);
      this.runLen = growInt32(this.runLen, this.runStart.length);
    }
    const runs = this.stackRuns;
    const ids = runs.pool;
    const from = runs.start[id]!;
    const k = runs.len[id]!;
    let payload = 0;
    for (let i = 0; i < k; i++) payload += vsize32(ids[from + i]!);
    const a = this.arena;
    const at = k === 0 ? a.used : a.reserve(1 + 5 + payload);
    const buf = a.buf;
    let pos = at;
    if (k !== 0) {
      buf[pos++] = 10;
      pos = putVarint32(buf, pos, payload);
      for (let i = 0; i < k; i++) pos = putVarint32(buf, pos, ids[from + i]!);
    }
    a.used = pos;
    this.runStart[id] = at;
    this.runLen[id] = pos - at;
  }

  /** Encodes one label's message into the arena, once per label of this pprof. */
  private encodeRef(ref: number, l: PprofLabel): void {
    if (ref >= this.refStart.length) {
      this.refStart = BytesBuilder.grownFilled(this.refStart, ref);
      this.refLen = growInt32(this.refLen, this.refStart.length);
    }
    writeLabel(scratch, l);
    const n = scratch.pos;
    const a = this.arena;
    const at = a.reserve(n);
    a.buf.set(scratch.buf.subarray(0, n), at);
    a.used = at + n;
    scratch.pos = 0;
    this.refStart[ref] = at;
    this.refLen[ref] = n;
  }

  /** Encodes the label run's messages (its labels' messages, in its order) into the arena. */
  private encodeSet(run: number): void {
    if (run >= this.setStart.length) {
      this.setStart = BytesBuilder.grownFilled(this.setStart, run);
      this.setLen = growInt32(this.setLen, this.setStart.length);
    }
    const runs = this.labelRuns.refs;
    const refs = runs.pool;
    const from = runs.start[run]!;
    const count = runs.len[run]!;
    let total = 0;
    for (let k = 0; k < count; k++) {
      const r = refs[from + k]!;
      if ((this.refStart[r] ?? -1) < 0) this.encodeRef(r, this.labelById[r]!);
      total += this.refLen[r]!;
    }
    const a = this.arena;
    const at = a.reserve(total);
    const buf = a.buf;
    let pos = at;
    for (let k = 0; k < count; k++) {
      const r = refs[from + k]!;
      const s = this.refStart[r]!;
      const e = s + this.refLen[r]!;
      for (let j = s; j < e; j++) buf[pos++] = buf[j]!;
    }
    a.used = pos;
    this.setStart[run] = at;
    this.setLen[run] = total;
  }

  /**
   * Sizes sample storage for `samples` merged samples at most (aggregate mode can never keep
   * more; 'label' mode may, and grows by doubling): no copy while the samples are walked.
   */
  protected override expect(samples: number): void {
    const n = Math.min(samples, 1 << 24);
    if (n <= this.values.length) return;
    this.sampleStack = new Int32Array(n);
    this.sampleHead = new Int32Array(n);
    this.sampleTail = new Int32Array(n);
    this.values = new Float64Array(n);
  }

  /** Appends a sample (no merge lookup) and returns its index. */
  private push(stack: number, head: number, tail: number, value: number): number {
    const i = this.n;
    if (i === this.values.length) {
      this.sampleStack = growInt32(this.sampleStack, i + 1);
      this.sampleHead = growInt32(this.sampleHead, i + 1);
      this.sampleTail = growInt32(this.sampleTail, i + 1);
      const v = new Float64Array(this.sampleStack.length);
      v.set(this.values);
      this.values = v;
    }
    if ((this.runStart[stack] ?? -1) < 0) this.encodeRun(stack);
    if ((this.setStart[head] ?? -1) < 0) this.encodeSet(head);
    if ((this.setStart[tail] ?? -1) < 0) this.encodeSet(tail);
    this.sampleStack[i] = stack;
    this.sampleHead[i] = head;
    this.sampleTail[i] = tail;
    this.values[i] = value;
    this.n = i + 1;
    return i;
  }

  /** Keeps the sample; samples are merged once all are in (mergeSamples). */
  protected add(stack: number, head: number, tail: number, value: number): void {
    this.push(stack, head, tail, value);
    if (this.timed) this.times.push(undefined);
  }

  protected addEvent(stack: number, head: number, tail: number, t: bigint, tsKey: number, value: number): void {
    if (!this.timed) {
      this.timed = true;
      for (let i = 0; i < this.n; i++) this.times.push(undefined);
    }
    this.tsKey = tsKey;
    const key = `${stack}|${this.labelRuns.key[head]!}|${this.labelRuns.key[tail]!}|${t}`;
    const hit = this.mergedEvents.get(key);
    if (hit !== undefined) {
      this.values[hit] += value;
      return;
    }
    this.mergedEvents.set(key, this.push(stack, head, tail, value));
    this.times.push(t);
  }

  /** The profile's pprof bytes (its own buffer) and what the exporters read besides. */
  build(p: ColumnarProfile, seriesLabels: Record<string, string>, profileType: string | undefined): ConvertedProfile {
    const { pprof, summary, converted, profileId } = this.write(p, seriesLabels, profileType, false);
    return new EncodedProfile(
      pprof,
      summary,
      converted.profileType,
      converted.seriesLabels,
      converted.startUnixNano,
      converted.durationNano,
      profileId,
      converted.endpointCounts,
      { tables: this.tables, mode: this.mode, part: p },
    );
  }

  /**
   * The profile's gzip'd pprof and what the exporters read besides. The pprof is written
   * into the scratch's output buffer, gzip'd from there and never handed out: only the gzip
   * output leaves, in a buffer of its own.
   */
  buildGzip(p: ColumnarProfile, seriesLabels: Record<string, string>, profileType: string | undefined): GzippedProfile {
    const { pprof, summary, converted, profileId } = this.write(p, seriesLabels, profileType, true);
    return {
      gzip: gzipSync(pprof, PPROF_GZIP_OPTIONS),
      summary,
      profileType: converted.profileType,
      seriesLabels: converted.seriesLabels,
      startUnixNano: converted.startUnixNano,
      durationNano: converted.durationNano,
      profileId,
      endpointCounts: converted.endpointCounts,
    };
  }

  /** Walks the samples and writes the pprof into the scratch's output: returned as a view of it (`reuse`) or copied into a buffer of its own. */
  private write(p: ColumnarProfile, seriesLabels: Record<string, string>, profileType: string | undefined, reuse: boolean) {
    const { model, summary, converted, contentHead } = this.collect(p, seriesLabels, profileType);
    summary.sampleCount = this.scratch.merger.merge(
      { stack: this.sampleStack, head: this.sampleHead, tail: this.sampleTail, values: this.values, times: this.timed ? this.times : undefined },
      this.n,
      this.stackRuns.size,
      this.labelRuns.key,
    );
    const pprof = this.encode(encodeProfileFast(model), reuse);
    const profileId = contentHead === undefined ? converted.profileId : contentId(contentHead, pprof);
    return { pprof, summary, converted, profileId };
  }

  /**
   * The tables-only profile's bytes with the samples put in after its sample_type field: one
   * pass to size every sample, then per sample two varints, a copy of its stack's run, its
   * value and a copy of each of its two label runs (samples merged away skipped), all into
   * the scratch's output.
   */
  private encode(tables: Uint8Array, reuse: boolean): Uint8Array {
    // Field 1 (sample_type) holds two small string ids: its length fits one byte.
    if (tables[0] !== 10 || tables[1]! >= 0x80) throw new Error('pprof direct encoder: unexpected sample_type field');
    const head = 2 + tables[1]!;
    const n = this.n;
    const stackOf = this.sampleStack;
    const headOf = this.sampleHead;
    const tailOf = this.sampleTail;
    const values = this.values;
    const runStart = this.runStart;
    const runLen = this.runLen;
    const setStart = this.setStart;
    const setLen = this.setLen;
    const timed = this.timed;
    const tsKeySize = 1 + vsize32(this.tsKey);
    const kept = this.scratch;
    if (kept.bodies.length < n) kept.bodies = new Int32Array(n);
    const bodies = kept.bodies;
    let total = tables.length;
    for (let i = 0; i < n; i++) {
      const stack = stackOf[i]!;
      // Merged into an earlier sample (merge-by-stack.ts).
      if (stack < 0) continue;
      let body = runLen[stack]! + 2 + vsize(values[i]!) + setLen[headOf[i]!]! + setLen[tailOf[i]!]!;
      if (timed) {
        const t = this.times[i];
        if (t !== undefined) body += 2 + tsKeySize + (t === 0n ? 0 : 1 + vsize(t));
      }
      bodies[i] = body;
      total += 1 + vsize32(body) + body;
    }
    // Written in the scratch's output, kept between builds (not zero-filled: every byte is
    // written below), with the arena's runs put just past the pprof's end, so that every copy
    // of a run is one copyWithin (a memmove) from that compact block (~1 MB for 100 k samples,
    // mostly in cache). Before, the first copy of each run came from the arena by a byte loop
    // and the later ones from that first copy, scattered over the 9 MiB written: the encode
    // measured ~5-12 % slower so (A/B, bench/RESULTS.md, "pprof conversion").
    const arena = this.arena.used;
    const out = kept.output(total + arena);
    out.set(this.arena.buf.subarray(0, arena), total);
    out.set(tables.subarray(0, head), 0);
    let pos = head;
    for (let i = 0; i < n; i++) {
      const stack = stackOf[i]!;
      if (stack < 0) continue;
      out[pos++] = 18;
      pos = putVarint32(out, pos, bodies[i]!);
      const rl = runLen[stack]!;
      const ra = total + runStart[stack]!;
      out.copyWithin(pos, ra, ra + rl);
      pos += rl;
      const v = values[i]!;
      out[pos++] = 18;
      if (v >= 0 && v < 0x100000000) {
        const x = v >>> 0;
        out[pos++] = vsize32(x);
        pos = putVarint32(out, pos, x);
      } else {
        scratch.int64Number(v);
        out[pos++] = scratch.pos;
        for (let j = 0; j < scratch.pos; j++) out[pos++] = scratch.buf[j]!;
        scratch.pos = 0;
      }
      const hr = headOf[i]!;
      const hl = setLen[hr]!;
      const ha = total + setStart[hr]!;
      out.copyWithin(pos, ha, ha + hl);
      pos += hl;
      const tr = tailOf[i]!;
      const tl = setLen[tr]!;
      if (tl !== 0) {
        const ta = total + setStart[tr]!;
        out.copyWithin(pos, ta, ta + tl);
        pos += tl;
      }
      if (timed) {
        const t = this.times[i];
        if (t !== undefined) {
          scratch.tag(26);
          scratch.varint32(tsKeySize + (t === 0n ? 0 : 1 + vsize(t)));
          scratch.tag(8);
          scratch.varint32(this.tsKey);
          if (t !== 0n) {
            scratch.tag(24);
            scratch.varintBig(t);
          }
          for (let j = 0; j < scratch.pos; j++) out[pos++] = scratch.buf[j]!;
          scratch.pos = 0;
        }
      }
    }
    out.set(tables.subarray(head), pos);
    pos += tables.length - head;
    if (pos !== total) throw new Error(`pprof direct encoder size mismatch: wrote ${pos} of ${total} bytes`);
    if (reuse) return out.subarray(0, total);
    // A result handed out is copied into a buffer of its own (not a slice of Node's shared
    // pool, not the scratch): one memcpy, cheaper than what the compact copies above save.
    const own = new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
    own.set(out.subarray(0, total));
    return own;
  }
}
