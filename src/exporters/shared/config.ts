// The settings every network exporter shares, in the collector's shape:
//
//   timeout: 10s                 # one attempt, connect to last response byte
//   sending_queue:
//     max_bytes: 64MiB           # bound on queued payload bytes; beyond it the exporter pushes back
//     directory: ./queue         # optional: persist each item as a file (survives restarts)
//     num_consumers: 4           # items in flight at once (one per series at a time)
//     drain_timeout: 5s          # on shutdown, how long to keep delivering
//   retry:
//     enabled: true
//     initial_interval: 1s
//     max_interval: 30s
//     max_elapsed_time: 5m       # 0 = retry forever; the default when the queue is persisted
//     multiplier: 1.5
//     randomization_factor: 0.5
import { z } from 'zod';
import { byteSize, duration } from '../../config/units.js';

export const DEFAULT_QUEUE_BYTES = 64 * 2 ** 20;

export const sendingQueueSchema = z
  .strictObject({
    max_bytes: byteSize()
      .default(DEFAULT_QUEUE_BYTES)
      .describe(
        'Bound on queued payload bytes; beyond it the exporter refuses new data with a retryable error (back-pressure), and the drop is counted.',
      ),
    directory: z
      .string()
      .min(1, 'directory must not be empty')
      .optional()
      .describe(
        'Persist queued items under `<directory>/<exporter id>/`, one file each, so a restart or a crash loses nothing. Without it the queue lives in memory.',
      ),
    num_consumers: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(4)
      .describe('Items sent at once (at most one per series at a time, so a series stays in order).'),
    drain_timeout: duration().default(5000).describe('On shutdown, how long to keep delivering what is queued.'),
  })
  .default({ max_bytes: DEFAULT_QUEUE_BYTES, num_consumers: 4, drain_timeout: 5000 });

export const retrySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Off: a failed send is dropped (and counted) at once.'),
    initial_interval: duration().default(1000).describe('Wait before the first retry.'),
    max_interval: duration().default(30_000).describe('Upper bound of the wait between retries.'),
    max_elapsed_time: duration().optional().describe('Absent: 5 minutes for an in-memory queue, forever (0) for a persisted one.'),
    multiplier: z.number().min(1).default(1.5).describe('Growth of the wait from one retry to the next.'),
    randomization_factor: z.number().min(0).max(1).default(0.5).describe('Jitter: each wait is drawn from ± this fraction around its nominal value.'),
  })
  .default({ enabled: true, initial_interval: 1000, max_interval: 30_000, multiplier: 1.5, randomization_factor: 0.5 });

export const timeoutSchema = duration().default(10_000);

export type SendingQueueConfig = z.output<typeof sendingQueueSchema>;
export type RetryConfig = z.output<typeof retrySchema>;

/** The retry settings with the default that depends on persistence filled in. */
export interface RetryPolicy {
  enabled: boolean;
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** 0 = no limit. */
  maxElapsedMs: number;
  multiplier: number;
  randomizationFactor: number;
}

export const DEFAULT_MAX_ELAPSED_MEMORY = 5 * 60_000;

export function retryPolicyOf(retry: RetryConfig, persisted: boolean): RetryPolicy {
  return {
    enabled: retry.enabled,
    initialIntervalMs: retry.initial_interval,
    maxIntervalMs: Math.max(retry.max_interval, retry.initial_interval),
    maxElapsedMs: retry.max_elapsed_time ?? (persisted ? 0 : DEFAULT_MAX_ELAPSED_MEMORY),
    multiplier: retry.multiplier,
    randomizationFactor: retry.randomization_factor,
  };
}

/** The shared part of each exporter's config schema; spread into the exporter's own object. */
export const queuedExporterFields = {
  timeout: timeoutSchema.describe('Bound on one attempt, from connecting to the last response byte.'),
  sending_queue: sendingQueueSchema.describe('The bounded queue between the pipeline and the backend.'),
  retry: retrySchema.describe(
    'Retries of retryable failures (network errors; HTTP 429/502/503/504, and for pyroscope and datadog also 408 and the other 5xx but 501/505; gRPC UNAVAILABLE and the other retryable codes), with exponential backoff and jitter; `Retry-After` and gRPC `RetryInfo` are honoured.',
  ),
};

export interface QueuedExporterSettings {
  timeout: number;
  sending_queue: SendingQueueConfig;
  retry: RetryConfig;
}
