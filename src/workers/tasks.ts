// What the worker threads run: pure functions of bytes in, bytes (and small counts) out.
// Nothing here returns a decoded object graph: structured-cloning one back to the main
// thread costs more than decoding it there (measured: 23 s to clone the decoded form of a
// 1 M-sample request that decodes in 4.6 s and re-encodes in 0.8 s on the same, loaded,
// machine), so results cross the boundary as encoded bytes, transferred without a copy.
import { encodeProfilesRequest, encodeTracesRequest } from '../otlp/index.js';
import type { ExportProfilesServiceRequest, Profile } from '../otlp/model.js';
import { decodeProfilesRequestColumnar } from '../otlp/columns/decode.js';
import { ColumnsPool, type ColumnarProfile } from '../otlp/columns/samples.js';
import type { AnyDictionary } from '../otlp/columns/stacks.js';
import { prescanRequest, type LimitsOf } from '../otlp/prescan/index.js';
import { encodeProfilesRequestPprof, gzipProfilesRequestPprof } from '../pprof/encode-direct.js';
import { encodePprofGzip } from '../pprof/encode.js';
import { mergeProfiles, type ColumnRewrite } from '../pprof/merge.js';
import type { ConvertedProfile } from '../pprof/types.js';
import { ownedBytes } from './transfer.js';
import {
  checkedProfiles,
  checkedProfilesColumnar,
  checkedTraces,
  countProfiles,
  countSpans,
  type BodyFormat,
  type Signal,
} from '../receivers/otlp/checked.js';

export interface CheckInput {
  signal: Signal;
  format: BodyFormat;
  body: Uint8Array;
  limits: LimitsOf;
}

/** A request that passed the limits, decoded and was validated, as OTLP protobuf again. */
export interface CheckedRequest {
  /** OTLP protobuf of what is left after validation (the body itself when it was protobuf and nothing was removed). */
  bytes: Uint8Array;
  /** Spans or profiles in `bytes`. */
  items: number;
  /** Spans or profiles removed by validation, and why. */
  rejected: number;
  messages: string[];
}

/**
 * The receiver's inline steps before the pipeline (limits pre-scan, decode, validate), for
 * pipelines whose consumers take encoded requests. Throws what the inline path throws.
 */
export function checkRequest(input: CheckInput): CheckedRequest {
  const { signal, format, body, limits } = input;
  prescanRequest(signal, format, body, limits);
  if (signal === 'traces') {
    const checked = checkedTraces(body, format);
    const same = format === 'proto' && checked.rejected === 0;
    return {
      bytes: same ? body : encodeTracesRequest(checked.request),
      items: countSpans(checked.request),
      rejected: checked.rejected,
      messages: checked.messages,
    };
  }
  const checked = checkedProfiles(body, format);
  const same = format === 'proto' && checked.rejected === 0;
  return {
    bytes: same ? body : encodeProfilesRequest(checked.request),
    items: countProfiles(checked.request),
    rejected: checked.rejected,
    messages: checked.messages,
  };
}

/**
 * Only the limits pre-scan, for pipelines that decode on the main thread: a body over a
 * limit is refused here, off the event loop; one within them comes back (transferred).
 */
export function prescanOnly(input: CheckInput): { body: Uint8Array } {
  prescanRequest(input.signal, input.format, input.body, input.limits);
  return { body: input.body };
}

export interface PprofInput {
  format: BodyFormat;
  body: Uint8Array;
  limits: LimitsOf;
}

export interface PprofOutput {
  /** One gzip'd pprof per converted profile, in request order. */
  profiles: Uint8Array[];
  /** Profiles removed by validation or refused by the converter. */
  rejected: number;
  samples: number;
}

/**
 * What an exporter reads of a converted profile besides its bytes: every field of
 * ConvertedProfile except the model and the plain pprof (plain data, cheap to clone).
 */
export type PprofMeta = Omit<ConvertedProfile, 'profile' | 'pprof' | 'summary'> & { summary: NonNullable<ConvertedProfile['summary']> };

export interface ExportPprofInput {
  /** OTLP protobuf of a request the receiver already checked (no limits, no validation here). */
  body: Uint8Array;
}

