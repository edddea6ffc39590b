// A profile's samples as typed-array columns instead of an object (and three arrays) per
// sample. On a 100 k-sample request those objects are most of what decoding allocates and
// what converting then walks again (bench/RESULTS.md, "pprof conversion"); columns are a
// handful of allocations per profile, read sequentially.
//
// Sample i has stack index stack[i], link index link[i], attribute indices
// attrs[attrStart[i] .. attrStart[i + 1]), values values[valueStart[i] .. valueStart[i + 1])
// and timestamps timeStart[i] .. timeStart[i + 1], timestamp k held as its unsigned 32-bit
// halves times[2k] (low) and times[2k + 1] (high). The numbers are exactly those the object
// decoder gives (int32 indices, int64 values as number, fixed64 timestamps), so a column
// and a Sample of the same bytes convert alike. Index columns are Float64Arrays, not
// Int32Arrays: samples built in memory (not decoded) may hold an index that is no int32 (a
// fraction, a huge number), which must reach the checks that refuse it unchanged. The
// arrays may be longer than the data (they grow by doubling); `length` is the sample count.
import type { Profile, Sample } from '../model.js';
import { growFloat64, growInt32, growUint32 } from './grow.js';
import { StackColumnsBuilder } from './stacks.js';

export interface SampleColumns {
  readonly length: number;
  readonly stack: Float64Array;
  readonly link: Float64Array;
  /** `length + 1` offsets into `attrs`. */
  readonly attrStart: Int32Array;
  readonly attrs: Float64Array;
  /** `length + 1` offsets into `values`. */
  readonly valueStart: Int32Array;
  readonly values: Float64Array;
  /** `length + 1` offsets, in timestamps (times has two entries per timestamp). */
  readonly timeStart: Int32Array;
  readonly times: Uint32Array;
  /**
   * Every timestamp as a bigint, instead of `times`, for samples built in memory with a
   * timestamp outside 0 .. 2^64 - 1 (decoded ones never are); undefined otherwise.
   */
  readonly bigTimes?: readonly bigint[] | undefined;
}

/** A profile whose samples are columns. */
export type ColumnarProfile = Profile<SampleColumns>;

