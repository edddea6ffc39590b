// The embedded profile store: takes profiles and spans from the pipelines, writes them in
// batched transactions, answers queries (through a QueryRunner), and applies retention.
//
// Ingestion path: extract from the OTLP request (pure, no pprof detour) -> queue -> one write
// transaction per batch. A consume call resolves once its batch is committed, so the
// pipeline sees back-pressure and a resolved call means the data is queryable.
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConsumerError, errorMessage } from '../errors.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../otlp/model.js';
import { ACCEPTED, type ConsumeResult } from '../component/consumer.js';
import type { StoreConfig } from './config.js';
import { extractedBytes, type ExtractedProfile } from './ingest/extract.js';
import { boundLabels } from './ingest/labels.js';
import { extractRequest } from './ingest/otlp.js';
import { spanRecords, type SpanRecord } from './ingest/spans.js';
import { StoreMetrics } from './metrics.js';
import { compactBuckets, type CompactResult } from './buckets/compact.js';
import { retainBuckets } from './buckets/retention.js';
import { InlineQueryRunner, WorkerQueryRunner, type QueryRunner } from './query-runner.js';
import { runRetention, usedBytes, type RetentionResult } from './retention.js';
import { openWriteDatabase } from './schema.js';
import { StoreWriter, type WrittenProfile } from './writer.js';

export const DATABASE_FILE = 'profiles.db';

export interface StoreOptions {
  config: StoreConfig;
  logger: Logger;
  metrics: Registry;
  /** Component id, for metric labels and logs. */
  id?: string;
  /** Clock in unix ms (tests pass a fake one for retention). */
  now?: () => number;
}

interface Batch {
  profiles: ExtractedProfile[];
  spans: SpanRecord[];
  bytes: number;
  stacks: number;
  waiters: { resolve(): void; reject(e: unknown): void }[];
}

function emptyBatch(): Batch {
  return { profiles: [], spans: [], bytes: 0, stacks: 0, waiters: [] };
}

/**
 * What the write-ahead log may take of max_size: 5 %, at most 4 MiB (SQLite's default
 * checkpoint threshold). Retention keeps the database's used pages under the rest.
 */
function walBudget(maxSize: number): number {
  return Math.min(4 * 2 ** 20, Math.floor(maxSize / 20));
}

export class Store {
  readonly file: string;
  readonly id: string;
  private readonly config: StoreConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private db: Database.Database | undefined;
  private writer: StoreWriter | undefined;
  private runner: QueryRunner | undefined;
  private readonly storeMetrics: StoreMetrics;
  private batch = emptyBatch();
  private timer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private compactTimer: NodeJS.Timeout | undefined;
  private profileCount = 0;
  private closing = false;
  /** The last retention run found max_size exceeded by rows other than profile data. */
  private sizeHeldByOtherRows = false;
  private lastLabelWarning = Number.NEGATIVE_INFINITY;

  constructor(options: StoreOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.id = options.id ?? 'store';
    this.file = join(resolve(options.config.directory), DATABASE_FILE);
    this.storeMetrics = new StoreMetrics(options.metrics, this.id, options.config.metrics, {
      profiles: () => this.profileCount,
      queueProfiles: () => this.batch.profiles.length,
      files: () => [this.file, `${this.file}-wal`],
    });
  }

  /** Opens (or creates) the database and starts the query runner and retention. */
  open(): void {
    if (this.db) return;
    mkdirSync(resolve(this.config.directory), { recursive: true });
    this.db = openWriteDatabase(this.file);
    // The write-ahead log counts against max_size too: checkpoint it (and cut the file back)
    // once it reaches 5 % of max_size, at most 4 MiB (SQLite's default threshold).
    const walBytes = walBudget(this.config.retention.max_size);
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.db.pragma(`journal_size_limit = ${walBytes}`);
    this.db.pragma(`wal_autocheckpoint = ${Math.max(16, Math.floor(walBytes / pageSize))}`);
    this.writer = new StoreWriter(this.db);
    this.profileCount = this.db.prepare('SELECT count(*) FROM profiles').pluck().get() as number;
    const workers = this.config.query.workers;
    this.runner = workers > 0 ? new WorkerQueryRunner(this.file, workers) : new InlineQueryRunner(this.file);
    this.scheduleRetention(this.config.retention.check_interval);
    if (this.config.buckets.compact_interval > 0) this.scheduleCompaction(this.config.buckets.compact_interval);
    this.logger.info({ file: this.file, profiles: this.profileCount, queryWorkers: workers }, 'profile store open');
  }

