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
    max_bytes: byteSize().default(DEFAULT_QUEUE_BYTES),
    /**
     * Persist queued items under `<directory>/<exporter id>/`, one file each, so a restart
     * or a crash loses nothing. Without it the queue lives in memory.
     */
    directory: z.string().min(1, 'directory must not be empty').optional(),
    num_consumers: z.number().int().min(1).max(256).default(4),
    drain_timeout: duration().default(5000),
  })
  .default({ max_bytes: DEFAULT_QUEUE_BYTES, num_consumers: 4, drain_timeout: 5000 });

export const retrySchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    initial_interval: duration().default(1000),
    max_interval: duration().default(30_000),
    /** Absent: 5 minutes for an in-memory queue, forever (0) for a persisted one. */
    max_elapsed_time: duration().optional(),
    multiplier: z.number().min(1).default(1.5),
    randomization_factor: z.number().min(0).max(1).default(0.5),
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
  timeout: timeoutSchema,
  sending_queue: sendingQueueSchema,
  retry: retrySchema,
};

export interface QueuedExporterSettings {
  timeout: number;
  sending_queue: SendingQueueConfig;
  retry: RetryConfig;
}
