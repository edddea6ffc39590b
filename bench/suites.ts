// The list of benchmark suites, one line each: file name -> suite.
import type { BenchSuite } from './harness.js';
import { suite as decode } from './decode.bench.js';
import { suite as join } from './join.bench.js';
import { suite as exporterQueue } from './exporter-queue.bench.js';
import { suite as convert } from './convert.bench.js';
import { suite as store, bucketsSuite as storeBuckets, ingestSuite as storeIngest } from './store.bench.js';
import { suite as sdkOverhead } from './sdk-overhead.bench.js';
import { suite as sdkInstall } from './sdk-install.bench.js';
import { suite as hostileBodies } from './hostile-bodies.bench.js';
import { suite as rssSoak } from './rss-soak.bench.js';
import { suite as workers } from './workers.bench.js';

export const suites: Record<string, BenchSuite> = {
  decode,
  join,
  'exporter-queue': exporterQueue,
  convert,
  store,
  'store-buckets': storeBuckets,
  'store-ingest': storeIngest,
  'sdk-overhead': sdkOverhead,
  'sdk-install': sdkInstall,
  'hostile-bodies': hostileBodies,
  'rss-soak': rssSoak,
  workers,
};
