// The store with its write path in a worker thread (`exporters.store.write_in_worker`). The
// main thread keeps what the API needs (open?, profile count, queries on read-only
// connections of its own) and sends every write as OTLP protobuf bytes to the writer thread
// (entry.ts), which runs the real Store. Its metrics are forwarded: /metrics on the main
// thread shows the writer's series as if the store ran there.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConsumerError } from '../../errors.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../../otlp/index.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../otlp/model.js';
import type { ConsumeResult, EncodedRequest } from '../../component/consumer.js';
import type { StoreConfig } from '../../store/config.js';
import { InlineQueryRunner, WorkerQueryRunner, type QueryRunner } from '../../store/query-runner.js';
import type { RetentionResult } from '../../store/retention.js';
import { transferOf } from '../transfer.js';
import { fromWireError, type WireError } from '../wire-error.js';
import type { StoreRequest, StoreWorkerData } from './entry.js';
import { forwardMetrics, type MetricJson } from './metrics-proxy.js';

export interface WorkerStoreOptions {
  config: StoreConfig;
  logger: Logger;
  metrics: Registry;
  id?: string;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type Reply = { id: number; ok: boolean; result?: unknown; error?: WireError; profiles: number };
type Ready = { ready: boolean; profiles?: number; file?: string; error?: WireError };

export class WorkerStore {
  readonly id: string;
  private worker: Worker | undefined;
  private runner: QueryRunner | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private count = 0;
  private closing = false;
  private filePath = '';

  constructor(private readonly options: WorkerStoreOptions) {
    this.id = options.id ?? 'store';
  }

  get file(): string {
    return this.filePath;
  }

  /** Starts the writer thread (which opens or creates the database), then the query runner. */
  async open(): Promise<void> {
    if (this.worker) return;
    const data: StoreWorkerData = {
      config: this.options.config,
      id: this.id,
      logLevel: this.options.logger.level,
      logBindings: this.options.logger.bindings(),
    };
    const worker = new Worker(new URL('./entry.js', import.meta.url), { workerData: data });
    const ready = await new Promise<Ready>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!ready.ready) {
      await worker.terminate();
      throw fromWireError(ready.error!);
    }
    this.worker = worker;
    this.count = ready.profiles ?? 0;
    this.filePath = ready.file!;
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.count = m.profiles;
      if (m.ok) p.resolve(m.result);
      else p.reject(fromWireError(m.error!));
    });
    const failAll = (why: string) => {
      this.worker = undefined;
      for (const p of this.pending.values())
        p.reject(new ConsumerError('ERR_STORE', `the profile store's writer thread stopped (${why})`, { retryable: true, retryAfterSeconds: 1 }));
      this.pending.clear();
      if (!this.closing)
        this.options.logger.error({ why }, "the profile store's writer thread stopped; writes are refused (retryable) until restart");
    };
    worker.on('error', (e) => failAll(e.message));
    worker.on('exit', (code) => failAll(`exit code ${code}`));
    const workers = this.options.config.query.workers;
    this.runner = workers > 0 ? new WorkerQueryRunner(this.filePath, workers) : new InlineQueryRunner(this.filePath);
    forwardMetrics(
      this.options.metrics,
      () => this.call('metrics') as Promise<MetricJson[]>,
      (await this.call('metrics')) as MetricJson[],
      this.options.logger,
    );
    this.options.logger.info({ file: this.filePath, profiles: this.count }, 'profile store writes in a worker thread');
  }

  get isOpen(): boolean {
    return this.worker !== undefined && !this.closing;
  }

  get profiles(): number {
    return this.count;
  }

  get queries(): QueryRunner {
    if (!this.runner || this.closing) throw new ConsumerError('ERR_STORE', 'the profile store is not open', { retryable: true });
    return this.runner;
  }

  private call(op: 'metrics' | 'retain' | 'close'): Promise<unknown>;
  private call(op: 'profiles' | 'traces', bytes: Uint8Array): Promise<unknown>;
  private call(op: StoreRequest['op'], bytes?: Uint8Array): Promise<unknown> {
    const worker = this.worker;
    if (!worker || (this.closing && op !== 'close' && op !== 'metrics')) {
      return Promise.reject(
        new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'the profile store is shutting down', { retryable: true, retryAfterSeconds: 1 }),
      );
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, bytes } as StoreRequest, bytes ? transferOf(bytes) : []);
    });
  }

  consumeProfiles(req: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    return this.call('profiles', encodeProfilesRequest(req)) as Promise<ConsumeResult>;
  }

  /** The bytes are shared with other consumers: a copy is transferred. */
  consumeEncodedProfiles(req: EncodedRequest): Promise<ConsumeResult> {
    return this.call('profiles', req.bytes.slice()) as Promise<ConsumeResult>;
  }

  consumeTraces(req: ExportTraceServiceRequest): Promise<ConsumeResult> {
    return this.call('traces', encodeTracesRequest(req)) as Promise<ConsumeResult>;
  }

  consumeEncodedTraces(req: EncodedRequest): Promise<ConsumeResult> {
    return this.call('traces', req.bytes.slice()) as Promise<ConsumeResult>;
  }

  /** One bounded retention run in the writer thread. */
  retain(): Promise<RetentionResult> {
    return this.call('retain') as Promise<RetentionResult>;
  }

  /** Writes what is queued, stops the writer thread and the query runner. Idempotent. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker || this.closing) return;
    this.closing = true;
    try {
      await this.call('close');
    } finally {
      await this.runner?.close();
      this.runner = undefined;
      await worker.terminate();
      this.worker = undefined;
      this.closing = false;
    }
  }
}
