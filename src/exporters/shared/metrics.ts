// Exporter metrics, one set per registry, labelled by exporter id. An item is one upload
// (one pprof, one Datadog event, one OTLP request).
//
//   otel_profile_bridge_exporter_sent_total{exporter}            items the backend accepted
//   otel_profile_bridge_exporter_failed_total{exporter,reason}   items given up on after sending:
//        the backend refused them for good (reason = http_400, grpc_invalid_argument, ...) or
//        retries ran out (reason = retries_exhausted)
//   otel_profile_bridge_exporter_retried_total{exporter}         attempts that will be retried
//   otel_profile_bridge_exporter_dropped_total{exporter,reason}  items never sent: queue_full
//        (refused at the door, the sender was told to retry), too_large, shutdown (in-memory
//        queue left over at exit), corrupt (unreadable persisted file), convert (no pprof)
//   otel_profile_bridge_exporter_rejected_items_total{exporter}  profiles / spans a backend
//        dropped out of an accepted request (OTLP partial success)
//   otel_profile_bridge_exporter_queue_bytes{exporter}           bytes queued or in flight
//   otel_profile_bridge_exporter_queue_items{exporter}           items queued or in flight
import type { Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '../../component/metrics.js';

export interface ExporterMetrics {
  sent(n?: number): void;
  failed(reason: string, n?: number): void;
  retried(n?: number): void;
  dropped(reason: string, n?: number): void;
  rejectedItems(n: number): void;
  queue(bytes: number, items: number): void;
}

const counter = sharedCounter;
const gauge = sharedGauge;

export const EXPORTER_METRIC = {
  sent: 'otel_profile_bridge_exporter_sent_total',
  failed: 'otel_profile_bridge_exporter_failed_total',
  retried: 'otel_profile_bridge_exporter_retried_total',
  dropped: 'otel_profile_bridge_exporter_dropped_total',
  rejectedItems: 'otel_profile_bridge_exporter_rejected_items_total',
  queueBytes: 'otel_profile_bridge_exporter_queue_bytes',
  queueItems: 'otel_profile_bridge_exporter_queue_items',
} as const;

export function exporterMetrics(registry: Registry, exporter: string): ExporterMetrics {
  const sent = counter(registry, EXPORTER_METRIC.sent, 'Items (uploads) the backend accepted', ['exporter']);
  const failed = counter(registry, EXPORTER_METRIC.failed, 'Items given up on: refused by the backend for good, or retries exhausted', [
    'exporter',
    'reason',
  ]);
  const retried = counter(registry, EXPORTER_METRIC.retried, 'Delivery attempts that failed and will be retried', ['exporter']);
  const dropped = counter(registry, EXPORTER_METRIC.dropped, 'Items never sent (queue full, too large, shutdown, corrupt, unconvertible)', [
    'exporter',
    'reason',
  ]);
  const rejected = counter(
    registry,
    EXPORTER_METRIC.rejectedItems,
    'Profiles or spans a backend dropped from an accepted request (partial success)',
    ['exporter'],
  );
  const bytes = gauge(registry, EXPORTER_METRIC.queueBytes, 'Bytes in the sending queue, in flight included', ['exporter']);
  const items = gauge(registry, EXPORTER_METRIC.queueItems, 'Items in the sending queue, in flight included', ['exporter']);
  // Zero-initialise so dashboards see the series before the first event.
  sent.inc({ exporter }, 0);
  retried.inc({ exporter }, 0);
  bytes.set({ exporter }, 0);
  items.set({ exporter }, 0);
  return {
    sent: (n = 1) => sent.inc({ exporter }, n),
    failed: (reason, n = 1) => failed.inc({ exporter, reason }, n),
    retried: (n = 1) => retried.inc({ exporter }, n),
    dropped: (reason, n = 1) => dropped.inc({ exporter, reason }, n),
    rejectedItems: (n) => rejected.inc({ exporter }, n),
    queue: (b, i) => {
      bytes.set({ exporter }, b);
      items.set({ exporter }, i);
    },
  };
}
