// A converted pprof profile -> what the store keeps: its frames, its distinct stacks with
// their values, the sample-level labels of its samples (span attribution, thread), and
// per-thread totals. Pure.
//
// Values are normalised at this point so that profiles with different periods add up:
// time units become nanoseconds, and counted samples of a CPU/wall period become
// `count × period` nanoseconds. A profile type therefore has one unit in the store.
import type { Profile as PprofProfile } from 'pprof-format';
import { decimalToHex16, PPROF_LABELS, THREAD_LABELS } from '../../pprof/labels.js';
import { isSampleCountType } from '../../pprof/profile-type.js';
import type { ConvertedProfile } from '../../pprof/types.js';
import type { FrameInfo } from '../query/types.js';
import type { ResolvedIds } from './cache.js';

/**
 * A profile's distinct stacks, column by column: stack k has the value values[k] and the
 * frames frames[offsets[k], offsets[k + 1]) (indices into ExtractedProfile.frames, leaf
 * first, inlined functions expanded). Three typed arrays per profile, not an array per stack:
 * those thousand small arrays a profile were the largest single cost of extracting one (most
 * of it the garbage collector's).
 */
export interface ExtractedStacks {
  /** Number of stacks. */
  count: number;
  /** count + 1 entries; the last is frames.length. */
  offsets: Int32Array;
  frames: Int32Array;
  values: Float64Array;
}

/** Stacks as lists of frame indices with their values -> ExtractedStacks. */
export function packStacks(list: readonly { frames: ArrayLike<number>; value: number }[]): ExtractedStacks {
  const offsets = new Int32Array(list.length + 1);
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    offsets[k] = n;
    n += list[k]!.frames.length;
  }
  offsets[list.length] = n;
  const frames = new Int32Array(n);
  const values = new Float64Array(list.length);
  for (let k = 0; k < list.length; k++) {
    frames.set(list[k]!.frames, offsets[k]!);
    values[k] = list[k]!.value;
  }
  return { count: list.length, offsets, frames, values };
}

/** Stack k's frame indices (a view, not a copy). */
export function stackFrames(s: ExtractedStacks, k: number): Int32Array {
  return s.frames.subarray(s.offsets[k]!, s.offsets[k + 1]!);
}

export interface SpanSample {
  /** 16 hex chars, or '' when the sample names no span. */
  spanId: string;
  /** 32 hex chars or ''. */
  traceId: string;
  /** 16 hex chars or ''. */
  localRootSpanId: string;
  /** The request's endpoint (`trace endpoint` label) or ''. */
  endpoint: string;
  /** The first thread name label (THREAD_NAME_LABELS) or ''. */
  threadName: string;
  /** The first thread id label (THREAD_ID_LABELS), as text (a numeric label in decimal), or ''. */
  threadId: string;
  /** Index of a stack of ExtractedProfile.stacks. */
  stack: number;
  value: number;
}

export interface ExtractedProfile {
  /** The converter's profile id (hex). */
  profileKey: string;
  type: string;
  labels: Record<string, string>;
  startMs: number;
  endMs: number;
  /** Unit of every value below after normalisation. */
  unit: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
  period: number;
  frames: FrameInfo[];
  stacks: ExtractedStacks;
  spanSamples: SpanSample[];
  /** Value per `thread.name` sample label (samples without one are not counted here). */
  threads: Map<string, number>;
  total: number;
  /** pprof samples read (before merging by stack). */
  sampleCount: number;
  /**
   * The frames' and stacks' ids in the IngestCache the profile was extracted with (the OTLP
   * path sets it), so the writer finds their rows by index; absent, it looks them up by value.
   */
  resolved?: ResolvedIds;
}

/** A Map, not an object: a unit named `constructor` or `toString` is not a time unit. */
const TIME_UNIT_NS: ReadonlyMap<string, number> = new Map([
  ['nanoseconds', 1],
  ['nanosecond', 1],
  ['ns', 1],
  ['microseconds', 1e3],
  ['microsecond', 1e3],
  ['us', 1e3],
  ['milliseconds', 1e6],
  ['millisecond', 1e6],
  ['ms', 1e6],
  ['seconds', 1e9],
  ['second', 1e9],
  ['s', 1e9],
]);

const COUNT_UNITS = new Set(['', 'count', 'counts', 'sample', 'samples']);
const TIMED_PERIODS = new Set(['cpu', 'wall', 'off_cpu', 'off-cpu', 'offcpu']);

