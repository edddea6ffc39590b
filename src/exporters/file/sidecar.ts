// The JSON written beside each pprof file: what a reader needs to find and label a profile
// without parsing it (series labels, type, window, sample types, endpoint counts).
import { pprofSummary } from '../../pprof/encode.js';
import type { ConvertedProfile } from '../../pprof/types.js';
import { rfc3339Nano } from './layout.js';

export interface ProfileSidecar {
  /** File name of the pprof beside it. */
  pprof: string;
  profileId: string;
  profileType: string;
  seriesLabels: Record<string, string>;
  /** RFC 3339, UTC, nanoseconds. */
  start: string;
  end: string;
  /** Decimal strings: ns values pass 2^53. */
  startUnixNano: string;
  durationNano: string;
  sampleTypes: { type: string; unit: string }[];
  periodType: { type: string; unit: string } | null;
  period: number;
  /** pprof samples (after merging identical ones). */
  sampleCount: number;
  endpointCounts: Record<string, number>;
}

export function profileSidecar(cp: ConvertedProfile, pprofFileName: string): ProfileSidecar {
  // From the summary, not the model: the direct encoder makes no model unless asked.
  const s = pprofSummary(cp);
  return {
    pprof: pprofFileName,
    profileId: cp.profileId,
    profileType: cp.profileType,
    seriesLabels: cp.seriesLabels,
    start: rfc3339Nano(cp.startUnixNano),
    end: rfc3339Nano(cp.startUnixNano + cp.durationNano),
    startUnixNano: cp.startUnixNano.toString(),
    durationNano: cp.durationNano.toString(),
    sampleTypes: s.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
    periodType: s.periodType ? { type: s.periodType.type, unit: s.periodType.unit } : null,
    period: s.period,
    sampleCount: s.sampleCount,
    endpointCounts: cp.endpointCounts,
  };
}
