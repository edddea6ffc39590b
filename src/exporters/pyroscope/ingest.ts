// Pyroscope's ingest API: POST /ingest?name=<app>{k=v,...}&from=&until=&format=pprof&...
// with the gzip'd pprof as the body. Pure: a converted profile in, the query string out.
//
// `name` is `<service_name>{<label>=<value>,...}`. Pyroscope reads it with a small parser
// that splits on `{`, `}`, `,` and `=`, so those characters (and control characters) inside
// a label value or the app name are replaced by `_`; surrounding whitespace is trimmed.
// Labels are those of storeLabels() (see src/exporters/shared/series-labels.ts) minus
// `__name__` (Pyroscope derives the profile type from the pprof's sample types) and
// `service_name` (it is the app name).
import { pprofSummary } from '../../pprof/encode.js';
import type { ConvertedProfile } from '../../pprof/types.js';
import { runtimeFamily, type RuntimeFamily } from '../shared/runtime.js';
import { storeLabels } from '../shared/series-labels.js';
import { unixSeconds } from '../shared/pprof-uploads.js';

/** Pyroscope's names for its own profilers' runtimes (shown in its UI). */
const SPY_NAMES: Record<RuntimeFamily, string> = {
  node: 'nodespy',
  go: 'gospy',
  java: 'javaspy',
  python: 'pyspy',
  ruby: 'rbspy',
  dotnet: 'dotnetspy',
  php: 'phpspy',
  native: 'ebpfspy',
};

export function escapeNamePart(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.trim().replace(/[{},=\u0000-\u001f\u007f]/g, '_');
}

/** `app{k=v,...}` for the `name` parameter. */
export function ingestName(labels: [string, string][]): string {
  let app = 'unknown_service';
  const parts: string[] = [];
  for (const [k, v] of labels) {
    if (k === 'service_name') app = v;
    else if (k !== '__name__') parts.push(`${k}=${escapeNamePart(v)}`);
  }
  app = escapeNamePart(app) || 'unknown_service';
  return parts.length === 0 ? app : `${app}{${parts.join(',')}}`;
}

/** Samples per second of a CPU profile from its period in nanoseconds; undefined otherwise. */
export function sampleRateOf(converted: ConvertedProfile): number | undefined {
  if (converted.profileType !== 'cpu') return undefined;
  const { period, periodType } = pprofSummary(converted);
  const unit = periodType?.unit;
  if (!(period > 0) || unit !== 'nanoseconds') return undefined;
  const hz = Math.round(1e9 / period);
  return hz > 0 ? hz : undefined;
}

/** The path and query of the ingest request for one converted profile. */
export function ingestPath(converted: ConvertedProfile, staticLabels: Record<string, string>, nowNanos: bigint): string {
  const labels = storeLabels(converted.profileType, converted.seriesLabels, staticLabels);
  const start = converted.startUnixNano > 0n ? converted.startUnixNano : nowNanos;
  const from = unixSeconds(start);
  // `until` is exclusive at second precision: round the end up, and never equal `from`.
  const endNanos = start + converted.durationNano;
  const until = Math.max(from + 1, Number((endNanos + 999_999_999n) / 1_000_000_000n));
  const q = new URLSearchParams();
  q.set('name', ingestName(labels));
  q.set('from', String(from));
  q.set('until', String(until));
  q.set('format', 'pprof');
  const rate = sampleRateOf(converted);
  if (rate !== undefined) q.set('sampleRate', String(rate));
  q.set('spyName', SPY_NAMES[runtimeFamily(converted.seriesLabels)]);
  return `/ingest?${q.toString()}`;
}
