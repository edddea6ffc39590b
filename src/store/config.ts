// Config of the `store` exporter:
//
//   store:
//     directory: ./data
//     retention: { max_age: 7d, max_size: 1GiB, check_interval: 1m, max_deletes_per_run: 2000 }
//     batch: { max_profiles: 256, max_samples: 200000, flush_interval: 200ms, max_queue_bytes: 64MiB }
//     labels: { max_per_profile: 128, max_name_length: 256, max_value_length: 1024 }
//     query: { workers: 1 }
//     metrics: { top_functions: 20, max_services: 20, max_threads: 20, max_versions: 20 }
import { z } from 'zod';
import { byteSize } from '../config/units.js';
import { parseDurationMs } from './query/time.js';

/** A duration that may also be written in days or weeks (`7d`, `2w`), as retention often is. */
function longDuration() {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = typeof v === 'number' ? (Number.isFinite(v) && v >= 0 ? v : undefined) : parseDurationMs(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; write e.g. 500ms, 30s, 12h, 7d or a number of milliseconds` });
      return z.NEVER;
    }
    return ms;
  });
}

const positiveInt = (d: number) => z.number().int().positive().default(d);

export const storeConfigSchema = z.strictObject({
  /** Where the database lives (created when missing). */
  directory: z.string().min(1).default('./data'),
  retention: z
    .strictObject({
      /** Profiles whose window ended longer ago than this are deleted (and spans that started before). */
      max_age: longDuration().default(7 * 86_400_000),
      /** When the database and its write-ahead log take more, the oldest profiles and spans are deleted first (down to 90 %). */
      max_size: byteSize().default(2 ** 30),
      /** How often retention runs. */
      check_interval: longDuration().default(60_000),
      /** Bound on the work of one run (profiles and spans deleted per reason); the next run continues. */
      max_deletes_per_run: positiveInt(2000),
    })
    .prefault({}),
  batch: z
    .strictObject({
      /** A write transaction starts when this many profiles wait... */
      max_profiles: positiveInt(256),
      /** ...or this many distinct stacks... */
      max_samples: positiveInt(200_000),
      /** ...or this long after the first one arrived. */
      flush_interval: longDuration().default(200),
      /** Above this, new data is refused with a retryable error (back-pressure). */
      max_queue_bytes: byteSize().default(64 * 2 ** 20),
    })
    .prefault({}),
  labels: z
    .strictObject({
      /** Series labels kept per profile (service.name always among them); the rest are dropped, counted and logged. */
      max_per_profile: positiveInt(128),
      /** Labels with a longer name are dropped (counted and logged). */
      max_name_length: positiveInt(256),
      /** Longer label values are cut to this many characters (counted and logged). */
      max_value_length: positiveInt(1024),
    })
    .prefault({}),
  /**
   * Decode, convert and write in a thread of its own, so a large request never holds the
   * main thread (which keeps answering /health, the API and other requests meanwhile).
   */
  write_in_worker: z.boolean().default(false),
  query: z
    .strictObject({
      /** Threads that run queries (0 = in the calling thread; blocks ingestion while a query runs). */
      workers: z.number().int().min(0).max(16).default(1),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Functions per service with their own series in the function CPU metric; the rest are `other`. */
      top_functions: positiveInt(20),
      /** Services with their own series; the rest are `other`. */
      max_services: positiveInt(20),
      /** Thread names per service in the allocation metric; the rest are `other`. */
      max_threads: positiveInt(20),
      /** Versions per service in the CPU-by-version metric; the rest are `other`. */
      max_versions: positiveInt(20),
    })
    .prefault({}),
});

export type StoreConfig = z.output<typeof storeConfigSchema>;
