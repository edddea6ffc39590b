// OTLP profiles -> pprof (the pprof-format model). Pure: a request in, pprof profiles and
// per-profile errors out; no I/O, no clock, no randomness, so the same request always gives
// the same output (which also makes exporter retries idempotent).
//
// Choices, and why:
// - One pprof per OTLP Profile. Since OTLP v1.8 a Profile has exactly one sample type, and
//   profiles that came from one multi-type pprof need not share a window, period or
//   resource. Keeping them apart is lossless and lets each exporter combine as its backend
//   wants (Datadog attaches several pprofs to one event; Pyroscope wants one per type).
// - Tables are built per pprof from what its samples reference (the OTLP dictionary is
//   shared by the whole request), deduplicated by value: equal strings, functions, mappings
//   and locations at different OTLP indices become one pprof entry, and samples with the
//   same stack and labels are merged by adding their values.
// - A sample's value is the sum of its values, or its number of timestamps when it has no
//   values (each timestamped event counts 1). A sample with neither carries no measurement
//   and is skipped.
// - Per-event timestamps: pprof has no per-sample time, and every pprof consumer
//   (go tool pprof, Pyroscope, Parca, Datadog) aggregates samples anyway. By default
//   ('aggregate') a sample's timestamps fold into its value, and the profile window keeps
//   the time: when the OTLP profile has no start time, it is taken from the earliest
//   timestamp, and a zero duration is stretched to cover the latest, so the events still lie
//   inside [time_nanos, time_nanos + duration_nanos). Emitting one pprof sample per event
//   with a timestamp label would multiply samples and label cardinality for every backend,
//   so it is opt-in: with `timestamps: 'label'` each event becomes its own sample with a
//   numeric `end_timestamp_ns` label (the name Datadog's timeline reads).
// - Index 0 means "none" in OTLP: mapping index 0 -> no mapping; a line whose function
//   index is 0 names no function and is left out (pprof readers need a function per line).
// - Location attributes (e.g. profile.frame.type) have no place in pprof and are dropped.
// - Service naming follows the OTel semantic conventions (see service-name.ts): a resource
//   without `service.name` is `unknown_service:<process.executable.name>`, or
//   `unknown_service` without that. A sample's own `service.name` attribute moves it to that
//   service: a profile whose samples name several services becomes one pprof per service
//   (in order of first appearance; samples naming none stay with the resource's service),
//   and `service.name` is not repeated as a sample label. This is how Pyroscope's OTLP
//   ingest reads such profiles, so both show the same series and totals.
// - Every index is bounds-checked. A bad reference rejects only the profile that holds it,
//   with a ConvertError naming the profile and the index; the rest of the request converts.
import { Label as PprofLabel, Sample as PprofSample } from 'pprof-format';
import { ConvertError } from '../errors.js';
import type { ExportProfilesServiceRequest } from '../otlp/model.js';
import type { ColumnarProfile } from '../otlp/columns/samples.js';
import { encodeProfileFast } from './encode-fast.js';
import { UNKNOWN_SERVICE } from './service-name.js';
import { BUILD_ID_ATTR_KEYS, contentId, eachPart, num, PprofBuilder, type RequestTables, type TimestampMode } from './tables.js';
import type { ConvertedProfile } from './types.js';

export { BUILD_ID_ATTR_KEYS, UNKNOWN_SERVICE, type TimestampMode };

export interface ConvertOptions {
  /** Default 'aggregate'. */
  timestamps?: TimestampMode;
}

export interface ConvertResult {
  profiles: ConvertedProfile[];
  /** One per rejected profile, in request order. */
  errors: ConvertError[];
}

/** Converts every profile of the request; bad profiles become errors, the rest convert. */
export function convertProfilesRequest(req: ExportProfilesServiceRequest, options: ConvertOptions = {}): ConvertResult {
  const result: ConvertResult = { profiles: [], errors: [] };
  for (const r of convertEach(req, options)) {
    if (r instanceof ConvertError) result.errors.push(r);
    else result.profiles.push(r);
  }
  return result;
}

/**
 * Converts the request's profiles one at a time, in request order, so a caller can encode
 * and write each before the next is built (bounded memory, progress reporting).
 */
export function convertEach(
  req: ExportProfilesServiceRequest,
  options: ConvertOptions = {},
): Generator<ConvertedProfile | ConvertError, void, undefined> {
  return eachPart(req, options, convertPart);
}

/**
 * One part of a profile (see splitByService in tables.ts) as the pprof-format model;
 * `profileType` is the one scopeProfileTypes gave it with its siblings (profileTypeOf by default).
 */
export function convertPart(
  tables: RequestTables,
  mode: TimestampMode,
  part: ColumnarProfile,
  seriesLabels: Record<string, string>,
  profileType?: string,
): ConvertedProfile {
  return new ModelBuilder(tables, mode).build(part, seriesLabels, profileType);
}

/**
 * Number of OTLP Profile messages in the request. convertEach yields at least this many
 * results (more when a profile's samples name several services).
 */
export function countProfiles(req: ExportProfilesServiceRequest): number {
  let n = 0;
  for (const rp of req.resourceProfiles) for (const sp of rp.scopeProfiles) n += sp.profiles.length;
  return n;
}

/** Builds one pprof-format Profile: a Sample object per merged sample, sharing Label objects. */
class ModelBuilder extends PprofBuilder {
  /** Merged samples: by stack id, then by label identity (labelSetId). */
  private readonly merged: Map<number, PprofSample>[] = [];
  /** Merged samples in 'label' timestamp mode, by `stack|labels|timestamp`. */
  private readonly mergedEvents = new Map<string, PprofSample>();
  private readonly samples: PprofSample[] = [];

  protected add(stack: number, head: number, tail: number, value: number): void {
    const id = this.labelSetId(head, tail);
    let byLabels = this.merged[stack];
    if (byLabels === undefined) this.merged[stack] = byLabels = new Map();
    const hit = byLabels.get(id);
    if (hit !== undefined) {
      hit.value[0] = (hit.value[0] as number) + value;
      return;
    }
    const sample = new PprofSample({ locationId: this.stackLocationIds(stack), value: [value] });
    // Shared with every sample of these runs (the model is read-only once built).
    sample.label = this.labelsOfRuns(head, tail);
    byLabels.set(id, sample);
    this.samples.push(sample);
  }

  protected addEvent(stack: number, head: number, tail: number, t: bigint, tsKey: number, value: number): void {
    const key = `${stack}|${this.labelSetId(head, tail)}|${t}`;
    const hit = this.mergedEvents.get(key);
    if (hit !== undefined) {
      hit.value[0] = (hit.value[0] as number) + value;
      return;
    }
    const sample = new PprofSample({
      locationId: this.stackLocationIds(stack),
      value: [value],
      label: [...this.labelsOfRuns(head, tail), new PprofLabel({ key: tsKey, num: num(t) })],
    });
    this.mergedEvents.set(key, sample);
    this.samples.push(sample);
  }

  build(p: ColumnarProfile, seriesLabels: Record<string, string>, profileType: string | undefined): ConvertedProfile {
    const { model, converted, contentHead } = this.collect(p, seriesLabels, profileType);
    model.sample = this.samples;
    // The same bytes the direct encoder writes, so both give the same content id.
    if (contentHead !== undefined) converted.profileId = contentId(contentHead, encodeProfileFast(model));
    return { profile: model, ...converted };
  }
}
