// Encodes, compresses and sends profile requests in the background. Failures never reach
// the application: every outcome is counted, a failure is reported through the OTel diag
// logger at most once per export interval, and nothing here rejects. At most one request is
// in flight and one waits behind it; a newer request replaces the waiting one (the replaced
// one is counted as dropped), so an unreachable endpoint costs bounded memory.
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import { encodeProfilesRequest, profilesRequestToJson, type ExportProfilesServiceRequest } from '../otlp/index.js';
import type { Compression } from './options.js';
import { backoffDelay, type ExportResult, type OtlpSender } from '../otlp-client/index.js';

const gzip = promisify(gzipCb);

export interface ExportStats {
  /** Requests the endpoint accepted. */
  exported: number;
  /** Requests given up on after their last attempt (or a permanent error). */
  failed: number;
  /** Requests replaced while waiting behind a slow or failing send, or refused after shutdown. */
  dropped: number;
  /** Extra attempts made for retryable failures. */
  retries: number;
  /** Profiles the endpoint reported as rejected in a partial success. */
  rejectedProfiles: number;
  /** Why the last failed attempt failed. */
  lastError: string | undefined;
}

export interface ExporterOptions {
  encoding: 'protobuf' | 'json';
  compression: Compression;
  timeoutMillis: number;
  maxAttempts: number;
  /** Minimum time between two diag warnings (the export interval). */
  warnEveryMillis: number;
  /** First backoff delay; doubles per attempt, with ±20% jitter. */
  backoffMillis?: number;
  /** No backoff is longer than this, whatever Retry-After says. */
  maxBackoffMillis?: number;
}

interface Job {
  request: ExportProfilesServiceRequest;
  background: boolean;
}

const delay = (ms: number, background: boolean): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (background) t.unref();
  });

export class ProfileExporter {
  readonly stats: ExportStats = { exported: 0, failed: 0, dropped: 0, retries: 0, rejectedProfiles: 0, lastError: undefined };
  private waiting: Job | undefined;
  private running: Promise<void> | undefined;
  private lastWarn = -Infinity;
  private closing = false;
  private closed = false;
  /** Resolves when close() starts: cuts a background backoff short. */
  private readonly closingSignal: Promise<void>;
  private signalClosing: () => void = () => undefined;

  constructor(
    private readonly sender: OtlpSender,
    private readonly options: ExporterOptions,
  ) {
    this.closingSignal = new Promise((resolve) => (this.signalClosing = resolve));
  }

  /** Queues a request. Never throws; returns at once. */
  enqueue(request: ExportProfilesServiceRequest, background = true): void {
    if (this.closed) {
      this.stats.dropped++;
      return;
    }
    if (this.waiting !== undefined) {
      this.stats.dropped++;
      this.warn(`profiles export is falling behind; dropped one waiting request (${this.stats.dropped} so far)`);
    }
    this.waiting = { request, background };
    if (this.running === undefined) this.running = this.drain();
  }

  /**
   * Resolves when nothing is waiting or in flight. Never rejects. Background sockets and
   * timers are unref'd, so while someone waits here a ref'd handle keeps the process alive:
   * it would otherwise exit in the middle of the wait (e.g. losing the last profile on shutdown).
   */
  async idle(): Promise<void> {
    if (this.running === undefined) return;
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      while (this.running !== undefined) await this.running;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Sends what is queued (`final`, if given, last and in the foreground), then stops
   * accepting requests and releases the connection. Background sends in flight stop
   * retrying. Never rejects.
   */
  async close(final?: ExportProfilesServiceRequest): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.signalClosing();
    if (final !== undefined) this.enqueue(final, false);
    this.closed = true;
    try {
      await this.idle();
    } finally {
      this.sender.close();
    }
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.takeWaiting(); job !== undefined; job = this.takeWaiting()) {
        try {
          await this.export(job);
        } catch (err) {
          // Encoding is our own code on our own data: a throw here is a bug, still not the app's problem.
          this.stats.failed++;
          this.fail(`profiles export failed: ${(err as Error).message}`);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private takeWaiting(): Job | undefined {
    const job = this.waiting;
    this.waiting = undefined;
    return job;
  }

  private async encode(request: ExportProfilesServiceRequest): Promise<Uint8Array> {
    const raw =
      this.options.encoding === 'json' ? Buffer.from(JSON.stringify(profilesRequestToJson(request)), 'utf8') : encodeProfilesRequest(request);
    return this.options.compression === 'gzip' ? gzip(raw) : raw;
  }

  private async export(job: Job): Promise<void> {
    const body = await this.encode(job.request);
    const policy = { initialIntervalMs: this.options.backoffMillis ?? 1000, maxIntervalMs: Infinity, multiplier: 2, randomizationFactor: 0.2 };
    const cap = this.options.maxBackoffMillis ?? 10_000;
    let result: ExportResult | undefined;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      result = await this.sender.send(body, { timeoutMs: this.options.timeoutMillis, background: job.background });
      if (result.kind !== 'retryable' || attempt === this.options.maxAttempts) break;
      // Shutting down: background sends give up, the final one waits at most a second.
      if (this.closing && job.background) break;
      this.stats.retries++;
      const backoff = backoffDelay(policy, attempt - 1);
      const wait = Math.min(this.closing ? Math.min(cap, 1000) : cap, Math.max(backoff, result.retryAfterMs ?? 0));
      await (job.background ? Promise.race([delay(wait, true), this.closingSignal]) : delay(wait, false));
      if (this.closing && job.background) break;
    }
    if (result === undefined) return;
    if (result.kind === 'success') {
      this.stats.exported++;
      if (result.partial !== undefined) {
        this.stats.rejectedProfiles += result.partial.rejected;
        this.warn(`profiles endpoint rejected ${result.partial.rejected} profile(s): ${result.partial.message}`);
      }
      return;
    }
    this.stats.failed++;
    this.fail(`profiles export failed (${result.kind === 'retryable' ? 'gave up after retries' : 'not retryable'}): ${result.message}`);
  }

  private fail(message: string): void {
    this.stats.lastError = message;
    this.warn(`${message}; ${this.stats.failed} failed, ${this.stats.dropped} dropped so far`);
  }

  /** diag.warn, at most once per `warnEveryMillis`. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarn < this.options.warnEveryMillis) return;
    this.lastWarn = now;
    diag.warn(`otel-profile-bridge/sdk: ${message}`);
  }
}
