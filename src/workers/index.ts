// Worker threads for the CPU-heavy steps of a request; see pool.ts.
export { WorkerPool, type PoolOptions, type PoolStats } from './pool.js';
export { workersConfigSchema, type WorkersConfig } from './config.js';
export type { CheckedRequest, CheckInput, PprofInput, PprofOutput, TaskName } from './tasks.js';
export { ownedBytes, transferOf } from './transfer.js';
