// The pprof side of a profiles request, shared by every pprof-speaking exporter: the
// conversion is memoized per request (src/pprof/cache.ts) and the gzip'd bytes per converted
// profile, so a fan-out to Pyroscope + Datadog + Parca converts and compresses once.
import { pprofGzipAsync } from '../../pprof/encode.js';
import { pprofOf } from '../../pprof/cache.js';
import type { ConvertedProfile } from '../../pprof/types.js';
import type { ExportProfilesServiceRequest } from '../../otlp/model.js';
import type { ItemBatch } from './exporter.js';

export interface PprofUpload {
  converted: ConvertedProfile;
  /** gzip'd perftools.profiles.Profile. */
  gzip: Uint8Array;
}

const gzipped = new WeakMap<ConvertedProfile, Promise<Uint8Array>>();

export function gzipOf(converted: ConvertedProfile): Promise<Uint8Array> {
  let p = gzipped.get(converted);
  if (p === undefined) {
    p = pprofGzipAsync(converted);
    gzipped.set(converted, p);
  }
  return p;
}

export async function pprofUploads(request: ExportProfilesServiceRequest): Promise<{ uploads: PprofUpload[]; rejected: ItemBatch['rejected'] }> {
  const { profiles, errors } = pprofOf(request);
  const uploads = await Promise.all(profiles.map(async (converted) => ({ converted, gzip: await gzipOf(converted) })));
  const rejected =
    errors.length === 0
      ? undefined
      : {
          reason: 'convert',
          count: errors.length,
          message:
            errors
              .map((e) => e.message)
              .slice(0, 3)
              .join('; ') + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''),
        };
  return { uploads, rejected };
}

/** Unix seconds (floor) of a nanosecond timestamp. */
export function unixSeconds(nanos: bigint): number {
  return Number(nanos / 1_000_000_000n);
}

/** RFC 3339 with nanosecond-free millisecond precision, in UTC. */
export function rfc3339(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString();
}
