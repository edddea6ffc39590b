// Reads metric names, types and help out of Prometheus text exposition format. Pure.

export interface MetricInfo {
  name: string;
  type: string;
  help: string;
}

export function parseMetricFamilies(text: string): MetricInfo[] {
  const byName = new Map<string, MetricInfo>();
  const get = (name: string) => {
    let m = byName.get(name);
    if (!m) byName.set(name, (m = { name, type: 'untyped', help: '' }));
    return m;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const help = /^#\s+HELP\s+(\S+)\s?(.*)$/.exec(line);
    if (help) {
      get(help[1]!).help = help[2]!.replace(/\\n/g, ' ').replace(/\\\\/g, '\\');
      continue;
    }
    const type = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
    if (type) get(type[1]!).type = type[2]!;
  }
  return [...byName.values()];
}

/** The profiling metrics (from stored profiles) that dashboards chart, as docs/api.md lists them. */
export const PROFILING_METRICS: MetricInfo[] = [
  { name: 'otel_profile_bridge_profile_cpu_seconds_total', type: 'counter', help: 'CPU time in stored profiles, by service and version.' },
  {
    name: 'otel_profile_bridge_profile_function_cpu_seconds_total',
    type: 'counter',
    help: 'Self CPU time of the top functions per service (the rest as "other").',
  },
  { name: 'otel_profile_bridge_profile_alloc_bytes_total', type: 'counter', help: 'Allocated bytes by service and thread name.' },
];

export const EXAMPLE_QUERIES: { title: string; promql: string }[] = [
  { title: 'CPU cores used, by version', promql: 'sum by (service, version) (rate(otel_profile_bridge_profile_cpu_seconds_total[5m]))' },
  {
    title: 'Hottest functions (CPU cores)',
    promql: 'topk(10, sum by (service, function) (rate(otel_profile_bridge_profile_function_cpu_seconds_total{function!="other"}[5m])))',
  },
  { title: 'Allocation rate by thread', promql: 'sum by (service, thread) (rate(otel_profile_bridge_profile_alloc_bytes_total[5m]))' },
  { title: 'Profiles dropped by the store', promql: 'sum by (signal, reason) (rate(otel_profile_bridge_store_dropped_total[5m]))' },
];