export interface ExportPprofOutput {
  /** Per converted profile, in the order of `encodeProfilesRequestPprof(request).profiles`. */
  meta: PprofMeta[];
  /** The gzip'd pprof of each, same order (transferred back). */
  gzips: Uint8Array[];
  /** The messages of the profiles the converter refused. */
  errors: string[];
  samples: number;
}

/**
 * This thread's sample columns, reused by the tasks whose decoded request never outlives
 * the task (pprof, exportPprof: only gzip'd bytes and plain metadata leave). Released when
 * the task ends, whether it returns or throws.
 */
const columns = new ColumnsPool();

function withColumns<T>(fn: (pool: ColumnsPool) => T): T {
  try {
    return fn(columns);
  } finally {
    columns.release();
  }
}

/** gzip'd pprof and metadata of every profile of `request`, by the direct encoder. */
function pprofOfDecoded(request: ExportProfilesServiceRequest<Profile | ColumnarProfile, AnyDictionary>): ExportPprofOutput {
  // Each pprof is gzip'd straight from the encoder's per-thread output buffer (only the gzip
  // is allocated per profile), at the inline path's level (pprofGzipAsync): the same bytes.
  const { profiles, errors } = gzipProfilesRequestPprof(request);
  const meta: PprofMeta[] = [];
  const gzips: Uint8Array[] = [];
  let samples = 0;
  for (const c of profiles) {
    samples += c.summary.sampleCount;
    meta.push({
      profileType: c.profileType,
      seriesLabels: c.seriesLabels,
      startUnixNano: c.startUnixNano,
      durationNano: c.durationNano,
      profileId: c.profileId,
      endpointCounts: c.endpointCounts,
      summary: c.summary,
    });
    // A result in a shared buffer is copied once so that it can be transferred.
    gzips.push(ownedBytes(c.gzip));
  }
  return { meta, gzips, errors: errors.map((e) => e.message), samples };
}

/**
 * An exporter's conversion off the main thread: OTLP protobuf of an accepted request in,
 * per profile its gzip'd pprof and the metadata the exporters read out — the same bytes and
 * fields the inline path (pprofOf + pprofGzipAsync) produces for the same request.
 */
export function exportPprof(input: ExportPprofInput): ExportPprofOutput {
  // Samples as columns: no object per sample, the same bytes (see src/otlp/columns).
  return withColumns((pool) => pprofOfDecoded(decodeProfilesRequestColumnar(input.body, pool)));
}

export interface MergePprofInput {
  /** OTLP protobuf of the request (as for exportPprof). */
  body: Uint8Array;
  /** Per merged file: the profiles (indices into exportPprof's `meta`) and their column rewrites, in sample-type order. */
  merges: { indices: number[]; rewrites: (ColumnRewrite | undefined)[] }[];
}

/**
 * Several converted profiles of a request merged into one multi-type pprof each (Datadog's
 * attachments), gzip'd: the same bytes as mergeProfiles over the inline path's models.
 */
export function mergePprof(input: MergePprofInput): { gzips: Uint8Array[] } {
  const { profiles } = encodeProfilesRequestPprof(decodeProfilesRequestColumnar(input.body));
  const gzips = input.merges.map((m) => {
    const members = m.indices.map((i) => {
      const p = profiles[i];
      if (p === undefined) throw new RangeError(`mergePprof: the request has no converted profile ${i}`);
      return p.profile;
    });
    return ownedBytes(encodePprofGzip(mergeProfiles(members, m.rewrites)));
  });
  return { gzips };
}

/** Request bytes in, gzip'd pprof out: limits, decode, validate, convert + encode (direct), gzip. */
export function pprofOfRequest(input: PprofInput): PprofOutput {
  prescanRequest('profiles', input.format, input.body, input.limits);
  return withColumns((pool) => {
    const checked = input.format === 'proto' ? checkedProfilesColumnar(input.body, pool) : checkedProfiles(input.body, input.format);
    const out = pprofOfDecoded(checked.request);
    return { profiles: out.gzips, rejected: checked.rejected + out.errors.length, samples: out.samples };
  });
}

export const TASKS = {
  check: checkRequest,
  prescan: prescanOnly,
  pprof: pprofOfRequest,
  exportPprof,
  mergePprof,
} as const;

export type TaskName = keyof typeof TASKS;
export type TaskInput<T extends TaskName> = Parameters<(typeof TASKS)[T]>[0];
export type TaskOutput<T extends TaskName> = ReturnType<(typeof TASKS)[T]>;
