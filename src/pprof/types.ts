// What the converter hands to pprof-speaking exporters and the store.
import type { Profile as PprofProfile } from 'pprof-format';

export interface ConvertedProfile {
  /** The pprof model (pprof-format). Encode with `encodePprofGzip` from src/pprof. */
  profile: PprofProfile;
  /**
   * Short, stable name of what is measured, derived from sample type and period type:
   * 'cpu', 'wall', 'alloc_space', 'alloc_objects', 'inuse_space', 'off_cpu', ... Safe as
   * a directory name and used as Pyroscope's `__name__` family and Datadog's attachment name.
   */
  profileType: string;
  /**
   * Series labels: resource attributes, then scope and profile-level attributes, flattened
   * to strings with their OTel keys (`service.name`, `service.version`, `host.name`,
   * `deployment.environment.name`, `process.runtime.name`, ...). `service.name` is always set
   * (`unknown_service` when absent). Exporters map these to their own conventions.
   */
  seriesLabels: Record<string, string>;
  startUnixNano: bigint;
  durationNano: bigint;
  /** Hex profile id from OTLP, or a stable id derived from content when absent. */
  profileId: string;
  /** Samples per trace endpoint (for Datadog's `endpoint_counts`). */
  endpointCounts: Record<string, number>;
}
