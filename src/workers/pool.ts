// A pool of worker threads for the CPU-heavy steps of a request (limits pre-scan, decode,
// validate, convert, encode, gzip), so the main thread only does I/O.
//
// - Size: `threads` workers, started on first use (a bridge that never gets a request
//   starts none). One task runs per worker at a time: the work is CPU-bound.
// - Back-pressure: at most `maxQueued` tasks wait for a free worker; one more is refused at
//   once with a retryable ERR_PIPELINE_FULL (the receivers answer 429 / UNAVAILABLE with
//   Retry-After), so a burst costs memory for at most threads + maxQueued bodies.
// - Order: tasks given the same `order` key hand their results on in the order they were
//   submitted, even when a later one finishes first on another worker (one sender's
//   requests reach the pipeline in the order it sent them).
// - A worker that dies fails only its own task (retryable) and is replaced.
import { Worker } from 'node:worker_threads';
import { ConsumerError } from '../errors.js';
import type { WorkerThreads } from '../component/factory.js';
import type { TaskInput, TaskName, TaskOutput } from './tasks.js';
import { fromWireError, type WireError } from './wire-error.js';

export interface PoolOptions {
  threads: number;
  /** Tasks that may wait for a free worker; more are refused. */
  maxQueued: number;
  /** Suggested wait when refusing (seconds). */
  retryAfterSeconds?: number;
}

interface Job {
  id: number;
  task: TaskName;
  input: unknown;
  transfer: ArrayBuffer[];
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

export interface PoolStats {
  threads: number;
  busy: number;
  queued: number;
  /** Tasks completed (successfully or not) since start, by name. */
  ran: Partial<Record<TaskName, number>>;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly ran: Partial<Record<TaskName, number>> = {};
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError('a worker pool needs at least one thread');
  }

  get stats(): PoolStats {
    return { threads: this.options.threads, busy: this.slots.filter((s) => s.job).length, queued: this.queue.length, ran: { ...this.ran } };
  }

  /**
   * Runs `task` on a worker. `transfer` lists ArrayBuffers handed over without a copy (the
   * caller must not use them afterwards). Rejects with ERR_PIPELINE_FULL when every worker
   * is busy and the queue is full, with the task's own error when it throws.
   */
  run<T extends TaskName>(task: T, input: TaskInput<T>, transfer: ArrayBuffer[] = [], order?: string): Promise<TaskOutput<T>> {
    if (this.closed)
      return Promise.reject(new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'the worker pool is stopped', { retryable: true, retryAfterSeconds: 1 }));
    this.grow();
    const idle = this.slots.find((s) => !s.job);
    if (!idle && this.queue.length >= this.options.maxQueued) {
      return Promise.reject(
        new ConsumerError(
          'ERR_PIPELINE_FULL',
          `all ${this.options.threads} worker threads are busy and ${this.queue.length} requests wait for one; retry later`,
          { retryable: true, retryAfterSeconds: this.options.retryAfterSeconds ?? 1 },
        ),
      );
    }
    const done = new Promise<unknown>((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, input, transfer, resolve, reject };
      if (idle) this.start(idle, job);
      else this.queue.push(job);
    });
    return (order === undefined ? done : this.inOrder(order, done)) as Promise<TaskOutput<T>>;
  }

  /** Settles `done` only after everything submitted earlier under `key` has settled. */
  private inOrder(key: string, done: Promise<unknown>): Promise<unknown> {
    const before = this.tails.get(key);
    const mine =
      before === undefined
        ? done
        : before.then(
            () => done,
            () => done,
          );
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  private grow(): void {
    while (this.slots.length < this.options.threads) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (m: { id: number; ok: boolean; output?: unknown; error?: WireError }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = undefined;
      this.ran[job.task] = (this.ran[job.task] ?? 0) + 1;
      if (m.ok) job.resolve(m.output);
      else job.reject(fromWireError(m.error!));
      this.next(slot);
    });
    const fail = (why: string) => {
      const job = slot.job;
      slot.job = undefined;
      job?.reject(
        new ConsumerError('ERR_PIPELINE_UNAVAILABLE', `a worker thread failed while handling the request (${why}); retry`, {
          retryable: true,
          retryAfterSeconds: 1,
        }),
      );
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (!this.closed) {
        const fresh = this.spawn();
        this.slots.push(fresh);
        this.next(fresh);
      }
    };
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(`exit code ${code}`);
    });
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.postMessage({ id: job.id, task: job.task, input: job.input }, job.transfer);
  }

  private next(slot: Slot): void {
    const job = this.queue.shift();
    if (job) this.start(slot, job);
  }

  /** The service's stop step (same as close). */
  shutdown(): Promise<void> {
    return this.close();
  }

  /** Refuses new tasks, fails queued ones (retryable), lets running ones finish, stops the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'the worker pool is stopping', { retryable: true, retryAfterSeconds: 1 }));
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (s) => {
        if (s.job) await new Promise<void>((r) => s.worker.once('message', () => r()));
        await s.worker.terminate();
      }),
    );
  }
}

/** The pool behind a component context's `workers`, or undefined when there is none. */
export function workerPoolOf(threads: WorkerThreads | undefined): WorkerPool | undefined {
  return threads instanceof WorkerPool ? threads : undefined;
}
