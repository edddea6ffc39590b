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
   * `deployment.environment.name`, `process.runtime.name`, ...). `service.name` is always set:
   * the samples' own `service.name` when they name one, else the resource's, else
   * `unknown_service:<process.executable.name>`, else `unknown_service` (service-name.ts).
   * Exporters map these to their own conventions.
   */
  seriesLabels: Record<string, string>;
  startUnixNano: bigint;
  durationNano: bigint;
  /** Hex profile id from OTLP, or a stable id derived from content when absent. */
  profileId: string;
  /**
   * Requests per trace endpoint seen in the samples: distinct local root spans (else traces)
   * whose samples carry that endpoint. Datadog's fallback `endpoint_counts` when no spans are seen.
   */
  endpointCounts: Record<string, number>;
}
