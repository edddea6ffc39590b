// What the converter hands to pprof-speaking exporters and the store.
import type { Profile as PprofProfile } from 'pprof-format';
import type { TypeAndUnit } from './profile-type.js';

/** What a reader of a converted profile needs besides its series, without the model. */
export interface PprofSummary {
  /** One per value column (the converter writes one). */
  sampleTypes: TypeAndUnit[];
  periodType: TypeAndUnit | null;
  period: number;
  /** pprof samples, after merging identical ones. */
  sampleCount: number;
}

export interface ConvertedProfile {
  /**
   * The pprof model (pprof-format). On a result of the direct encoder (`pprof` set) it is
   * built on first read, by the model converter, from the same request: code that only
   * sends or stores the profile should use `pprofBytesOf` / `gzipOf` and `pprofSummary`.
   */
  readonly profile: PprofProfile;
  /**
   * The serialized perftools.profiles.Profile, when the converter wrote it directly
   * (encode-direct.ts): the same bytes as `encodePprof(profile)`.
   */
  readonly pprof?: Uint8Array;
  /** Set by the direct encoder; `pprofSummary` derives it from the model otherwise. */
  readonly summary?: PprofSummary;
  /**
   * Short, stable name of what is measured, derived from sample type and period type:
   * 'cpu', 'wall', 'alloc_space', 'alloc_objects', 'inuse_space', 'off_cpu', ... Safe as
   * a directory name and used as Pyroscope's `__name__` family and Datadog's attachment name.
   */
  profileType: string;
  /**
   * Series labels: resource attributes, then scope and profile-level attributes, flattened
   * to strings with their OTel keys (`service.name`, `service.version`, `host.name`,
   * `deployment.environment.name`, `process.runtime.name`, ...). `service.name` is always set:
   * the samples' own `service.name` when they name one, else the resource's, else
   * `unknown_service:<process.executable.name>`, else `unknown_service` (service-name.ts).
   * Exporters map these to their own conventions.
   */
  seriesLabels: Record<string, string>;
  startUnixNano: bigint;
  durationNano: bigint;
  /**
   * Hex profile id from OTLP, or, when absent, a stable id derived from content: sha256 of the
   * profile type and series labels, then the uncompressed pprof bytes (tables.ts contentId).
   */
  profileId: string;
  /**
   * Requests per trace endpoint seen in the samples: distinct local root spans (else traces)
   * whose samples carry that endpoint. Datadog's fallback `endpoint_counts` when no spans are seen.
   */
  endpointCounts: Record<string, number>;
}
