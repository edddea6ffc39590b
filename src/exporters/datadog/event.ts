// Datadog profile uploads from converted profiles. Pure.
//
// The profiles of one request that share a series (the same resource labels) and a time
// window become one upload: an `event.json` listing the attachments, and the attachments,
// grouped the way the runtime family's own Datadog profiler groups them (attachments.ts:
// Node's wall.pprof holds wall and cpu time, space.pprof the heap types; Go's cpu.pprof,
// delta-heap.pprof, ...; other families one `<profileType>.pprof` per type). A second
// profile of the same type for the same series and window goes into a second upload.
//
// event.json:
//   attachments      the attachment file names
//   start, end       RFC 3339 (UTC, ms); a snapshot (no duration) taken at the end of a
//                    window of its series goes in that window's upload, else it gets a 1 s
//                    window; a profile without a start time is taken to end now
//   family           node, go, java, python, ruby, dotnet, php or native (see shared/runtime.ts)
//   version          "4"
//   tags_profiler    comma-separated `key:value`: service, env, version, host, runtime-id
//                    (service.instance.id), runtime, runtime_version, process_id, then the
//                    configured tags
//   endpoint_counts  requests per trace endpoint in the upload's window: the local root
//                    spans the exporter saw on a traces pipeline (endpoint-tally.ts), or,
//                    when it has seen no span of the service, the distinct requests (local
//                    root spans, else traces) the samples of the upload's main profile (cpu,
//                    else wall, else the first with any) name; {} when neither counts any
//   info             profiler name/version and the application's service/env/version
import { rfc3339, type PprofUpload } from '../shared/pprof-uploads.js';
import { runtimeFamily, type RuntimeFamily } from '../shared/runtime.js';
import { attachmentsOf, slotOf } from './attachments.js';
import type { ColumnRewrite } from '../../pprof/merge.js';

export interface DatadogEvent {
  attachments: string[];
  start: string;
  end: string;
  family: RuntimeFamily;
  version: '4';
  tags_profiler: string;
  endpoint_counts: Record<string, number>;
  info: {
    profiler: { name: string; version: string };
    application?: { service?: string; env?: string; version?: string };
    platform?: { hostname?: string };
    runtime?: { engine?: string; version?: string };
  };
}

export interface DatadogUpload {
  /** Series key, for in-order delivery per series. */
  key: string;
  event: DatadogEvent;
  /** One file each; several profiles in one file are merged into one pprof (one sample type each). */
  attachments: { name: string; profiles: PprofUpload[]; rewrites: (ColumnRewrite | undefined)[] }[];
}

/** Requests per endpoint in a window, from spans; undefined when none of the series' service were seen. */
export type EndpointCounter = (seriesLabels: Record<string, string>, startNanos: bigint, endNanos: bigint) => Record<string, number> | undefined;

/** Datadog tag sources, in the order they appear in tags_profiler. */
const TAG_SOURCES: [string, string[]][] = [
  ['service', ['service.name']],
  ['env', ['deployment.environment.name', 'deployment.environment']],
  ['version', ['service.version']],
  ['host', ['host.name']],
  ['runtime-id', ['service.instance.id']],
  ['runtime', ['process.runtime.name']],
  ['runtime_version', ['process.runtime.version']],
  ['process_id', ['process.pid']],
];

/** A tag value safe inside the comma-separated list. */
export function tagValue(v: string): string {
  return (
    v
      .trim()
      // eslint-disable-next-line no-control-regex
      .replace(/[,\u0000-\u001f\u007f]/g, '_')
      .slice(0, 200)
  );
}

