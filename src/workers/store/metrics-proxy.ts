// Shows metrics that live in another thread's registry on the main thread's /metrics: one
// stand-in per metric name, whose value is read from the other thread at scrape time (one
// read per scrape, shared by every stand-in of that source).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: unknown[];
}

export function forwardMetrics(registry: Registry, read: () => Promise<MetricJson[]>, initial: MetricJson[], logger: Logger): void {
  let snapshot: Promise<MetricJson[]> | undefined;
  const current = () => {
    // Every stand-in is asked within the same scrape: read once, forget right after.
    if (!snapshot) {
      snapshot = read().catch(() => []);
      setTimeout(() => (snapshot = undefined), 50).unref();
    }
    return snapshot;
  };
  for (const m of initial) {
    if (registry.getSingleMetric(m.name)) {
      logger.warn({ metric: m.name }, 'a metric of the writer thread has the name of one on the main thread; not forwarded');
      continue;
    }
    const standIn = {
      name: m.name,
      help: m.help,
      type: m.type,
      aggregator: m.aggregator,
      get: async () => {
        const found = (await current()).find((x) => x.name === m.name);
        return found ?? { name: m.name, help: m.help, type: m.type, aggregator: m.aggregator, values: [] };
      },
      reset: () => undefined,
    };
    registry.registerMetric(standIn as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}
