// The pprof side of a profiles request, shared by every pprof-speaking exporter. Memoized per
// request object, so a fan-out to Pyroscope + Datadog + Parca + files converts and compresses
// once:
//
// - With the bridge's worker threads (`service.workers.threads` > 0), the request is encoded
//   to OTLP protobuf, transferred to a worker, and the worker decodes it, converts it with the
//   direct encoder and gzips each profile (src/workers/tasks.ts `exportPprof`). What comes
//   back is per profile the gzip'd bytes (transferred) and plain metadata, never a model.
//   Results are handed on in the order requests were submitted (the pool's `order` key), so
//   a series' profiles reach the sending queues in request order. A full pool refuses with a
//   retryable ERR_PIPELINE_FULL before anything is queued: the request is not taken, the
//   fan-out refuses it (429 / UNAVAILABLE) and the sender retries — nothing accepted is lost.
// - Without them, the conversion runs here (src/pprof/cache.ts) and gzip in zlib's pool.
//
// Both give the same bytes for the same request (test/exporters/shared/pprof-in-workers.test.ts).
import { encodePprofGzipAsync, pprofGzipAsync } from '../../pprof/encode.js';
import { mergeProfiles, type ColumnRewrite } from '../../pprof/merge.js';
import { pprofOf } from '../../pprof/cache.js';
import type { ConvertedProfile } from '../../pprof/types.js';
import type { ExportProfilesServiceRequest } from '../../otlp/model.js';
import { encodeProfilesRequest } from '../../otlp/encode.js';
import type { WorkerThreads } from '../../component/factory.js';
import { workerPoolOf } from '../../workers/pool.js';
import type { PprofMeta } from '../../workers/tasks.js';
import type { ItemBatch } from './exporter.js';

export interface PprofUpload {
  converted: ConvertedProfile;
  /** gzip'd perftools.profiles.Profile. */
  gzip: Uint8Array;
}

export interface PprofUploads {
  uploads: PprofUpload[];
  /** Messages of the profiles the converter refused. */
  errors: string[];
}

/** Pool results of one request hand on in submission order under this key. */
export const PPROF_ORDER_KEY = 'exporters/pprof';

const gzipped = new WeakMap<ConvertedProfile, Promise<Uint8Array>>();

export function gzipOf(converted: ConvertedProfile): Promise<Uint8Array> {
  let p = gzipped.get(converted);
  if (p === undefined) {
    p = pprofGzipAsync(converted);
    gzipped.set(converted, p);
  }
  return p;
}

/**
 * A profile converted in a worker thread: its metadata as the worker sent it. The model is
 * made only if something reads `profile` (nothing in the exporters does: Datadog's merges of
 * pooled profiles run in a worker, see mergedGzips), on this thread, from the same request
 * (the same conversion, so the i-th profile is the same profile).
 */
export class PooledProfile implements ConvertedProfile {
  readonly profileType: string;
  readonly seriesLabels: Record<string, string>;
  readonly startUnixNano: bigint;
  readonly durationNano: bigint;
  readonly profileId: string;
  readonly endpointCounts: Record<string, number>;
  readonly summary: PprofMeta['summary'];

  constructor(
    meta: PprofMeta,
    private readonly request: ExportProfilesServiceRequest,
    /** Its position in the request's converted profiles. */
    readonly index: number,
  ) {
    this.profileType = meta.profileType;
    this.seriesLabels = meta.seriesLabels;
    this.startUnixNano = meta.startUnixNano;
    this.durationNano = meta.durationNano;
    this.profileId = meta.profileId;
    this.endpointCounts = meta.endpointCounts;
    this.summary = meta.summary;
  }

  get profile(): ConvertedProfile['profile'] {
    return pprofOf(this.request).profiles[this.index]!.profile;
  }
}

const pooled = new WeakMap<ExportProfilesServiceRequest, Promise<PprofUploads>>();

async function inWorker(request: ExportProfilesServiceRequest, pool: NonNullable<ReturnType<typeof workerPoolOf>>): Promise<PprofUploads> {
  const body = encodeProfilesRequest(request); // a buffer of its own: transferred, not copied
  const out = await pool.run('exportPprof', { body }, [body.buffer as ArrayBuffer], PPROF_ORDER_KEY);
  return {
    uploads: out.meta.map((meta, i) => ({ converted: new PooledProfile(meta, request, i), gzip: out.gzips[i]! })),
    errors: out.errors,
  };
}

async function inline(request: ExportProfilesServiceRequest): Promise<PprofUploads> {
  const { profiles, errors } = pprofOf(request);
  const uploads = await Promise.all(profiles.map(async (converted) => ({ converted, gzip: await gzipOf(converted) })));
  return { uploads, errors: errors.map((e) => e.message) };
}

/**
 * The converted profiles of `request` with their gzip'd pprof: in a worker thread when
 * `workers` is the bridge's pool, else here. Rejects (retryable) when the pool is full or a
 * worker fails; a refused conversion is forgotten, so the same request can be tried again.
 */
export function convertedUploads(request: ExportProfilesServiceRequest, workers?: WorkerThreads): Promise<PprofUploads> {
  const pool = workerPoolOf(workers);
  if (pool === undefined) return inline(request);
  let p = pooled.get(request);
  if (p === undefined) {
    p = inWorker(request, pool);
    pooled.set(request, p);
    p.catch(() => {
      if (pooled.get(request) === p) pooled.delete(request);
    });
  }
  return p;
}

/**
 * Each group of `request`'s converted profiles merged into one gzip'd multi-type pprof, with
 * its column rewrites (Datadog's attachments; see ../../pprof/merge.ts). In a worker thread
 * when the uploads came from one (the worker converts the request again and builds the models
 * of the members only), else here, with gzip in zlib's pool. Same bytes either way.
 */
export async function mergedGzips(
  request: ExportProfilesServiceRequest,
  groups: { members: PprofUpload[]; rewrites: (ColumnRewrite | undefined)[] }[],
  workers?: WorkerThreads,
): Promise<Uint8Array[]> {
  const pool = workerPoolOf(workers);
  if (groups.length === 0) return [];
  if (pool !== undefined && groups.every((g) => g.members.every((m) => m.converted instanceof PooledProfile))) {
    const body = encodeProfilesRequest(request);
    const merges = groups.map((g) => ({ indices: g.members.map((m) => (m.converted as PooledProfile).index), rewrites: g.rewrites }));
    return (await pool.run('mergePprof', { body, merges }, [body.buffer as ArrayBuffer], PPROF_ORDER_KEY)).gzips;
  }
  return Promise.all(
    groups.map((g) =>
      encodePprofGzipAsync(
        mergeProfiles(
          g.members.map((m) => m.converted.profile),
          g.rewrites,
        ),
      ),
    ),
  );
}

export async function pprofUploads(
  request: ExportProfilesServiceRequest,
  workers?: WorkerThreads,
): Promise<{ uploads: PprofUpload[]; rejected: ItemBatch['rejected'] }> {
  const { uploads, errors } = await convertedUploads(request, workers);
  const rejected =
    errors.length === 0
      ? undefined
      : {
          reason: 'convert',
          count: errors.length,
          message: errors.slice(0, 3).join('; ') + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''),
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
