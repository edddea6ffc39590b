// Which stored rows answer a time range: whole pre-merged buckets where the range covers
// them, raw profiles at the edges. Pure.
//
// A profile belongs to the bucket its start falls in (one per resolution), so a range
// [from, to] is split into a run of aligned buckets [first, end) — the coarsest that fit,
// finer ones towards the edges — and raw edges: profiles that started before `first` (and
// still overlap `from`, as raw selection has it) and those that started at or after `end`.
// Every profile the raw selection takes is then read exactly once.

/**
 * Bucket widths, coarsest first: 1 day, 6 hours, 1 hour, 10 minutes, 1 minute (UTC-aligned;
 * each a multiple of the next). The in-between widths bound what the ends of an unaligned
 * range read: at most 3 + 5 + 5 + 9 buckets per end and series instead of 23 + 59.
 */
export const RESOLUTIONS_MS: readonly number[] = [86_400_000, 21_600_000, 3_600_000, 600_000, 60_000];
/** The finest resolution: what compaction waits on before it merges a profile. */
export const FINEST_MS = RESOLUTIONS_MS[RESOLUTIONS_MS.length - 1]!;
/** Ranges shorter than this are read raw: a short range is exact and cheap without buckets. */
export const MIN_BUCKETED_RANGE_MS = 3_600_000;

export interface BucketPiece {
  resolutionMs: number;
  /** Bucket starts in [fromMs, toMs) (aligned to resolutionMs). */
  fromMs: number;
  toMs: number;
}

export interface CoverPlan {
  pieces: BucketPiece[];
  /** Start of the bucketed part: profiles starting before it are read raw. */
  firstMs: number;
  /** End (exclusive) of the bucketed part: profiles starting at or after it are read raw. */
  endMs: number;
}

/** floor / ceil to a multiple of `r` (also for negative times). */
const floorTo = (t: number, r: number): number => Math.floor(t / r) * r;
const ceilTo = (t: number, r: number): number => Math.ceil(t / r) * r;

/**
 * The buckets covering the inclusive range [from, to] no earlier than `floorMs` (buckets
 * before it may be deleted by retention), or undefined when no whole bucket fits.
 */
export function coverPlan(
  from: number,
  to: number,
  floorMs = Number.NEGATIVE_INFINITY,
  resolutions: readonly number[] = RESOLUTIONS_MS,
): CoverPlan | undefined {
  const lo = Math.max(from, floorMs);
  const hi = to + 1; // exclusive
  const pieces: BucketPiece[] = [];
  const cover = (a: number, b: number, level: number): void => {
    if (a >= b || level >= resolutions.length) return;
    const r = resolutions[level]!;
    const first = ceilTo(a, r);
    const end = floorTo(b, r);
    if (first >= end) return cover(a, b, level + 1);
    cover(a, first, level + 1);
    pieces.push({ resolutionMs: r, fromMs: first, toMs: end });
    cover(end, b, level + 1);
  };
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  cover(lo, hi, 0);
  if (pieces.length === 0) return undefined;
  pieces.sort((x, y) => x.fromMs - y.fromMs);
  return { pieces, firstMs: pieces[0]!.fromMs, endMs: pieces[pieces.length - 1]!.toMs };
}

/** The start of the bucket of `t` at resolution `r`. */
export function bucketStart(t: number, r: number): number {
  return floorTo(t, r);
}