function first(labels: Record<string, string>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = labels[k];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

export function tagsProfiler(seriesLabels: Record<string, string>, configured: Record<string, string>): string {
  const tags: string[] = [];
  for (const [tag, keys] of TAG_SOURCES) {
    const v = first(seriesLabels, keys);
    if (v !== undefined) tags.push(`${tag}:${tagValue(v)}`);
  }
  for (const [k, v] of Object.entries(configured)) tags.push(`${tagValue(k).replace(/:/g, '_')}:${tagValue(v)}`);
  return tags.join(',');
}

function seriesKeyOf(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

const MAIN_TYPES = ['cpu', 'wall'];

function endpointCountsOf(uploads: PprofUpload[]): Record<string, number> | undefined {
  const main =
    MAIN_TYPES.map((t) => uploads.find((u) => u.converted.profileType === t && Object.keys(u.converted.endpointCounts).length > 0)).find(Boolean) ??
    uploads.find((u) => Object.keys(u.converted.endpointCounts).length > 0);
  return main ? { ...main.converted.endpointCounts } : undefined;
}

export function buildUploads(
  uploads: PprofUpload[],
  configuredTags: Record<string, string>,
  bridgeVersion: string,
  nowNanos: bigint = BigInt(Date.now()) * 1_000_000n,
  requestCounts?: EndpointCounter,
): DatadogUpload[] {
  // Group by series and window, keeping request order; a repeated type opens a new upload.
  // A snapshot (no duration) taken at the end of a window of its series joins that window's
  // upload, as dd-trace collects the heap with the window's wall profile; on its own, its
  // upload would get a window (and requests) of its own that overlaps the next one's.
  const windowEnds = new Map<string, string>();
  for (const u of uploads) {
    const c = u.converted;
    if (c.durationNano > 0n)
      windowEnds.set(`${seriesKeyOf(c.seriesLabels)}|${c.startUnixNano + c.durationNano}`, `${c.startUnixNano}|${c.durationNano}`);
  }
  const groups = new Map<string, PprofUpload[][]>();
  for (const u of uploads) {
    const c = u.converted;
    const series = seriesKeyOf(c.seriesLabels);
    const window = (c.durationNano === 0n ? windowEnds.get(`${series}|${c.startUnixNano}`) : undefined) ?? `${c.startUnixNano}|${c.durationNano}`;
    const key = `${series}|${window}`;
    let lists = groups.get(key);
    if (!lists) groups.set(key, (lists = []));
    const target = lists.find((l) => !l.some((x) => slotOf(x.converted) === slotOf(c)));
    if (target) target.push(u);
    else lists.push([u]);
  }
  const out: DatadogUpload[] = [];
  for (const lists of groups.values()) {
    for (const list of lists) {
      // The window is the longest member's (a joined snapshot has none of its own).
      const c = list.reduce((a, b) => (b.converted.durationNano > a.converted.durationNano ? b : a)).converted;
      const labels = c.seriesLabels;
      const duration = c.durationNano > 0n ? c.durationNano : 1_000_000_000n;
      // A profile with no time at all is taken to have just ended.
      const start = c.startUnixNano > 0n ? c.startUnixNano : nowNanos - duration;
      const family = runtimeFamily(labels);
      const attachments = attachmentsOf(family, list).map((a) => ({ name: a.file, profiles: a.members, rewrites: a.rewrites }));
      const counts = requestCounts?.(labels, start, start + duration) ?? endpointCountsOf(list);
      const service = first(labels, ['service.name']);
      const env = first(labels, ['deployment.environment.name', 'deployment.environment']);
      const version = first(labels, ['service.version']);
      const hostname = first(labels, ['host.name']);
      const engine = first(labels, ['process.runtime.name']);
      const runtimeVersion = first(labels, ['process.runtime.version']);
      const event: DatadogEvent = {
        attachments: attachments.map((a) => a.name),
        start: rfc3339(start),
        end: rfc3339(start + duration),
        family,
        version: '4',
        tags_profiler: tagsProfiler(labels, configuredTags),
        // Always there, {} when nothing counts requests, as dd-trace writes it.
        endpoint_counts: counts ?? {},
        info: {
          profiler: { name: 'otel-profile-bridge', version: bridgeVersion },
          application: compact({ service, env, version }),
          ...(hostname ? { platform: { hostname } } : {}),
          ...(engine || runtimeVersion ? { runtime: compact({ engine, version: runtimeVersion }) } : {}),
        },
      };
      out.push({ key: seriesKeyOf(labels), event, attachments });
    }
  }
  return out;
}

function compact<T extends Record<string, string | undefined>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
