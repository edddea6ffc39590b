// `service.workers`: the pool of worker threads that decode and check requests off the main
// thread (see pool.ts).
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const workersConfigSchema = z
  .strictObject({
    threads: z
      .number()
      .int()
      .min(0)
      .max(256)
      .optional()
      .describe('Worker threads; default: the number of cores (`os.availableParallelism()`). 0 = everything on the main thread.'),
    max_queued: z
      .number()
      .int()
      .min(0)
      .default(64)
      .describe('Requests that may wait for a free thread; one more is answered 429 / UNAVAILABLE with Retry-After.'),
  })
  .prefault({})
  .transform((c) => ({ threads: c.threads ?? availableParallelism(), max_queued: c.max_queued }));

export type WorkersConfig = z.output<typeof workersConfigSchema>;
