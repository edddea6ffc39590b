// Config of the `store` exporter:
//
//   store:
//     directory: ./data
//     retention: { max_age: 7d, max_size: 1GiB, check_interval: 1m, max_deletes_per_run: 2000 }
//     batch: { max_profiles: 256, max_samples: 200000, flush_interval: 200ms, max_queue_bytes: 64MiB }
//     labels: { max_per_profile: 128, max_name_length: 256, max_value_length: 1024 }
//     query: { workers: 1 }
//     buckets: { compact_interval: 15s, settle: 1m, max_profiles_per_run: 500 }
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
  directory: z.string().min(1).default('./data').describe('Where the database lives (created when missing).'),
  retention: z
    .strictObject({
      max_age: longDuration()
        .default(7 * 86_400_000)
        .describe('Profiles whose window ended longer ago than this are deleted (and spans that started before).'),
      max_size: byteSize()
        .default(2 ** 30)
        .describe('When the database and its write-ahead log take more, the oldest profiles and spans are deleted first (down to 90 %).'),
      check_interval: longDuration().default(60_000).describe('How often retention runs.'),
      max_deletes_per_run: positiveInt(2000).describe(
        'Bound on the work of one run (profiles and spans deleted per reason); the next run continues.',
      ),
    })
    .prefault({})
    .describe('What the store deletes, and when.'),
  batch: z
    .strictObject({
      max_profiles: positiveInt(256).describe('A write transaction starts when this many profiles wait...'),
      max_samples: positiveInt(200_000).describe('...or this many distinct stacks...'),
      flush_interval: longDuration().default(200).describe('...or this long after the first one arrived.'),
      max_queue_bytes: byteSize()
        .default(64 * 2 ** 20)
        .describe('Above this, new data is refused with a retryable error (back-pressure).'),
    })
    .prefault({})
    .describe('How incoming profiles are grouped into write transactions.'),
  labels: z
    .strictObject({
      max_per_profile: positiveInt(128).describe(
        'Series labels kept per profile (service.name always among them); the rest are dropped, counted and logged.',
      ),
      max_name_length: positiveInt(256).describe('Labels with a longer name are dropped (counted and logged).'),
      max_value_length: positiveInt(1024).describe('Longer label values are cut to this many characters (counted and logged).'),
    })
    .prefault({})
    .describe('Bounds on the series labels the store keeps per profile.'),
  write_in_worker: z
    .boolean()
    .default(true)
    .describe(
      'Decode, convert and write in a thread of its own, so a large request never holds the main thread (which keeps answering /health, the API and other requests meanwhile).',
    ),
  query: z
    .strictObject({
      workers: z
        .number()
        .int()
        .min(0)
        .max(16)
        .default(1)
        .describe('Threads that run queries (0 = in the calling thread; blocks ingestion while a query runs).'),
    })
    .prefault({})
    .describe('How queries run.'),
  buckets: z
    .strictObject({
      compact_interval: longDuration()
        .default(15_000)
        .describe('How often profiles are merged into the time buckets that answer long ranges (0 = never: every query reads raw).'),
      settle: longDuration()
        .default(60_000)
        .describe('A profile is merged once its minute ended this long ago, so late profiles of the minute come along.'),
      max_profiles_per_run: positiveInt(500).describe('Bound on the work of one compaction run; the next run continues soon.'),
    })
    .prefault({})
    .describe('Pre-merged time buckets (1 min to 1 day) that answer long ranges; see docs/store.md.'),
  metrics: z
    .strictObject({
      top_functions: positiveInt(20).describe('Functions per service with their own series in the function CPU metric; the rest are `other`.'),
      max_services: positiveInt(20).describe('Services with their own series; the rest are `other`.'),
      max_threads: positiveInt(20).describe('Thread names per service in the allocation metric; the rest are `other`.'),
      max_versions: positiveInt(20).describe('Versions per service in the CPU-by-version metric; the rest are `other`.'),
    })
    .prefault({})
    .describe('Cardinality bounds of the profiling metrics on `/metrics`.'),
});

export type StoreConfig = z.output<typeof storeConfigSchema>;
