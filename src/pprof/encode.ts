// pprof bytes from the pprof-format model. Backends and files take gzip'd pprof.
import { gzip, gzipSync, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import type { Profile } from 'pprof-format';
import { encodeProfileFast } from './encode-fast.js';
import type { ConvertedProfile, PprofSummary } from './types.js';

const gzipAsync = promisify(gzip);

/**
 * gzip level for pprof output: 1. On a 100 k-sample CPU profile (bench/RESULTS.md, "pprof
 * conversion") level 6 took about twice as long as level 1 (1.8-2.4x across runs) for a
 * file 3% smaller, and level 9 longer still for 0.3% more: pprof is mostly small varints
 * that compress about as well either way, and the bridge spends its CPU per profile.
 * Re-measured beside the direct encoder (same section): levels 2 and 3 were not faster than 1
 * and saved under 1%; strategy Z_RLE was faster but 26% larger; Z_FILTERED slower for the
 * same size. So level 1 with the default strategy stays.
 */
export const PPROF_GZIP_LEVEL = 1;

/**
 * The zlib options pprof output is gzip'd with: level 1, and memLevel 9 (zlib's default is
 * 8): on the same profile memLevel 9 took 10-20% less time for the same size (within 0.2%),
 * at the cost of 128 KiB more zlib state per compression. A larger chunkSize made no
 * difference beyond noise. Figures: bench/RESULTS.md, "pprof conversion".
 */
export const PPROF_GZIP_OPTIONS: Readonly<ZlibOptions> = Object.freeze({ level: PPROF_GZIP_LEVEL, memLevel: 9 });

/**
 * The serialized perftools.profiles.Profile: the same bytes as pprof-format's
 * `profile.encode()`, several times faster (see ./encode-fast.ts).
 */
export function encodePprof(profile: Profile): Uint8Array {
  return encodeProfileFast(profile);
}

/** The serialized profile, gzip'd, as `go tool pprof` and every backend accept it. */
export function encodePprofGzip(profile: Profile): Uint8Array {
  return gzipSync(encodeProfileFast(profile), PPROF_GZIP_OPTIONS);
}

/** Same bytes as encodePprofGzip, with the compression off the event loop (zlib's thread pool). */
export async function encodePprofGzipAsync(profile: Profile): Promise<Uint8Array> {
  return gzipAsync(encodeProfileFast(profile), PPROF_GZIP_OPTIONS);
}

/** The serialized profile of a conversion result: its direct bytes, else the model encoded. */
export function pprofBytesOf(cp: ConvertedProfile): Uint8Array {
  return cp.pprof ?? encodeProfileFast(cp.profile);
}

/** pprofBytesOf, gzip'd off the event loop (zlib's thread pool). */
export async function pprofGzipAsync(cp: ConvertedProfile): Promise<Uint8Array> {
  return gzipAsync(pprofBytesOf(cp), PPROF_GZIP_OPTIONS);
}

/** Sample types, period and sample count of a conversion result, without building its model. */
export function pprofSummary(cp: ConvertedProfile): PprofSummary {
  if (cp.summary !== undefined) return cp.summary;
  const p = cp.profile;
  const strings = p.stringTable.strings;
  const str = (i: number | bigint): string => strings[Number(i)] ?? '';
  return {
    sampleTypes: p.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) })),
    periodType: p.periodType ? { type: str(p.periodType.type), unit: str(p.periodType.unit) } : null,
    period: Number(p.period),
    sampleCount: p.sample.length,
  };
}
