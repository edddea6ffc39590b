// Metrics shared through the bridge's one Prometheus registry. Several instances of a
// component (two `file` exporters, two receivers) register the same metric name; the first
// creates it and the others reuse it, each labelling its own series with its id.
import { Counter, Gauge, type Registry } from 'prom-client';

export function sharedCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function sharedGauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] });
}
