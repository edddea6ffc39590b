// Entry point of the store's writer thread: the real Store (batching, the write
// transactions, retention, its metrics) runs here, fed OTLP protobuf bytes, so decoding,
// conversion and the SQLite writes of a large request never hold the main thread. One
// thread writes: requests are written in the order they arrive, as on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { Registry } from 'prom-client';
import { decodeProfilesRequest, decodeTracesRequest } from '../../otlp/index.js';
import { Store } from '../../store/store.js';
import type { StoreConfig } from '../../store/config.js';
import { toWireError } from '../wire-error.js';
import { releaseMemory } from '../release.js';

export interface StoreWorkerData {
  config: StoreConfig;
  id: string;
  logLevel: string;
  logBindings: Record<string, unknown>;
}

export type StoreRequest = { id: number; op: 'profiles' | 'traces'; bytes: Uint8Array } | { id: number; op: 'metrics' | 'retain' | 'close' };

const data = workerData as StoreWorkerData;
const logger = pino({ level: data.logLevel }).child(data.logBindings);
const registry = new Registry();
// Queries are answered on the main thread's own read connections (see worker-store.ts).
const store = new Store({ config: { ...data.config, query: { ...data.config.query, workers: 0 } }, logger, metrics: registry, id: data.id });

async function answer(m: StoreRequest): Promise<unknown> {
  switch (m.op) {
    case 'profiles':
      return store.consumeProfiles(decodeProfilesRequest(m.bytes));
    case 'traces':
      return store.consumeTraces(decodeTracesRequest(m.bytes));
    case 'metrics':
      return registry.getMetricsAsJSON();
    case 'retain':
      return store.retain();
    case 'close':
      await store.close();
      return undefined;
  }
}

try {
  store.open();
  parentPort!.postMessage({ ready: true, profiles: store.profiles, file: store.file });
} catch (e) {
  parentPort!.postMessage({ ready: false, error: toWireError(e) });
}

parentPort!.on('message', (m: StoreRequest) => {
  const size = 'bytes' in m ? (m.bytes?.byteLength ?? 0) : 0;
  answer(m).then(
    (result) => {
      parentPort!.postMessage({ id: m.id, ok: true, result, profiles: store.profiles });
      releaseMemory(size);
    },
    (e: unknown) => {
      parentPort!.postMessage({ id: m.id, ok: false, error: toWireError(e), profiles: store.profiles });
      releaseMemory(size);
    },
  );
});
