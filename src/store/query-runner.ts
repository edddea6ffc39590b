// Where queries run. Better-sqlite3 is synchronous, so a heavy query in the thread that
// ingests would stall ingestion for its duration; with `workers > 0` queries run in worker
// threads, each with its own read-only connection (WAL lets readers and the writer proceed
// side by side). `workers: 0` runs them in the calling thread (tests, tiny deployments).
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { BridgeError, errorMessage } from '../errors.js';
import { QueryError, type QueryErrorReason } from './query/errors.js';
import { StoreQueries } from './queries.js';
import { StoreReader } from './reader.js';
import { openReadDatabase } from './schema.js';

/** Names of the StoreQueries methods a runner can call. */
export type QueryMethod = {
  [K in keyof StoreQueries]: StoreQueries[K] extends (...args: never[]) => unknown ? K : never;
}[keyof StoreQueries];

export type QueryArgs<M extends QueryMethod> = Parameters<StoreQueries[M]>;
export type QueryResult<M extends QueryMethod> = ReturnType<StoreQueries[M]>;

export interface QueryRunner {
  run<M extends QueryMethod>(method: M, ...args: QueryArgs<M>): Promise<QueryResult<M>>;
  /**
   * The result as JSON text, serialised where the query ran: a large answer (a flame tree)
   * then crosses the thread boundary as one string instead of an object graph, and the
   * API's thread does not spend time serialising it.
   */
  runJson<M extends QueryMethod>(method: M, ...args: QueryArgs<M>): Promise<string>;
  close(): Promise<void>;
}

/**
 * Runs a query in one read transaction, so all its statements see the same snapshot (a
 * profile deleted by retention meanwhile is either wholly there or wholly gone).
 */
export function inSnapshot<T>(db: Database.Database, fn: () => T): T {
  return db.transaction(fn)();
}

/** An error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  reason?: QueryErrorReason;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof QueryError) return { name: 'QueryError', message: e.message, code: e.code, reason: e.reason };
  if (e instanceof BridgeError) return { name: e.name, message: e.message, code: e.code };
  return { name: e instanceof Error ? e.name : 'Error', message: errorMessage(e) };
}

export function fromWireError(w: WireError): Error {
  if (w.name === 'QueryError' && w.reason) return new QueryError(w.reason, w.message);
  return new BridgeError('ERR_STORE', w.message);
}

export class InlineQueryRunner implements QueryRunner {
  private readonly db;
  private readonly queries: StoreQueries;

  constructor(file: string) {
    this.db = openReadDatabase(file);
    this.queries = new StoreQueries(new StoreReader(this.db));
  }

  async run<M extends QueryMethod>(method: M, ...args: QueryArgs<M>): Promise<QueryResult<M>> {
    const fn = this.queries[method] as (...a: QueryArgs<M>) => QueryResult<M>;
    try {
      return inSnapshot(this.db, () => fn.apply(this.queries, args));
    } catch (e) {
      if (e instanceof BridgeError) throw e;
      throw new BridgeError('ERR_STORE', errorMessage(e), { cause: e });
    }
  }

  async runJson<M extends QueryMethod>(method: M, ...args: QueryArgs<M>): Promise<string> {
    return JSON.stringify(await this.run(method, ...args));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface PoolWorker {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}

/** Queries in `size` worker threads; a call goes to the least busy one. */
export class WorkerQueryRunner implements QueryRunner {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  private spawn(): PoolWorker {
    const worker = new Worker(new URL('./query-worker.js', import.meta.url), { workerData: { file: this.file } });
    worker.unref();
    const w: PoolWorker = { worker, busy: 0, pending: new Map() };
    worker.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: WireError }) => {
      const p = w.pending.get(m.id);
      if (!p) return;
      w.pending.delete(m.id);
      w.busy--;
      if (m.ok) p.resolve(m.result);
      else p.reject(fromWireError(m.error!));
    });
    const fail = (e: Error) => {
      for (const p of w.pending.values()) p.reject(new BridgeError('ERR_STORE', `query worker failed: ${e.message}`));
      w.pending.clear();
      w.busy = 0;
      const i = this.workers.indexOf(w);
      // Replace a crashed worker so one bad query does not take querying down.
      if (i >= 0 && !this.closed) this.workers[i] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`exited with code ${code}`));
    });
    return w;
  }

  run<M extends QueryMethod>(method: M, ...args: QueryArgs<M>): Promise<QueryResult<M>> {
    return this.call(method, args, false) as Promise<QueryResult<M>>;
  }

  runJson<M extends QueryMethod>(method: M, ...args: QueryArgs<M>): Promise<string> {
    return this.call(method, args, true) as Promise<string>;
  }

  private call(method: string, args: unknown[], json: boolean): Promise<unknown> {
    if (this.closed) return Promise.reject(new BridgeError('ERR_STORE', 'the store is closed'));
    const w = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      w.busy++;
      w.worker.postMessage({ id, method, args, json });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(async (w) => {
        for (const p of w.pending.values()) p.reject(new BridgeError('ERR_STORE', 'the store is closed'));
        w.pending.clear();
        await w.worker.terminate();
      }),
    );
  }
}
