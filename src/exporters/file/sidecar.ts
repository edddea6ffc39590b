// The JSON written beside each pprof file: what a reader needs to find and label a profile
// without parsing it (series labels, type, window, sample types, endpoint counts).
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
  const p = cp.profile;
  const strings = p.stringTable.strings;
  const str = (i: number | bigint) => strings[Number(i)] ?? '';
  return {
    pprof: pprofFileName,
    profileId: cp.profileId,
    profileType: cp.profileType,
    seriesLabels: cp.seriesLabels,
    start: rfc3339Nano(cp.startUnixNano),
    end: rfc3339Nano(cp.startUnixNano + cp.durationNano),
    startUnixNano: cp.startUnixNano.toString(),
    durationNano: cp.durationNano.toString(),
    sampleTypes: p.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) })),
    periodType: p.periodType ? { type: str(p.periodType.type), unit: str(p.periodType.unit) } : null,
    period: Number(p.period),
    sampleCount: p.sample.length,
    endpointCounts: cp.endpointCounts,
  };
}