  get isOpen(): boolean {
    return this.db !== undefined && !this.closing;
  }

  /** Runs queries; rejects when the store is closed. */
  get queries(): QueryRunner {
    if (!this.runner || this.closing) throw new ConsumerError('ERR_STORE', 'the profile store is not open', { retryable: true });
    return this.runner;
  }

  /** Profiles held (kept up to date as they are written and deleted). */
  get profiles(): number {
    return this.profileCount;
  }

  private refuseIfClosed(): void {
    if (!this.db || this.closing) {
      throw new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'the profile store is shutting down', { retryable: true, retryAfterSeconds: 1 });
    }
  }

  async consumeProfiles(req: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    this.refuseIfClosed();
    const { profiles: read, errors } = extractRequest(req, this.writer!.ingestCache);
    const extracted = read.map((p) => this.withBoundedLabels(p));
    let bytes = 0;
    let stacks = 0;
    for (const e of extracted) {
      bytes += extractedBytes(e);
      stacks += e.stacks.count;
    }
    if (errors.length > 0) this.storeMetrics.dropped.inc({ store: this.id, signal: 'profiles', reason: 'invalid' }, errors.length);
    const result: ConsumeResult = errors.length === 0 ? ACCEPTED : { rejected: errors.length, message: errors.map((e) => e.message).join('; ') };
    if (extracted.length === 0) return result;
    await this.enqueue(bytes, stacks, (b) => b.profiles.push(...extracted), 'profiles', extracted.length);
    return result;
  }

  /** The profile with its series labels within `labels` limits; what was cut is counted and logged. */
  private withBoundedLabels(e: ExtractedProfile): ExtractedProfile {
    const b = boundLabels(e.labels, this.config.labels);
    if (b.labels === e.labels) return e;
    const counts = { too_many: b.tooMany, name_too_long: b.nameTooLong, value_truncated: b.valueTruncated };
    for (const [reason, n] of Object.entries(counts)) if (n > 0) this.storeMetrics.labelsLimited.inc({ store: this.id, reason }, n);
    const now = Date.now();
    if (now - this.lastLabelWarning >= 60_000) {
      this.lastLabelWarning = now;
      this.logger.warn(
        { service: b.labels['service.name'], labels: Object.keys(e.labels).length, ...counts, limits: this.config.labels },
        'profile store cut series labels over its limits (store.labels); logged at most once a minute',
      );
    }
    return { ...e, labels: b.labels };
  }

  async consumeTraces(req: ExportTraceServiceRequest): Promise<ConsumeResult> {
    this.refuseIfClosed();
    const records = spanRecords(req);
    if (records.length === 0) return ACCEPTED;
    await this.enqueue(records.length * 300, 0, (b) => b.spans.push(...records), 'spans', records.length);
    return ACCEPTED;
  }

  private enqueue(bytes: number, stacks: number, add: (b: Batch) => void, signal: 'profiles' | 'spans', count: number): Promise<void> {
    const limits = this.config.batch;
    if (this.batch.bytes + bytes > limits.max_queue_bytes && this.batch.bytes > 0) {
      this.storeMetrics.dropped.inc({ store: this.id, signal, reason: 'queue_full' }, count);
      throw new ConsumerError('ERR_PIPELINE_FULL', `the profile store's write queue is full (${limits.max_queue_bytes} bytes)`, {
        retryable: true,
        retryAfterSeconds: 1,
      });
    }
    const b = this.batch;
    add(b);
    b.bytes += bytes;
    b.stacks += stacks;
    const done = new Promise<void>((resolve, reject) => b.waiters.push({ resolve, reject }));
    if (b.profiles.length >= limits.max_profiles || b.stacks >= limits.max_samples) {
      this.flushSoon(0);
    } else {
      this.flushSoon(limits.flush_interval);
    }
    return done;
  }

  private flushSoon(delay: number): void {
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, delay);
  }

  /** Writes everything queued, now. */
  flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const b = this.batch;
    if (b.waiters.length === 0) return;
    this.batch = emptyBatch();
    if (!this.db || !this.writer) {
      const e = new ConsumerError('ERR_PIPELINE_UNAVAILABLE', 'the profile store is closed', { retryable: true });
      for (const w of b.waiters) w.reject(e);
      return;
    }
    let committed: ReturnType<StoreWriter['writeProfiles']>;
    try {
      const writer = this.writer;
      committed = this.db.transaction(() => {
        if (b.spans.length > 0) writer.writeSpans(b.spans);
        return writer.writeProfiles(b.profiles);
      })();
    } catch (e) {
      this.logger.error({ err: errorMessage(e), profiles: b.profiles.length, spans: b.spans.length }, 'profile store write failed');
      this.storeMetrics.dropped.inc({ store: this.id, signal: 'profiles', reason: 'write_failed' }, b.profiles.length);
      const err = new ConsumerError('ERR_STORE', `the profile store could not write: ${errorMessage(e)}`, { retryable: true, cause: e });
      for (const w of b.waiters) w.reject(err);
      return;
    }
    // Committed: the answer is success whatever happens below.
    const { written, duplicates } = committed;
    this.profileCount += written.length;
    for (const w of b.waiters) w.resolve();
    try {
      this.recordWritten(written, duplicates, b.spans.length);
    } catch (e) {
      // A metric must never turn a committed write into a failure.
      this.logger.error({ err: errorMessage(e) }, 'profile store metrics update failed');
    }
    // Under sustained load the data can outgrow max_size long before the next scheduled
    // run: run retention right after the write that crossed it (cheap to check: 3 pragmas).
    try {
      if (!this.sizeHeldByOtherRows && usedBytes(this.db) > this.dataBound) {
        const r = this.retain();
        if (r.more) this.scheduleRetention(Math.min(1000, this.config.retention.check_interval));
      }
      this.trimLog(walBudget(this.config.retention.max_size));
    } catch (e) {
      this.logger.error({ err: errorMessage(e) }, 'profile store retention failed');
    }
  }

  /**
   * When the write-ahead log file is larger than `limit`, moves its pages into the database
   * and cuts it to zero. SQLite's own checkpoint after a large commit leaves the file at its
   * largest size until the next write; this keeps the log inside its share of max_size. It
   * never waits for readers: if one holds an old snapshot, the next call finishes the job.
   */
  private trimLog(limit: number): void {
    if (!this.db) return;
    let size = 0;
    try {
      size = statSync(`${this.file}-wal`).size;
    } catch {
      return; // no log file right now
    }
    if (size <= limit) return;
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.pragma('busy_timeout = 5000');
    }
  }

  private recordWritten(written: WrittenProfile[], duplicates: number, spans: number): void {
    this.storeMetrics.profilesStored.inc({ store: this.id }, written.length);
    this.storeMetrics.spansStored.inc({ store: this.id }, spans);
    let samples = 0;
    for (const w of written) {
      samples += w.profile.stacks.count;
      this.storeMetrics.recordProfile(w.profile);
    }
    this.storeMetrics.samplesStored.inc({ store: this.id }, samples);
    if (duplicates > 0) this.storeMetrics.dropped.inc({ store: this.id, signal: 'profiles', reason: 'duplicate' }, duplicates);
  }

  private scheduleRetention(delay: number): void {
    if (this.retentionTimer) clearTimeout(this.retentionTimer);
    this.retentionTimer = setTimeout(() => {
      this.retentionTimer = undefined;
      if (!this.isOpen) return;
      let r: RetentionResult | undefined;
      try {
        r = this.retain();
      } catch (e) {
        this.logger.error({ err: errorMessage(e) }, 'profile store retention failed');
      }
      // More to do: continue soon, in another bounded step, instead of one long run.
      this.scheduleRetention(r?.more ? Math.min(1000, this.config.retention.check_interval) : this.config.retention.check_interval);
    }, delay);
    this.retentionTimer.unref();
  }

  /** What the database's used pages may take: max_size less the log's share. */
  private get dataBound(): number {
    const max = this.config.retention.max_size;
    return max - walBudget(max);
  }

  private scheduleCompaction(delay: number): void {
    this.compactTimer = setTimeout(() => {
      this.compactTimer = undefined;
      if (!this.isOpen) return;
      let r: CompactResult | undefined;
      try {
        r = this.compact();
      } catch (e) {
        this.logger.error({ err: errorMessage(e) }, 'profile store bucket compaction failed');
      }
      this.scheduleCompaction(r?.more ? Math.min(100, this.config.buckets.compact_interval) : this.config.buckets.compact_interval);
    }, delay);
    this.compactTimer.unref();
  }

  /** One bounded compaction run: merges settled profiles into the time buckets (also called by tests). */
  compact(): CompactResult {
    if (!this.db) throw new ConsumerError('ERR_STORE', 'the profile store is not open', { retryable: false });
    const c = this.config.buckets;
    return compactBuckets(this.db, { now: this.now(), settleMs: c.settle, maxProfiles: c.max_profiles_per_run });
  }

  /** One bounded retention run (also called by tests). */
  retain(): RetentionResult {
    if (!this.db || !this.writer) throw new ConsumerError('ERR_STORE', 'the profile store is not open', { retryable: false });
    // Buckets first for age (never hold what raw is about to lose), and again after, for
    // what size retention deleted.
    const bucketOptions = { now: this.now(), maxAgeMs: this.config.retention.max_age, maxDeletes: this.config.retention.max_deletes_per_run };
    const before = retainBuckets(this.db, bucketOptions);
    const db = this.db;
    let bucketsLeft = false;
    const r = runRetention(this.db, {
      now: this.now(),
      maxAgeMs: this.config.retention.max_age,
      maxSizeBytes: this.dataBound,
      maxDeletes: this.config.retention.max_deletes_per_run,
      afterProfilesDeleted: () => {
        if (retainBuckets(db, bucketOptions).more) bucketsLeft = true;
      },
    });
    const after = retainBuckets(this.db, bucketOptions);
    if (before.more || after.more || bucketsLeft) r.more = true;
    if (r.stacksDeleted > 0 || r.functionsDeleted > 0) this.writer.forgetStacks();
    if (r.deletedBySize > 0) this.trimLog(0);
    const deleted = r.deletedByAge + r.deletedBySize;
    this.profileCount = Math.max(0, this.profileCount - deleted);
    if (r.deletedByAge > 0) this.storeMetrics.retentionDeleted.inc({ store: this.id, reason: 'age' }, r.deletedByAge);
    if (r.deletedBySize > 0) this.storeMetrics.retentionDeleted.inc({ store: this.id, reason: 'size' }, r.deletedBySize);
    if (deleted > 0 || r.spansDeleted > 0) {
      this.logger.debug({ ...r }, 'profile store retention');
    }
    // While other rows hold the space, only scheduled runs try again (not every write).
    const warn = r.heldByOtherRows !== undefined && !this.sizeHeldByOtherRows;
    this.sizeHeldByOtherRows = r.heldByOtherRows !== undefined;
    if (warn) {
      this.logger.warn(
        { maxSize: this.config.retention.max_size, usedBytes: r.usedBytes, ...r.heldByOtherRows },
        'profile store is above max_size but profile data is not what holds the space; profiles kept',
      );
    }
    return r;
  }

  /** Writes what is queued, stops timers and workers, closes the database. Idempotent. */
  async close(): Promise<void> {
    if (!this.db || this.closing) return;
    this.flushNow();
    this.closing = true;
    if (this.retentionTimer) clearTimeout(this.retentionTimer);
    if (this.compactTimer) clearTimeout(this.compactTimer);
    await this.runner?.close();
    this.db.close();
    this.db = undefined;
    this.writer = undefined;
    this.runner = undefined;
    this.closing = false;
  }
}
