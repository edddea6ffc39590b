// Entry point of a query worker thread: one read-only connection, StoreQueries on it,
// one message per call. See query-runner.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { StoreQueries } from './queries.js';
import { StoreReader } from './reader.js';
import { openReadDatabase } from './schema.js';
import { inSnapshot, toWireError } from './query-runner.js';

const { file } = workerData as { file: string };
const db = openReadDatabase(file);
const queries = new StoreQueries(new StoreReader(db));

parentPort!.on('message', (m: { id: number; method: string; args: unknown[]; json: boolean }) => {
  try {
    const fn = (queries as unknown as Record<string, (...a: unknown[]) => unknown>)[m.method];
    if (typeof fn !== 'function') throw new Error(`unknown query ${m.method}`);
    const value = inSnapshot(db, () => fn.apply(queries, m.args));
    const result = m.json ? JSON.stringify(value) : value;
    const transfer =
      result instanceof Uint8Array && result.byteOffset === 0 && result.byteLength === result.buffer.byteLength ? [result.buffer as ArrayBuffer] : [];
    parentPort!.postMessage({ id: m.id, ok: true, result }, transfer);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: toWireError(e) });
  }
});
