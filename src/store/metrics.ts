// The store's Prometheus metrics: its own health (stored, dropped, size) and profiling
// metrics for dashboards, counted as profiles are stored (never by scanning the store).
// Label cardinality is bounded everywhere: services are admitted first come up to a limit,
// functions / threads / versions get their own series while they are in the top N of their
// service (at most 2N + 1 series per service, see TopKeys), the rest are counted as `other`.
import { statSync } from 'node:fs';
import type { Counter, Registry } from 'prom-client';
import type { ExtractedProfile } from './ingest/extract.js';
import type { StoreConfig } from './config.js';
import { TopKeys } from './topn.js';
import { IDLE_FRAME } from './query/aggregation.js';
import { sharedCounter, sharedGauge } from '../component/metrics.js';

const P = 'otel_profile_bridge_';

const counter = sharedCounter;

export interface StoreGaugeSources {
  profiles(): number;
  queueProfiles(): number;
  files(): string[];
}

export class StoreMetrics {
  readonly profilesStored: Counter<'store'>;
  readonly samplesStored: Counter<'store'>;
  readonly spansStored: Counter<'store'>;
  readonly dropped: Counter<'store' | 'signal' | 'reason'>;
  readonly retentionDeleted: Counter<'store' | 'reason'>;
  readonly labelsLimited: Counter<'store' | 'reason'>;
  private readonly functionCpu: Counter<'service' | 'function'>;
  private readonly versionCpu: Counter<'service' | 'version'>;
  private readonly threadAlloc: Counter<'service' | 'thread'>;
  private readonly services = new Set<string>();
  private readonly functionTops = new Map<string, TopKeys>();
  private readonly versionTops = new Map<string, TopKeys>();
  private readonly threadTops = new Map<string, TopKeys>();

  constructor(
    registry: Registry,
    private readonly store: string,
    private readonly config: StoreConfig['metrics'],
    sources: StoreGaugeSources,
  ) {
    this.profilesStored = counter(registry, `${P}store_profiles_stored_total`, 'Profiles written to the local store', ['store']);
    this.samplesStored = counter(registry, `${P}store_samples_stored_total`, 'Distinct stacks (per profile) written to the local store', ['store']);
    this.spansStored = counter(registry, `${P}store_spans_stored_total`, 'Spans written to the local store', ['store']);
    this.dropped = counter(registry, `${P}store_dropped_total`, 'Profiles or spans the store did not keep, by reason', ['store', 'signal', 'reason']);
    this.retentionDeleted = counter(registry, `${P}store_retention_deleted_total`, 'Profiles deleted by retention, by reason (age, size)', [
      'store',
      'reason',
    ]);
    this.labelsLimited = counter(
      registry,
      `${P}store_labels_limited_total`,
      'Series labels the store dropped or cut, by reason (too_many, name_too_long, value_truncated)',
      ['store', 'reason'],
    );
    const gauge = (name: string, help: string, value: () => number) => {
      const g = sharedGauge(registry, name, help, ['store']);
      // Each store instance contributes its own series at scrape time.
      const previous = (g as unknown as { collect?: () => void }).collect;
      (g as unknown as { collect: () => void }).collect = () => {
        previous?.call(g);
        g.set({ store }, value());
      };
    };
    gauge(`${P}store_profiles`, 'Profiles held in the local store', sources.profiles);
    gauge(`${P}store_queue_profiles`, 'Profiles waiting for the next write batch', sources.queueProfiles);
    gauge(`${P}store_size_bytes`, 'Size of the local store on disk (database and write-ahead log)', () => {
      let total = 0;
      for (const f of sources.files()) {
        try {
          total += statSync(f).size;
        } catch {
          // A WAL file comes and goes with checkpoints.
        }
      }
      return total;
    });
    this.functionCpu = counter(
      registry,
      `${P}profile_function_cpu_seconds_total`,
      'Self CPU time by function (top functions of each service; the rest as function="other")',
      ['service', 'function'],
    );
    this.versionCpu = counter(registry, `${P}profile_cpu_seconds_total`, 'CPU time by service version', ['service', 'version']);
    this.threadAlloc = counter(
      registry,
      `${P}profile_alloc_bytes_total`,
      'Allocated bytes by thread name (top threads of each service; the rest as thread="other")',
      ['service', 'thread'],
    );
  }

  private service(name: string): string {
    if (this.services.has(name)) return name;
    if (this.services.size < this.config.max_services) {
      this.services.add(name);
      return name;
    }
    return 'other';
  }

  private tops(map: Map<string, TopKeys>, service: string, n: number): TopKeys {
    let t = map.get(service);
    if (!t) map.set(service, (t = new TopKeys(n)));
    return t;
  }

  /** Counts a stored profile into the profiling metrics. */
  recordProfile(p: ExtractedProfile): void {
    const service = this.service(p.labels['service.name'] ?? 'unknown_service');
    if (p.type === 'cpu' && p.unit === 'nanoseconds') {
      // Idle samples are not CPU time of the program (see store/query/aggregation.ts): they
      // are left out of both metrics, as the store's CPU views leave them out.
      const self = new Map<string, number>();
      let busy = 0;
      const { count, offsets, frames, values } = p.stacks;
      for (let k = 0; k < count; k++) {
        const name = offsets[k]! === offsets[k + 1]! ? '(root)' : p.frames[frames[offsets[k]!]!]!.name;
        if (name === IDLE_FRAME) continue;
        busy += values[k]!;
        self.set(name, (self.get(name) ?? 0) + values[k]!);
      }
      this.countTop(this.functionCpu, 'function', service, this.tops(this.functionTops, service, this.config.top_functions), self, 1e-9);
      const version = p.labels['service.version'] ?? '';
      this.countTop(
        this.versionCpu,
        'version',
        service,
        this.tops(this.versionTops, service, this.config.max_versions),
        new Map([[version, busy]]),
        1e-9,
      );
    }
    if (p.type === 'alloc_space' && p.threads.size > 0) {
      this.countTop(this.threadAlloc, 'thread', service, this.tops(this.threadTops, service, this.config.max_threads), p.threads, 1);
    }
  }

  private countTop<K extends string>(
    c: Counter<'service' | K>,
    key: K,
    service: string,
    top: TopKeys,
    values: Map<string, number>,
    scale: number,
  ): void {
    const { retired } = top.update(values);
    for (const d of retired) c.remove({ service, [key]: d } as Record<'service' | K, string>);
    for (const [k, v] of values) {
      // prom-client counters throw on a decrease; validation rejects negative values earlier.
      if (!(v > 0)) continue;
      c.inc({ service, [key]: top.label(k) } as Record<'service' | K, string>, v * scale);
    }
  }
}
