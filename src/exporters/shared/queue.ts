// A sending queue: bounded by bytes, optionally persisted, delivered by a few consumers with
// retries, in order within each series.
//
// - Enqueue is all-or-nothing per request: it fits under `maxBytes` or it is refused with a
//   retryable ConsumerError (ERR_PIPELINE_FULL), counted and logged. Nothing is dropped
//   silently.
// - Ordering: every item has a series key. At most one item per key is in flight, and the
//   next item handed to a free consumer is the oldest whose key is free. So a series is
//   delivered in order (a retrying item holds its series back), while other series, and
//   other exporters, keep moving.
// - Persistence: with a directory, an item is written to its own file before the enqueue
//   resolves, and deleted once delivered or given up on. On start the files are reloaded in
//   sequence order. Bodies of persisted items are read back from disk when sent, so a large
//   on-disk queue does not sit in memory.
// - Retries: exponential backoff with jitter, or exactly the server's Retry-After, until
//   `maxElapsedMs` (0 = forever). Permanent failures are not retried.
// - Shutdown: stop accepting, keep delivering for `drainTimeoutMs`, then abort what is in
//   flight. A persisted queue keeps the rest on disk (delivered after the next start — an
//   aborted attempt may then arrive twice: at-least-once); an in-memory queue counts and
//   logs what it drops.
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ConsumerError, errorMessage } from '../../errors.js';
import { backoffDelay, type ExportResult } from '../../otlp-client/index.js';
import type { RetryPolicy } from './config.js';
import type { ExporterMetrics } from './metrics.js';
import {
  CorruptItemError,
  listItemFiles,
  quarantineItemFile,
  readItemFile,
  readItemHeader,
  removeItemFile,
  writeItemFile,
  type ItemMeta,
} from './persist.js';

/** What a backend exporter hands to the queue: one upload. */
export interface NewItem {
  /** Series key: items with the same key are delivered one at a time, in order. */
  key: string;
  /** Small JSON metadata the sender needs besides the body (persisted with it). */
  meta: ItemMeta;
  body: Uint8Array;
}

export interface QueuedItem extends NewItem {
  seq: number;
  /** ms since the epoch when first queued. */
  created: number;
}

export interface Attempt {
  /** Aborted when the queue gives up at shutdown. */
  signal: AbortSignal;
  /** 0 for the first attempt. */
  attempt: number;
}

export type Sender = (item: QueuedItem, attempt: Attempt) => Promise<ExportResult>;

export interface SendingQueueOptions {
  /** For log lines: the exporter id. */
  name: string;
  maxBytes: number;
  numConsumers: number;
  /** Persist items here (created if missing); memory only when absent. */
  directory?: string;
  drainTimeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  metrics: ExporterMetrics;
  send: Sender;
  /** Jitter source, replaceable in tests. */
  random?: () => number;
}

interface Entry {
  seq: number;
  key: string;
  meta: ItemMeta;
  created: number;
  size: number;
  /** In memory until persisted (or always, without a directory). */
  body?: Uint8Array;
  file?: string;
  /** False while its file is being written: its series waits. */
  ready: boolean;
}

/** Bytes an item is charged for: body plus a rough size of its metadata. */
export function itemSize(item: NewItem): number {
  return item.body.byteLength + item.key.length + JSON.stringify(item.meta).length + 64;
}

export class SendingQueue {
  private readonly series = new Map<string, Entry[]>();
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  private nextSeq = 1;
  private bytes = 0;
  private count = 0;
  private accepting = true;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private fullSince = 0;
  private fullRefusals = 0;

  constructor(private readonly opts: SendingQueueOptions) {}

  get persisted(): boolean {
    return this.opts.directory !== undefined;
  }

  /** Bytes queued or in flight. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Items queued or in flight. */
  get size(): number {
    return this.count;
  }