/** How raw sample values become stored values: `stored = raw × scale`, in `unit`. */
export function valueScale(sampleUnit: string, periodType: string, periodUnit: string, period: number): { scale: number; unit: string } {
  const su = sampleUnit.toLowerCase();
  const t = TIME_UNIT_NS.get(su);
  if (t !== undefined) return { scale: t, unit: 'nanoseconds' };
  const pu = TIME_UNIT_NS.get(periodUnit.toLowerCase());
  if (COUNT_UNITS.has(su) && TIMED_PERIODS.has(periodType.toLowerCase()) && pu !== undefined && period > 0) {
    return { scale: period * pu, unit: 'nanoseconds' };
  }
  return { scale: 1, unit: su === '' ? 'count' : su };
}

/**
 * The label keys a thread's name and id come under: the OTel semantic conventions' attribute
 * keys (what the SDK plugin and the eBPF profiler send, which the converter keeps as label
 * keys), and the spellings other profilers write (`thread name`: @datadog/pprof).
 */
export const THREAD_NAME_LABELS: readonly string[] = [THREAD_LABELS.NAME, 'thread_name', 'thread name'];
export const THREAD_ID_LABELS: readonly string[] = [THREAD_LABELS.ID, 'thread_id', 'thread id'];

export function extractProfile(c: ConvertedProfile): ExtractedProfile {
  const p: PprofProfile = c.profile;
  const str = p.stringTable.strings;
  const s = (i: number | bigint | undefined): string => (i === undefined ? '' : (str[Number(i)] ?? ''));
  const st = p.sampleType[0];
  const sampleType = s(st?.type);
  const sampleUnit = s(st?.unit);
  const periodType = s(p.periodType?.type);
  const periodUnit = s(p.periodType?.unit);
  const period = Number(p.period);
  // A sample count kept apart from the time it counts (profile-type.ts) stays a count: scaled
  // by the period it would be a second copy of that time.
  const { scale, unit } = isSampleCountType(c.profileType) ? { scale: 1, unit: 'count' } : valueScale(sampleUnit, periodType, periodUnit, period);

  const functions = new Map<number, { name: string; file: string; startLine: number }>();
  for (const f of p.function) {
    functions.set(Number(f.id), { name: s(f.name) || s(f.systemName), file: s(f.filename), startLine: Number(f.startLine) });
  }
  const mappingFiles = new Map<number, string>();
  for (const m of p.mapping) mappingFiles.set(Number(m.id), s(m.filename));

  const frames: FrameInfo[] = [];
  const frameIndex = new Map<string, number>();
  const frameOf = (f: FrameInfo): number => {
    const k = `${f.name}\u0000${f.file}\u0000${f.line}\u0000${f.startLine}`;
    let i = frameIndex.get(k);
    if (i === undefined) {
      i = frames.length;
      frames.push(f);
      frameIndex.set(k, i);
    }
    return i;
  };
  // Location id -> its frames, innermost first (pprof's order within a location).
  const locationFrames = new Map<number, number[]>();
  for (const l of p.location) {
    const list: number[] = [];
    for (const ln of l.line) {
      const f = functions.get(Number(ln.functionId));
      if (!f) continue;
      list.push(frameOf({ name: f.name || '(unknown)', file: f.file, line: Number(ln.line), startLine: f.startLine }));
    }
    if (list.length === 0) {
      // Unsymbolized: the address is all there is; keep the binary as its "file".
      const addr = BigInt(l.address);
      list.push(frameOf({ name: `0x${addr.toString(16)}`, file: mappingFiles.get(Number(l.mappingId)) ?? '', line: 0, startLine: 0 }));
    }
    locationFrames.set(Number(l.id), list);
  }

  const stacks: { frames: number[]; value: number }[] = [];
  const stackIndex = new Map<string, number>();
  const stackByArray = new Map<unknown, number>();
  const spanIndex = new Map<string, SpanSample>();
  const threads = new Map<string, number>();
  let total = 0;
  const keyIds = new Map<string, number>();
  for (let i = 0; i < str.length; i++) keyIds.set(str[i]!, i);
  const kSpan = keyIds.get(PPROF_LABELS.SPAN_ID) ?? -1;
  const kTrace = keyIds.get(PPROF_LABELS.TRACE_ID) ?? -1;
  const kRoot = keyIds.get(PPROF_LABELS.LOCAL_ROOT_SPAN_ID) ?? -1;
  const kEndpoint = keyIds.get(PPROF_LABELS.TRACE_ENDPOINT) ?? -1;
  const kThreads = THREAD_NAME_LABELS.map((k) => keyIds.get(k) ?? -1).filter((k) => k >= 0);
  const kThreadIds = THREAD_ID_LABELS.map((k) => keyIds.get(k) ?? -1).filter((k) => k >= 0);

  for (const sample of p.sample) {
    const raw = Number(sample.value[0] ?? 0);
    if (raw === 0) continue;
    const value = Math.round(raw * scale);
    // The converter shares one location-id array between the samples of a stack (they
    // differ by labels only), so most lookups hit by identity before any key is built.
    let si = stackByArray.get(sample.locationId);
    if (si === undefined) {
      const ids: number[] = [];
      for (const loc of sample.locationId) {
        const fr = locationFrames.get(Number(loc));
        if (fr) for (const f of fr) ids.push(f);
      }
      const key = ids.join(',');
      si = stackIndex.get(key);
      if (si === undefined) {
        si = stacks.length;
        stacks.push({ frames: ids, value: 0 });
        stackIndex.set(key, si);
      }
      stackByArray.set(sample.locationId, si);
    }
    stacks[si]!.value += value;
    total += value;

    let spanId = '';
    let traceId = '';
    let root = '';
    let endpoint = '';
    let thread: string | undefined;
    let threadId = '';
    for (const l of sample.label) {
      const k = Number(l.key);
      if (k === kSpan) spanId = s(l.str);
      else if (k === kTrace) traceId = s(l.str);
      else if (k === kRoot) root = rootHex(s(l.str));
      else if (k === kEndpoint) endpoint = s(l.str);
      else if (thread === undefined && kThreads.includes(k) && Number(l.str) !== 0) thread = s(l.str);
      // A string label, or a numeric one (the converter writes integer attributes as `num`).
      else if (threadId === '' && kThreadIds.includes(k)) threadId = Number(l.str) !== 0 ? s(l.str) : String(l.num);
    }
    if (thread !== undefined) threads.set(thread, (threads.get(thread) ?? 0) + value);
    const threadName = thread ?? '';
    if (spanId !== '' || traceId !== '' || endpoint !== '' || threadName !== '' || threadId !== '') {
      const sk = `${spanId}|${traceId}|${root}|${endpoint}|${threadName}|${threadId}|${si}`;
      const hit = spanIndex.get(sk);
      if (hit) hit.value += value;
      else spanIndex.set(sk, { spanId, traceId, localRootSpanId: root, endpoint, threadName, threadId, stack: si, value });
    }
  }

  const startNs = c.startUnixNano;
  const endNs = c.startUnixNano + c.durationNano;
  return {
    profileKey: c.profileId,
    type: c.profileType,
    labels: c.seriesLabels,
    startMs: Number(startNs / 1_000_000n),
    endMs: Number((endNs + 999_999n) / 1_000_000n),
    unit,
    sampleType,
    sampleUnit,
    periodType,
    periodUnit,
    period,
    frames,
    stacks: packStacks(stacks),
    spanSamples: [...spanIndex.values()],
    threads,
    total,
    sampleCount: p.sample.length,
  };
}

/** The `local root span id` label (decimal, Datadog's form) as 16 hex chars; '' when unreadable. */
function rootHex(decimal: string): string {
  if (/^[0-9a-f]{16}$/.test(decimal) && /[a-f]/.test(decimal)) return decimal;
  if (!/^\d{1,20}$/.test(decimal)) return '';
  return decimalToHex16(decimal) ?? '';
}

/** A typed array's own header and its backing store's, before the elements: an estimate. */
const TYPED_ARRAY_BYTES = 96;

/** Rough bytes a profile holds in memory while it waits for its write batch. */
export function extractedBytes(e: ExtractedProfile): number {
  let b = 512;
  for (const f of e.frames) b += 64 + 2 * (f.name.length + f.file.length);
  b += 3 * TYPED_ARRAY_BYTES + 12 * e.stacks.count + 4 * e.stacks.frames.length;
  b += e.spanSamples.length * 200;
  if (e.resolved) b += 4 * (e.resolved.frames.length + e.resolved.stacks.length);
  return b;
}