/** Timestamp k of `c` as the bigint the object decoder gives (fixed64, unsigned). */
export function timestampAt(c: SampleColumns, k: number): bigint {
  if (c.bigTimes !== undefined) return c.bigTimes[k]!;
  const lo = c.times[2 * k]!;
  const hi = c.times[2 * k + 1]!;
  // Below 2^53 the number is exact, and one BigInt() call is cheaper than shifting.
  if (hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Appends samples column by column: `begin`, then any number of `attr` / `value` / `time`
 * calls (and a stack or link assignment), then `end`. Every array grows by doubling.
 */
export class SampleColumnsBuilder implements SampleColumns {
  length = 0;
  stack: Float64Array;
  link: Float64Array;
  attrStart: Int32Array;
  attrs: Float64Array;
  valueStart: Int32Array;
  values: Float64Array;
  timeStart: Int32Array;
  times: Uint32Array;
  bigTimes: bigint[] | undefined = undefined;
  /** Entries used in each pool. */
  nAttrs = 0;
  nValues = 0;
  nTimes = 0;

  /** Room for `samples` samples with two attributes and one value or timestamp each; more grows. */
  constructor(samples = 16) {
    const n = Math.max(1, samples);
    this.stack = new Float64Array(n);
    this.link = new Float64Array(n);
    this.attrStart = new Int32Array(n + 1);
    this.valueStart = new Int32Array(n + 1);
    this.timeStart = new Int32Array(n + 1);
    this.attrs = new Float64Array(2 * n);
    this.values = new Float64Array(n);
    this.times = new Uint32Array(2 * n);
  }

  /** Empties the columns, keeping the arrays (grown to room for `samples` as the constructor sizes them). */
  clear(samples: number): void {
    this.length = 0;
    this.nAttrs = 0;
    this.nValues = 0;
    this.nTimes = 0;
    this.bigTimes = undefined;
    const n = Math.max(1, samples);
    if (this.stack.length < n) {
      this.stack = new Float64Array(n);
      this.link = new Float64Array(n);
      this.attrStart = new Int32Array(n + 1);
      this.valueStart = new Int32Array(n + 1);
      this.timeStart = new Int32Array(n + 1);
    }
    if (this.attrs.length < 2 * n) this.attrs = new Float64Array(2 * n);
    if (this.values.length < n) this.values = new Float64Array(n);
    if (this.times.length < 2 * n) this.times = new Uint32Array(2 * n);
  }

  /** Bytes held. */
  bytes(): number {
    return [this.stack, this.link, this.attrStart, this.attrs, this.valueStart, this.values, this.timeStart, this.times].reduce(
      (n, a) => n + a.byteLength,
      0,
    );
  }

  /** Starts sample `length` with stack and link index 0 and no attributes, values or timestamps. */
  begin(): number {
    const i = this.length;
    if (i === this.stack.length) {
      this.stack = growFloat64(this.stack, i + 1);
      this.link = growFloat64(this.link, i + 1);
      this.attrStart = growInt32(this.attrStart, i + 2);
      this.valueStart = growInt32(this.valueStart, i + 2);
      this.timeStart = growInt32(this.timeStart, i + 2);
    }
    this.stack[i] = 0;
    this.link[i] = 0;
    return i;
  }

  /** Appends a values / attrs / times entry; the pools grow by doubling. */
  attr(v: number): void {
    if (this.nAttrs === this.attrs.length) this.attrs = growFloat64(this.attrs, this.nAttrs + 1);
    this.attrs[this.nAttrs++] = v;
  }

  value(v: number): void {
    if (this.nValues === this.values.length) this.values = growFloat64(this.values, this.nValues + 1);
    this.values[this.nValues++] = v;
  }

  /** One timestamp by its unsigned 32-bit halves. */
  time(lo: number, hi: number): void {
    const at = 2 * this.nTimes;
    if (at === this.times.length) this.times = growUint32(this.times, at + 2);
    this.times[at] = lo;
    this.times[at + 1] = hi;
    this.nTimes++;
  }

  /** Closes the sample begun last. */
  end(): void {
    const i = ++this.length;
    this.attrStart[i] = this.nAttrs;
    this.valueStart[i] = this.nValues;
    this.timeStart[i] = this.nTimes;
  }
}

/**
 * Column builders kept from one request to the next on a thread, for a caller whose decoded
 * columns never outlive its request (the worker tasks: bytes in, gzip'd pprof out). A
 * 100 k-sample profile's columns are about 6 MB of typed arrays; allocated per request, they
 * add to the young ArrayBuffers that make V8 collect in the middle of the next conversion.
 * `take` hands out builders (one per profile of the request), `release` takes them all back:
 * after it, columns taken before are overwritten by the next request.
 */
export class ColumnsPool {
  private readonly kept: SampleColumnsBuilder[] = [];
  private taken = 0;
  /** The same for the dictionary's stack table (stacks.ts): one builder per request. */
  private readonly keptStacks: StackColumnsBuilder[] = [];
  private stacksTaken = 0;

  /**
   * Builders held after release() are dropped past this many bytes in all (a 100 k-sample
   * profile's columns are about 6.4 MiB, the stack table of its 10 k stacks about 1 MiB).
   */
  constructor(private readonly maxBytes = 16 * 2 ** 20) {}

  take(samples: number): SampleColumnsBuilder {
    let b = this.kept[this.taken];
    if (b === undefined) this.kept.push((b = new SampleColumnsBuilder(samples)));
    else b.clear(samples);
    this.taken++;
    return b;
  }

  takeStacks(): StackColumnsBuilder {
    let b = this.keptStacks[this.stacksTaken];
    if (b === undefined) this.keptStacks.push((b = new StackColumnsBuilder()));
    else b.clear();
    this.stacksTaken++;
    return b;
  }

  /** Every builder taken is free again; the caller must no longer read their columns. */
  release(): void {
    this.taken = 0;
    this.stacksTaken = 0;
    const total = keepWithin(this.keptStacks, 0, this.maxBytes);
    keepWithin(this.kept, total, this.maxBytes);
  }
}

/**
 * Drops the builders of `list` from the first one that takes the running byte count (from
 * `total`) past `max`, and returns that count: past `max` once something was dropped, so that
 * a list trimmed after this one keeps nothing.
 */
function keepWithin(list: { bytes(): number }[], total: number, max: number): number {
  for (let i = 0; i < list.length; i++) {
    total += list[i]!.bytes();
    if (total > max) {
      list.length = i;
      break;
    }
  }
  return total;
}

/** Decoded samples as columns (the object paths convert through the same column code). */
export function columnsOfSamples(samples: readonly Sample[]): SampleColumns {
  const b = new SampleColumnsBuilder(samples.length);
  let big = false;
  for (const s of samples) {
    const i = b.begin();
    b.stack[i] = s.stackIndex;
    b.link[i] = s.linkIndex;
    const a = s.attributeIndices;
    for (let k = 0; k < a.length; k++) b.attr(a[k]!);
    const v = s.values;
    for (let k = 0; k < v.length; k++) b.value(v[k]!);
    const t = s.timestampsUnixNano;
    for (let k = 0; k < t.length; k++) {
      const x = t[k]!;
      // Number() of a bigint allocates nothing, bigint arithmetic does: below 2^53 the halves
      // come from the number.
      const v = Number(x);
      if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) b.time(v % 4294967296, Math.floor(v / 4294967296));
      else {
        if (x < 0n || x > 0xffffffffffffffffn) big = true;
        b.time(Number(x & 0xffffffffn), Number((x >> 32n) & 0xffffffffn));
      }
    }
    b.end();
  }
  if (big) b.bigTimes = samples.flatMap((s) => s.timestampsUnixNano);
  return b;
}

/** The samples `indices` of `c`, in that order, as columns of their own. */
export function selectSamples(c: SampleColumns, indices: readonly number[]): SampleColumns {
  const b = new SampleColumnsBuilder(indices.length);
  for (const j of indices) {
    const i = b.begin();
    b.stack[i] = c.stack[j]!;
    b.link[i] = c.link[j]!;
    for (let k = c.attrStart[j]!; k < c.attrStart[j + 1]!; k++) b.attr(c.attrs[k]!);
    for (let k = c.valueStart[j]!; k < c.valueStart[j + 1]!; k++) b.value(c.values[k]!);
    for (let k = c.timeStart[j]!; k < c.timeStart[j + 1]!; k++) b.time(c.times[2 * k]!, c.times[2 * k + 1]!);
    b.end();
  }
  if (c.bigTimes !== undefined) {
    const all = c.bigTimes;
    b.bigTimes = indices.flatMap((j) => all.slice(c.timeStart[j]!, c.timeStart[j + 1]!));
  }
  return b;
}

/** The profile with its samples as columns (a profile already columnar is returned as it is). */
export function columnarProfile(p: Profile | ColumnarProfile): ColumnarProfile {
  if (!Array.isArray(p.samples)) return p as ColumnarProfile;
  return { ...(p as Profile), samples: columnsOfSamples((p as Profile).samples) };
}