  /** Creates the directory and reloads persisted items. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.reload();
    return this.starting;
  }

  private async reload(): Promise<void> {
    const dir = this.opts.directory;
    if (dir === undefined) return;
    await mkdir(dir, { recursive: true });
    let loaded = 0;
    for (const { seq, file } of await listItemFiles(dir)) {
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      try {
        const { header, size } = await readItemHeader(file);
        this.insert({ seq, key: header.key, meta: header.meta, created: header.created, size, file, ready: true });
        loaded++;
      } catch (e) {
        await this.corrupt(file, e);
      }
    }
    if (loaded > 0) {
      this.opts.logger.info({ items: loaded, bytes: this.bytes, directory: dir }, 'reloaded persisted sending queue');
    }
    this.pump();
  }

  private async corrupt(file: string, e: unknown): Promise<void> {
    this.opts.metrics.dropped('corrupt');
    this.opts.logger.error({ file, err: errorMessage(e) }, 'unreadable queue item moved aside (not delivered)');
    await quarantineItemFile(file);
  }

  private insert(e: Entry): void {
    let list = this.series.get(e.key);
    if (!list) {
      list = [];
      this.series.set(e.key, list);
    }
    list.push(e);
    this.bytes += e.size;
    this.count++;
    this.gauge();
  }

  private gauge(): void {
    this.opts.metrics.queue(this.bytes, this.count);
  }

  /**
   * Queues every item or none. Throws ConsumerError: ERR_PIPELINE_FULL (retryable) when
   * the items do not fit now, ERR_EXPORT_PERMANENT when they can never fit,
   * ERR_PIPELINE_UNAVAILABLE (retryable) when shutting down or the disk refuses them.
   */
  async enqueue(items: NewItem[]): Promise<void> {
    if (items.length === 0) return;
    if (this.accepting) await this.start();
    // Checked after the start too: shutdown may have begun while persisted items reloaded.
    if (!this.accepting) {
      throw new ConsumerError('ERR_PIPELINE_UNAVAILABLE', `exporter ${this.opts.name} is shutting down`, { retryable: true, retryAfterSeconds: 1 });
    }
    const sizes = items.map(itemSize);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total > this.opts.maxBytes) {
      this.opts.metrics.dropped('too_large', items.length);
      this.opts.logger.error(
        { bytes: total, max_bytes: this.opts.maxBytes, items: items.length },
        'data dropped: larger than the whole sending queue',
      );
      throw new ConsumerError(
        'ERR_EXPORT_PERMANENT',
        `exporter ${this.opts.name}: ${total} bytes can never fit its sending queue of ${this.opts.maxBytes} bytes (raise sending_queue.max_bytes)`,
        { retryable: false },
      );
    }
    if (this.bytes + total > this.opts.maxBytes) {
      this.opts.metrics.dropped('queue_full', items.length);
      this.logFull(total);
      throw new ConsumerError(
        'ERR_PIPELINE_FULL',
        `exporter ${this.opts.name}: sending queue full (${this.bytes} of ${this.opts.maxBytes} bytes used, ${total} more offered)`,
        { retryable: true, retryAfterSeconds: 1 },
      );
    }
    const created = Date.now();
    // Sequence numbers and places in line are taken now, synchronously, so concurrent
    // enqueues keep their order even when their files finish writing out of order.
    const entries: Entry[] = items.map((it, i) => ({
      seq: this.nextSeq++,
      key: it.key,
      meta: it.meta,
      created,
      size: sizes[i]!,
      body: it.body,
      ready: !this.persisted,
    }));
    for (const e of entries) this.insert(e);
    if (this.persisted) await this.persist(entries);
    this.pump();
  }

  private async persist(entries: Entry[]): Promise<void> {
    const dir = this.opts.directory!;
    const written = await Promise.allSettled(
      entries.map((e) => writeItemFile(dir, e.seq, { key: e.key, meta: e.meta, created: e.created }, e.body!)),
    );
    const failure = written.find((w) => w.status === 'rejected');
    if (failure) {
      for (const w of written) if (w.status === 'fulfilled') await removeItemFile(w.value).catch(() => undefined);
      for (const e of entries) this.remove(e);
      const err = (failure as PromiseRejectedResult).reason;
      this.opts.metrics.dropped('persist_failed', entries.length);
      this.opts.logger.error({ err: errorMessage(err), directory: dir }, 'cannot persist queue items; refusing the data');
      this.pump();
      throw new ConsumerError('ERR_PIPELINE_UNAVAILABLE', `exporter ${this.opts.name}: cannot write its queue: ${errorMessage(err)}`, {
        retryable: true,
        retryAfterSeconds: 5,
        cause: err,
      });
    }
    entries.forEach((e, i) => {
      e.file = (written[i] as PromiseFulfilledResult<string>).value;
      e.body = undefined; // read back from disk when sent
      e.ready = true;
    });
  }

  /** Removes a not-yet-dispatched entry from its series. */
  private remove(e: Entry): void {
    const list = this.series.get(e.key);
    if (list) {
      const i = list.indexOf(e);
      if (i >= 0) {
        list.splice(i, 1);
        this.bytes -= e.size;
        this.count--;
        this.gauge();
      }
      if (list.length === 0) this.series.delete(e.key);
    }
  }

  private logFull(offered: number): void {
    // Under sustained overload one line per 5 s, with how many refusals it stands for.
    this.fullRefusals++;
    const now = Date.now();
    if (now - this.fullSince < 5000) return;
    this.opts.logger.warn(
      { refused_requests: this.fullRefusals, queued_bytes: this.bytes, max_bytes: this.opts.maxBytes, offered_bytes: offered },
      'sending queue full: data refused (the sender is told to retry)',
    );
    this.fullSince = now;
    this.fullRefusals = 0;
  }

  /** Hands the oldest dispatchable entries to free consumers. */
  private pump(): void {
    if (this.abort.signal.aborted) return;
    while (this.inFlight.size < this.opts.numConsumers) {
      let best: Entry | undefined;
      for (const [key, list] of this.series) {
        if (this.busy.has(key)) continue;
        const head = list[0]!;
        if (!head.ready) continue;
        if (best === undefined || head.seq < best.seq) best = head;
      }
      if (best === undefined) break;
      const list = this.series.get(best.key)!;
      list.shift();
      if (list.length === 0) this.series.delete(best.key);
      this.busy.add(best.key);
      const entry = best;
      const p: Promise<void> = this.deliver(entry)
        .catch((e: unknown) => this.opts.logger.error({ err: errorMessage(e) }, 'sending queue: unexpected delivery error'))
        .finally(() => {
          this.inFlight.delete(p);
          this.busy.delete(entry.key);
          this.pump();
          this.checkIdle();
        });
      this.inFlight.add(p);
    }
    this.checkIdle();
  }

  private async deliver(e: Entry): Promise<void> {
    let body = e.body;
    if (body === undefined) {
      try {
        body = (await readItemFile(e.file!)).body;
      } catch (err) {
        if (!(err instanceof CorruptItemError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await this.corrupt(e.file!, err);
        this.release(e);
        return;
      }
    }
    const item: QueuedItem = { seq: e.seq, key: e.key, meta: e.meta, body, created: e.created };
    const { retry, logger, metrics } = this.opts;
    const signal = this.abort.signal;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return this.leaveBehind(e);
      let res: ExportResult;
      try {
        res = await this.opts.send(item, { signal, attempt });
      } catch (err) {
        // A throwing sender is a bug of ours (e.g. in an encoder); retrying will not fix it.
        res = { kind: 'permanent', reason: 'internal', message: `exporter error: ${errorMessage(err)}` };
      }
      if (res.kind === 'success') {
        metrics.sent();
        if (res.partial) {
          metrics.rejectedItems(res.partial.rejected);
          logger.warn(
            { seq: e.seq, series: e.key, rejected: res.partial.rejected, backend_message: res.partial.message },
            'backend accepted the data only in part',
          );
        }
        return this.finish(e);
      }
      if (res.kind === 'permanent') {
        metrics.failed(res.reason);
        logger.error({ seq: e.seq, series: e.key, reason: res.reason, backend_message: res.message }, 'backend refused the data; not retrying');
        return this.finish(e);
      }
      if (signal.aborted) return this.leaveBehind(e);
      if (!retry.enabled) {
        metrics.failed(res.reason);
        logger.error(
          { seq: e.seq, series: e.key, reason: res.reason, backend_message: res.message },
          'delivery failed and retry is disabled; data dropped',
        );
        return this.finish(e);
      }
      // A server's "retry after 0" is honoured, but never as a busy loop.
      const delay =
        res.retryAfterMs === undefined
          ? backoffDelay(retry, attempt, this.opts.random)
          : Math.max(res.retryAfterMs, Math.min(retry.initialIntervalMs, 100));
      const elapsed = Date.now() - started;
      if (retry.maxElapsedMs > 0 && elapsed + delay > retry.maxElapsedMs) {
        metrics.failed('retries_exhausted');
        logger.error(
          { seq: e.seq, series: e.key, attempts: attempt + 1, elapsed_ms: elapsed, reason: res.reason, backend_message: res.message },
          'giving up after retries (retry.max_elapsed_time); data dropped',
        );
        return this.finish(e);
      }
      metrics.retried();
      const line = { seq: e.seq, series: e.key, attempt: attempt + 1, retry_in_ms: delay, reason: res.reason, backend_message: res.message };
      if (attempt === 0) logger.warn(line, 'delivery failed; will retry');
      else logger.debug(line, 'delivery failed again; will retry');
      await sleep(delay, signal);
    }
  }

  /** Delivered or given up on: forget it and delete its file. */
  private async finish(e: Entry): Promise<void> {
    if (e.file !== undefined) {
      try {
        await removeItemFile(e.file);
      } catch (err) {
        this.opts.logger.error({ file: e.file, err: errorMessage(err) }, 'cannot delete a finished queue item; it may be sent again after a restart');
      }
    }
    this.release(e);
  }

  private release(e: Entry): void {
    this.bytes -= e.size;
    this.count--;
    this.gauge();
  }

  /** Aborted at shutdown while in flight or waiting. */
  private leaveBehind(e: Entry): void {
    if (e.file === undefined) {
      this.opts.metrics.dropped('shutdown');
      this.opts.logger.error({ seq: e.seq, series: e.key }, 'in-memory queue item dropped at shutdown');
    }
    this.release(e);
  }

  private checkIdle(): void {
    if (this.inFlight.size === 0 && !this.hasDispatchable() && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private hasDispatchable(): boolean {
    return this.series.size > 0;
  }

  /** Resolves when nothing is queued or in flight (for drains and tests). */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0 && this.series.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting, drains for the configured time (or until `deadline`, ms since the
   * epoch, less a moment to abort), then leaves the rest (see top). Idempotent.
   */
  shutdown(deadline?: number): Promise<void> {
    this.stopping ??= this.stop(deadline);
    return this.stopping;
  }

  private async stop(deadline: number | undefined): Promise<void> {
    this.accepting = false;
    await this.starting?.catch(() => undefined);
    const left = deadline === undefined ? Infinity : Math.max(0, deadline - Date.now());
    const abortWait = Math.min(2000, Math.floor(left / 4));
    const drained = await Promise.race([
      this.whenIdle().then(() => true),
      sleep(Math.min(this.opts.drainTimeoutMs, left - abortWait), undefined, true).then(() => false),
    ]);
    if (drained) return;
    this.abort.abort();
    // In-flight attempts end promptly once aborted; do not hang on a stuck one.
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(abortWait, undefined, true)]);
    let items = 0;
    let bytes = 0;
    for (const list of this.series.values()) {
      for (const e of list) {
        items++;
        bytes += e.size;
        if (e.file === undefined) this.opts.metrics.dropped('shutdown');
      }
    }
    this.series.clear();
    if (items === 0) return;
    if (this.persisted) {
      this.opts.logger.info({ items, bytes, directory: this.opts.directory }, 'sending queue not drained; items kept on disk for the next start');
    } else {
      this.opts.logger.error({ items, bytes }, 'sending queue not drained in time; in-memory items dropped at shutdown');
    }
    this.bytes = 0;
    this.count = 0;
    this.gauge();
  }
}

/** Resolves after `ms`, or early when `signal` aborts. `unref` lets the process exit meanwhile. */
function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    if (unref) timer.unref();
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
