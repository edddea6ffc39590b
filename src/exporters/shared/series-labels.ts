// Series labels for Prometheus-style profile stores (Pyroscope, Parca): label names must be
// `[a-zA-Z_][a-zA-Z0-9_]*`, names starting with `__` are reserved, and every series carries
// `__name__` (the profile family) and `service_name`.
//
// Names, from the OTel keys of ConvertedProfile.seriesLabels:
//   service.name                                           -> service_name
//   deployment.environment.name, deployment.environment   -> env
//   host.name                                              -> hostname
//   every other key                                        -> itself with each run of
//                                                             characters outside [a-zA-Z0-9_]
//                                                             turned into `_` (service.version
//                                                             -> service_version)
// When two keys land on one name the first (resource attributes come first) wins.
// Configured static labels are added last and win over derived ones.

import { measuredTypeOf } from '../../pprof/profile-type.js';

const RENAMES: Record<string, string> = {
  'service.name': 'service_name',
  'deployment.environment.name': 'env',
  'deployment.environment': 'env',
  'host.name': 'hostname',
};

/** A valid, non-reserved label name for any string. */
export function promLabelName(key: string): string {
  let s = key.replace(/[^a-zA-Z0-9_]+/g, '_');
  if (s === '') s = '_';
  if (/^[0-9]/.test(s)) s = `_${s}`;
  // `__`-prefixed names are the store's own; a user attribute must not claim one.
  if (s.startsWith('__')) s = s.replace(/^_+/, '_');
  return s;
}

export function labelNameFor(otelKey: string): string {
  return RENAMES[otelKey] ?? promLabelName(otelKey);
}

/**
 * The profile family a store groups by (`__name__`), in the names Pyroscope and Parca use
 * for their own profilers: CPU -> process_cpu, heap -> memory, and so on.
 */
export function profileFamily(profileType: string): string {
  // A sample count shares the family of what it counts; its pprof's sample type
  // (samples/count) keeps it a series of its own in the store.
  switch (measuredTypeOf(profileType)) {
    case 'cpu':
      return 'process_cpu';
    case 'alloc_space':
    case 'alloc_objects':
    case 'inuse_space':
    case 'inuse_objects':
      return 'memory';
    case 'goroutines':
    case 'goroutine':
      return 'goroutine';
    default:
      return promLabelName(measuredTypeOf(profileType));
  }
}

/**
 * Labels of a series: `__name__`, then the derived series labels, then the static ones.
 * Sorted by name (stores hash label sets; a stable order keeps requests reproducible).
 */
export function storeLabels(
  profileType: string,
  seriesLabels: Record<string, string>,
  staticLabels: Record<string, string> = {},
): [string, string][] {
  const out = new Map<string, string>();
  out.set('__name__', profileFamily(profileType));
  for (const [k, v] of Object.entries(seriesLabels)) {
    const name = labelNameFor(k);
    if (!out.has(name) && v !== '') out.set(name, v);
  }
  for (const [k, v] of Object.entries(staticLabels)) out.set(k === '__name__' ? k : promLabelName(k), v);
  return [...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A stable key for one series (for the queue's per-series ordering). */
export function seriesKey(labels: [string, string][]): string {
  return labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
}
