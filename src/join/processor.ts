// The join processor ("code hotspots"): indexes the spans of the traces pipeline and joins
// the samples of the profiles pipeline to them. One instance serves both pipelines.
//
// Profiles often arrive before the spans they reference (a span is exported when it ends,
// its local root last), so a request that references unknown spans is held for up to
// `hold_window` and joined again whenever one of the spans it waits for arrives. Holds are
// bounded by bytes: over the bound the oldest holds are released early. A released request
// carries whatever is known; span and trace ids always stay.
//
// Acknowledged means kept: a held request was answered 200, so the join keeps it until the
// next consumer takes it, retrying refusals with backoff (docs/delivery.md). With a
// `directory`, held requests are on disk before they are acknowledged and reloaded on start.
import type { Logger } from 'pino';
import type { Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { byteSize, duration } from '../config/units.js';
import { ConsumerError, errorMessage, isBridgeError } from '../errors.js';
import { backoffDelay } from '../otlp-client/index.js';
import type { RetryPolicy } from '../exporters/shared/config.js';
import { hexOf } from '../otlp/ids.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../otlp/model.js';
import { ACCEPTED, type ConsumeResult, type ProfilesConsumer, type TracesConsumer } from '../component/consumer.js';
import type { Processor, ProcessorFactory } from '../component/factory.js';
import { planJoin, type LinkResult } from './linker.js';
import { HoldFiles } from './hold-files.js';
import { InMemorySpanIndex, resolveSpans, type SpanIndex } from './span-index.js';
import { sharedCounter, sharedGauge } from '../component/metrics.js';

export const joinConfigSchema = z.strictObject({
  hold_window: duration().default(10_000).describe('How long a profile request waits for the spans it references. 0 = never wait.'),
  max_hold_bytes: byteSize()
    .default(64 * 2 ** 20)
    .describe(
      "Bound of the (estimated) bytes the join keeps: requests waiting for spans plus released requests the next consumer refused (kept and retried). Over it the oldest waiting requests are released early; when refused requests fill it, new requests are not held but handed on at once, so the sender gets the next consumer's refusal (429 / 503).",
    ),
  max_spans_bytes: byteSize()
    .default(64 * 2 ** 20)
    .describe("Bound of the span index's memory."),
  span_ttl: duration()
    .default(5 * 60_000)
    .describe('Spans are forgotten this long after they arrived.'),
  directory: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Persist held requests here (created if missing). A request the join holds is then answered only once it is on disk, and the next start (after a crash too) holds it again for what is left of its window. Without it, holds live in memory.',
    ),
  retry: z
    .strictObject({
      initial_interval: duration()
        .default(200)
        .describe("Wait before the first retry (a consumer's Retry-After wins when it is longer, up to max_interval)."),
      max_interval: duration().default(5000).describe('Longest wait between retries.'),
    })
    .default({ initial_interval: 200, max_interval: 5000 })
    .describe('Backoff between offers of a released request the next consumer refused (retryable refusals only).'),
});

export type JoinConfig = z.output<typeof joinConfigSchema>;

export type ReleaseReason = 'timeout' | 'bound' | 'resolved' | 'shutdown';

export interface JoinProcessorOptions {
  holdWindowMs: number;
  maxHoldBytes: number;
  index: SpanIndex;
  logger: Logger;
  metrics: Registry;
  /** The component id, used as the `processor` label of every metric. */
  id?: string;
  /** Persist held requests here; memory only when absent. */
  directory?: string;
  retry?: { initialIntervalMs: number; maxIntervalMs: number };
  /** Jitter source, replaceable in tests. */
  random?: () => number;
}

interface Hold {
  request: ExportProfilesServiceRequest;
  /** Which of the processor's profiles consumers (pipelines) it goes to. */
  pipeline: number;
  next: ProfilesConsumer;
  bytes: number;
  /** Samples of the request that reference a span. */
  samples: number;
  pending: Set<string>;
  timer: NodeJS.Timeout | undefined;
  state: 'held' | 'relinking' | 'released';
  /** Spans arrived while relinking: relink once more. */
  again: boolean;
  /** Its file, when persisted. */
  file?: string;
  /** True once the next consumer refused it: its bytes count as stuck. */
  refused: boolean;
}

/**
 * A cheap estimate of a decoded request's heap size, for the hold bound. It reads lengths
 * only (one pass over samples and strings), with per-entry costs calibrated against the
 * objects the OTLP decoder builds (bench/join.bench.ts compares it with the measured heap):
 * per sample 190 B + 12 B per attribute index + 8 B per value + 32 B per timestamp; per
 * link 470 B (two id byte arrays); per string 40 B + 2 B a char; per other dictionary entry
 * 160 B.
 */
export function estimateRequestBytes(request: ExportProfilesServiceRequest): number {
  let bytes = 512;
  const d = request.dictionary;
  if (d) {
    for (const s of d.stringTable) bytes += 40 + 2 * s.length;
    bytes += 470 * d.linkTable.length;
    bytes += 160 * (d.mappingTable.length + d.locationTable.length + d.functionTable.length + d.attributeTable.length + d.stackTable.length);
  }
  for (const rp of request.resourceProfiles)
    for (const sp of rp.scopeProfiles)
      for (const p of sp.profiles) {
        bytes += 512;
        for (const s of p.samples) bytes += 190 + 12 * s.attributeIndices.length + 8 * s.values.length + 32 * s.timestampsUnixNano.length;
      }
  return bytes;
}

class JoinMetrics {
  readonly joined: Counter<'processor'>;
  readonly unjoined: Counter<'processor'>;
  readonly held: Counter<'processor'>;
  readonly released: Counter<'processor' | 'reason'>;
  readonly releaseRetries: Counter<'processor'>;
  readonly dropped: Counter<'processor' | 'reason'>;
  readonly spansIndexed: Counter<'processor'>;
  readonly spansEvicted: Counter<'processor'>;
  readonly indexBytes: Gauge<'processor'>;
  readonly indexSpans: Gauge<'processor'>;
  readonly heldBytes: Gauge<'processor'>;
  readonly heldRequests: Gauge<'processor'>;

  constructor(r: Registry) {
    const p = ['processor'] as const;
    // Shared by every join processor in the registry; each labels its own series.
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => sharedCounter(r, name, help, labelNames);
    const gauge = (name: string, help: string) => sharedGauge(r, name, help, p);
    this.joined = counter('otel_profile_bridge_join_samples_joined_total', 'Samples emitted with the context of their span.', p);
    this.unjoined = counter(
      'otel_profile_bridge_join_samples_unjoined_total',
      'Samples emitted referencing a span that was not known (ids kept, no span context).',
      p,
    );
    this.held = counter('otel_profile_bridge_join_samples_held_total', 'Span-referencing samples whose request was held waiting for spans.', p);
    this.released = counter(
      'otel_profile_bridge_join_samples_released_total',
      'Span-referencing samples of held requests, by why the hold ended: resolved (spans arrived), timeout (hold window over), bound (released early: hold bytes over the bound), shutdown.',
      ['processor', 'reason'] as const,
    );
    this.releaseRetries = counter(
      'otel_profile_bridge_join_release_retries_total',
      'Offers of released requests the next consumer refused retryably; the join keeps them and offers them again with backoff.',
      p,
    );
    this.dropped = counter(
      'otel_profile_bridge_join_dropped_total',
      'Held requests given up on, by reason: refused (the next consumer refused them permanently), shutdown (not delivered by the shutdown deadline, memory only), corrupt (an unreadable held-request file).',
      ['processor', 'reason'] as const,
    );
    this.spansIndexed = counter('otel_profile_bridge_join_spans_indexed_total', 'Spans added to the span index.', p);
    this.spansEvicted = counter(
      'otel_profile_bridge_join_spans_evicted_total',
      'Spans evicted from the span index (by age or by the byte bound).',
      p,
    );
    this.indexBytes = gauge('otel_profile_bridge_join_index_bytes', 'Memory held by the span index, in bytes.');
    this.indexSpans = gauge('otel_profile_bridge_join_index_spans', 'Spans in the span index.');
    this.heldBytes = gauge(
      'otel_profile_bridge_join_held_bytes',
      'Estimated bytes of held profile requests: waiting for spans, and released but refused by the next consumer.',
    );
    this.heldRequests = gauge(
      'otel_profile_bridge_join_held_requests',
      'Profile requests held: waiting for spans, and released but refused by the next consumer.',
    );
  }
}

export class JoinProcessor implements Processor {
  readonly index: SpanIndex;
  private readonly holdWindowMs: number;
  private readonly maxHoldBytes: number;
  private readonly logger: Logger;
  private readonly m: JoinMetrics;
  private readonly label: { processor: string };
  private readonly files: HoldFiles | undefined;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  /** The consumers of the pipelines this processor serves, in the order they were wrapped. */
  private readonly nexts: ProfilesConsumer[] = [];
  /** Held requests waiting for spans, oldest first. */
  private readonly holds = new Set<Hold>();
  /** Released requests not yet taken by the next consumer. */
  private readonly delivering = new Set<Hold>();
  /** Span id -> the holds waiting for it. */
  private readonly waiting = new Map<string, Set<Hold>>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Bytes of the requests waiting for spans (reserved before their file is written). */
  private waitingBytes = 0;
  /** Bytes of released requests the next consumer refused: kept here until it takes them. */
  private stuckBytes = 0;
  /** Bumped whenever spans are indexed, to catch spans that arrive while a request is looked up. */
  private generation = 0;
  private lastEvictions = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Aborted at the shutdown deadline: retries stop waiting and give up (see leave()). */
  private readonly deadline = new AbortController();

  constructor(options: JoinProcessorOptions) {
    this.index = options.index;
    this.holdWindowMs = options.holdWindowMs;
    this.maxHoldBytes = options.maxHoldBytes;
    this.logger = options.logger;
    this.m = new JoinMetrics(options.metrics);
    this.label = { processor: options.id ?? 'join' };
    this.lastEvictions = this.index.evictions;
    this.files = options.directory === undefined ? undefined : new HoldFiles(options.directory);
    const r = options.retry ?? { initialIntervalMs: 200, maxIntervalMs: 5000 };
    this.retry = {
      enabled: true,
      initialIntervalMs: r.initialIntervalMs,
      maxIntervalMs: Math.max(r.initialIntervalMs, r.maxIntervalMs),
      maxElapsedMs: 0,
      multiplier: 2,
      randomizationFactor: 0.2,
    };
    this.random = options.random ?? Math.random;
  }

  /** True when held requests are persisted (acknowledged only once on disk). */
  get persisted(): boolean {
    return this.files !== undefined;
  }

  /** Requests currently held: waiting for spans, or released and refused by the next consumer. */
  get heldRequests(): number {
    let refused = 0;
    for (const h of this.delivering) if (h.refused) refused++;
    return this.holds.size + refused;
  }

  /** Estimated bytes of the requests currently held (as heldRequests): what max_hold_bytes bounds. */
  get heldBytes(): number {
    return this.waitingBytes + this.stuckBytes;
  }

  wrapTraces(next: TracesConsumer): TracesConsumer {
    return {
      consumeTraces: async (request) => {
        await this.indexSpans(request);
        return next.consumeTraces(request);
      },
    };
  }

  wrapProfiles(next: ProfilesConsumer): ProfilesConsumer {
    const pipeline = this.nexts.push(next) - 1;
    return { consumeProfiles: (request) => this.consumeProfiles(request, pipeline) };
  }

  /** With a directory: holds again what an earlier run held (for what is left of each window). Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.reload();
    return this.starting;
  }

  private async reload(): Promise<void> {
    if (!this.files) return;
    const stored = await this.files.load((file, err) => {
      this.m.dropped.inc({ ...this.label, reason: 'corrupt' });
      this.logger.error({ file, err: errorMessage(err) }, 'join: unreadable held request moved aside (not delivered)');
    });
    let bytes = 0;
    for (const s of stored) {
      const pipeline = this.nexts[s.pipeline] === undefined ? 0 : s.pipeline;
      if (pipeline !== s.pipeline)
        this.logger.warn({ file: s.file, pipeline: s.pipeline }, 'join: held request of a pipeline no longer configured goes to the first one');
      const result = await this.link(s.request).catch(() => undefined);
      const samples = result ? result.linked + result.unlinked : 0;
      const hold = this.newHold(s.request, pipeline, estimateRequestBytes(s.request), samples);
      hold.file = s.file;
      bytes += hold.bytes;
      this.waitingBytes += hold.bytes;
      this.holds.add(hold);
      if (result) this.setPending(hold, result.pending);
      const left = Math.max(0, s.created + this.holdWindowMs - Date.now());
      if (!result || result.pending.size === 0) this.release(hold, result ? 'resolved' : 'timeout', result);
      else hold.timer = setTimeout(() => this.release(hold, 'timeout'), left);
    }
    this.releaseOverBound(0);
    this.updateHoldGauges();
    if (stored.length > 0)
      this.logger.info({ requests: stored.length, bytes, directory: this.files.directory }, 'join: reloaded held profile requests');
  }

  /**
   * Releases every hold to its consumer (joined with what is known) and waits until the
   * next consumers took them, or until `deadline` (ms since the epoch). What is not taken
   * by then stays on disk when persisted, else it is counted and logged as dropped. Idempotent.
   */
  shutdown(deadline?: number): Promise<void> {
    this.stopping ??= (async () => {
      this.closed = true;
      await this.starting?.catch(() => undefined);
      for (const h of [...this.holds]) this.release(h, 'shutdown');
      const drained = (async () => {
        while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      })();
      if (deadline === undefined) return drained;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
      await Promise.race([drained, late]);
      clearTimeout(timer);
      if (this.inFlight.size === 0) return;
      this.deadline.abort();
      // Retries waiting for their backoff end now; offers under way end when their consumer answers.
      await Promise.race([drained, new Promise((r) => setTimeout(r, 50))]);
      const left = this.delivering.size;
      if (left > 0) {
        const where = this.files ? { kept_on_disk: left, directory: this.files.directory } : { dropped: left };
        this.logger[this.files ? 'info' : 'error'](where, 'join: shutdown deadline reached with held requests not yet taken by the next consumer');
      }
    })();
    return this.stopping;
  }

  /** Resolves once no request is held and no release is under way (for tests and tools). */
  idle(): Promise<void> {
    if (this.holds.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------- traces

  private async indexSpans(request: ExportTraceServiceRequest): Promise<void> {
    try {
      const n = await this.index.put(request);
      this.m.spansIndexed.inc(this.label, n);
    } catch (e) {
      // The spans still go on down the traces pipeline; only the join misses them.
      this.logger.warn({ err: errorMessage(e) }, 'join: could not index spans');
      return;
    } finally {
      this.generation++;
      this.updateIndexGauges();
    }
    if (this.waiting.size === 0) return;
    const affected = new Set<Hold>();
    for (const rs of request.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const span of ss.spans) {
          const holds = this.waiting.get(hexOf(span.spanId));
          if (holds) for (const h of holds) affected.add(h);
        }
    for (const h of affected) this.track(this.relink(h));
  }

  private updateIndexGauges(): void {
    const ev = this.index.evictions;
    if (ev > this.lastEvictions) this.m.spansEvicted.inc(this.label, ev - this.lastEvictions);
    this.lastEvictions = ev;
    this.m.indexBytes.set(this.label, this.index.bytes);
    this.m.indexSpans.set(this.label, this.index.size);
  }

  // ---------------------------------------------------------------- profiles

  private async link(request: ExportProfilesServiceRequest): Promise<LinkResult> {
    const plan = planJoin(request);
    if (plan.ids.count === 0) return { request, linked: 0, unlinked: 0, pending: new Set() };
    const resolved = await resolveSpans(this.index, plan.ids);
    this.updateIndexGauges();
    return plan.apply(resolved);
  }

  private newHold(request: ExportProfilesServiceRequest, pipeline: number, bytes: number, samples: number): Hold {
    return {
      request,
      pipeline,
      next: this.nexts[pipeline]!,
      bytes,
      samples,
      pending: new Set(),
      timer: undefined,
      state: 'held',
      again: false,
      refused: false,
    };
  }

  private async consumeProfiles(request: ExportProfilesServiceRequest, pipeline: number): Promise<ConsumeResult> {
    const next = this.nexts[pipeline]!;
    const generation = this.generation;
    let result: LinkResult;
    try {
      result = await this.link(request);
    } catch (e) {
      this.logger.warn({ err: errorMessage(e) }, 'join: span lookup failed; passing the request on unjoined');
      return next.consumeProfiles(request);
    }
    if (result.pending.size === 0 || this.holdWindowMs <= 0 || this.closed) return this.emitNow(result, next);

    const bytes = estimateRequestBytes(request);
    const samples = result.linked + result.unlinked;
    // Make room by releasing the oldest waiting holds; what the next consumer refused cannot be
    // made room for. When the request still does not fit (or never could), it is not held:
    // the next consumer gets it now, and its answer (a refusal too) goes to the sender.
    if (!this.releaseOverBound(bytes)) {
      this.m.held.inc(this.label, samples);
      this.m.released.inc({ ...this.label, reason: 'bound' }, samples);
      this.updateHoldGauges();
      return this.emitNow(result, next);
    }
    const hold = this.newHold(request, pipeline, bytes, samples);
    this.waitingBytes += bytes; // reserved while the file is written
    if (this.files) {
      try {
        hold.file = await this.files.write(pipeline, Date.now(), request);
      } catch (e) {
        this.waitingBytes -= bytes;
        this.logger.error({ err: errorMessage(e), directory: this.files.directory }, 'join: cannot persist a held request; refusing it');
        throw new ConsumerError('ERR_PIPELINE_UNAVAILABLE', `join: cannot write a held request: ${errorMessage(e)}`, {
          retryable: true,
          retryAfterSeconds: 5,
          cause: e,
        });
      }
    }
    this.holds.add(hold);
    this.setPending(hold, result.pending);
    this.m.held.inc(this.label, samples);
    this.updateHoldGauges();
    if (this.closed) {
      // Shutdown began while the file was written: flush it with the rest.
      this.release(hold, 'shutdown');
      return ACCEPTED;
    }
    // Not unref'd: held data keeps the process alive until it is released (at most the window).
    hold.timer = setTimeout(() => this.release(hold, 'timeout'), this.holdWindowMs);
    // Spans that were indexed while this request was being looked up (or written) would not wake it.
    if (this.generation !== generation && hold.state === 'held') this.track(this.relink(hold));
    return ACCEPTED;
  }

  /**
   * Releases the oldest waiting holds early until `bytes` more fit under the bound. False
   * when they cannot fit (larger than the bound, or the room is taken by refused requests).
   */
  private releaseOverBound(bytes: number): boolean {
    if (bytes > this.maxHoldBytes || this.stuckBytes + bytes > this.maxHoldBytes) return false;
    for (const oldest of this.holds) {
      if (this.waitingBytes + this.stuckBytes + bytes <= this.maxHoldBytes) break;
      this.release(oldest, 'bound');
    }
    return this.waitingBytes + this.stuckBytes + bytes <= this.maxHoldBytes;
  }

  private emitNow(result: LinkResult, next: ProfilesConsumer): Promise<ConsumeResult> {
    this.m.joined.inc(this.label, result.linked);
    this.m.unjoined.inc(this.label, result.unlinked);
    return next.consumeProfiles(result.request);
  }

  /** Joins a held request again after some of its spans arrived; releases it when complete. */
  private async relink(hold: Hold): Promise<void> {
    if (hold.state === 'relinking') {
      hold.again = true;
      return;
    }
    if (hold.state !== 'held') return;
    hold.state = 'relinking';
    try {
      do {
        hold.again = false;
        const result = await this.link(hold.request);
        // Released (timeout, bound, shutdown) while we looked up: that release joins on its own.
        if ((hold.state as Hold['state']) === 'released') return;
        if (result.pending.size === 0) {
          this.release(hold, 'resolved', result);
          return;
        }
        this.setPending(hold, result.pending);
      } while (hold.again);
    } catch (e) {
      this.logger.warn({ err: errorMessage(e) }, 'join: relinking a held request failed; it stays held');
    }
    if (hold.state === 'relinking') hold.state = 'held';
  }

  private setPending(hold: Hold, pending: Set<string>): void {
    for (const id of hold.pending) if (!pending.has(id)) this.unwait(id, hold);
    for (const id of pending) {
      if (hold.pending.has(id)) continue;
      let set = this.waiting.get(id);
      if (!set) this.waiting.set(id, (set = new Set()));
      set.add(hold);
    }
    hold.pending = pending;
  }

  private unwait(id: string, hold: Hold): void {
    const set = this.waiting.get(id);
    if (!set) return;
    set.delete(hold);
    if (set.size === 0) this.waiting.delete(id);
  }

  /**
   * Ends a hold: joins it with what is known now (or with `result`, just computed) and hands
   * it on. The receiver answered long ago, so the join keeps the request until the next
   * consumer takes it (see deliver()).
   */
  private release(hold: Hold, reason: ReleaseReason, result?: LinkResult): void {
    if (hold.state === 'released') return;
    hold.state = 'released';
    clearTimeout(hold.timer);
    this.holds.delete(hold);
    this.waitingBytes -= hold.bytes;
    this.delivering.add(hold);
    for (const id of hold.pending) this.unwait(id, hold);
    hold.pending.clear();
    this.m.released.inc({ ...this.label, reason }, hold.samples);
    this.updateHoldGauges();
    this.track(this.deliver(hold, reason, result));
  }

  /**
   * Offers a released request to the next consumer until it takes it: a retryable refusal
   * (a full queue, a store that cannot write) is retried with backoff, or after the
   * consumer's Retry-After; the request's bytes count against max_hold_bytes meanwhile. A
   * permanent refusal is counted and logged, and the request forgotten. The same object is
   * offered every time, so a fan-out sends it only to the consumers that have not taken it.
   */
  private async deliver(hold: Hold, reason: ReleaseReason, result: LinkResult | undefined): Promise<void> {
    let out: ExportProfilesServiceRequest = hold.request;
    try {
      const r = result ?? (await this.link(hold.request));
      this.m.joined.inc(this.label, r.linked);
      this.m.unjoined.inc(this.label, r.unlinked);
      out = r.request;
    } catch (e) {
      this.m.unjoined.inc(this.label, hold.samples);
      this.logger.warn({ err: errorMessage(e) }, 'join: span lookup failed on release; passing the request on unjoined');
    }
    for (let attempt = 0; ; attempt++) {
      let refusal: unknown;
      try {
        await hold.next.consumeProfiles(out);
        return this.delivered(hold);
      } catch (e) {
        refusal = e;
      }
      if (isBridgeError(refusal) && !refusal.retryable) {
        this.m.dropped.inc({ ...this.label, reason: 'refused' });
        this.logger.error({ err: errorMessage(refusal), reason }, 'join: the next consumer refused a released profile request permanently; dropped');
        return this.delivered(hold);
      }
      this.m.releaseRetries.inc(this.label);
      if (!hold.refused) {
        hold.refused = true;
        this.stuckBytes += hold.bytes;
        this.updateHoldGauges();
      }
      const asked = refusal instanceof ConsumerError && refusal.retryAfterSeconds !== undefined ? refusal.retryAfterSeconds * 1000 : 0;
      const delay = Math.min(this.retry.maxIntervalMs, Math.max(asked, backoffDelay(this.retry, attempt, this.random)));
      const line = { err: errorMessage(refusal), reason, attempt: attempt + 1, retry_in_ms: delay };
      if (attempt === 0) this.logger.warn(line, 'join: the next consumer refused a released profile request; keeping it and retrying');
      else this.logger.debug(line, 'join: released profile request refused again; retrying');
      if (this.deadline.signal.aborted || !(await sleep(delay, this.deadline.signal))) return this.leave(hold);
    }
  }

  /** Taken by the next consumer (or given up on): forget it and delete its file. */
  private async delivered(hold: Hold): Promise<void> {
    if (hold.file !== undefined) {
      await this.files!.remove(hold.file).catch((e: unknown) =>
        this.logger.error(
          { file: hold.file, err: errorMessage(e) },
          'join: cannot delete a delivered held request; it may be delivered again after a restart',
        ),
      );
    }
    this.forget(hold);
  }

  /** Not taken by the shutdown deadline: kept on disk for the next start, or dropped (memory). */
  private leave(hold: Hold): void {
    if (hold.file === undefined) {
      this.m.dropped.inc({ ...this.label, reason: 'shutdown' });
      this.logger.error({ samples: hold.samples }, 'join: held request dropped at the shutdown deadline (not persisted)');
    }
    this.forget(hold);
  }

  private forget(hold: Hold): void {
    if (!this.delivering.delete(hold)) return;
    if (hold.refused) this.stuckBytes -= hold.bytes;
    this.updateHoldGauges();
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    const done = () => {
      this.inFlight.delete(p);
      this.checkIdle();
    };
    p.then(done, (e: unknown) => {
      this.logger.error({ err: errorMessage(e) }, 'join: unexpected error');
      done();
    });
  }

  private checkIdle(): void {
    if (this.holds.size > 0 || this.inFlight.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private updateHoldGauges(): void {
    this.m.heldBytes.set(this.label, this.heldBytes);
    this.m.heldRequests.set(this.label, this.heldRequests);
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      resolve(false);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const joinProcessorFactory: ProcessorFactory<JoinConfig> = {
  type: 'join',
  configSchema: joinConfigSchema,
  create(config, ctx) {
    return new JoinProcessor({
      holdWindowMs: config.hold_window,
      maxHoldBytes: config.max_hold_bytes,
      index: new InMemorySpanIndex({ maxBytes: config.max_spans_bytes, ttlMs: config.span_ttl }),
      logger: ctx.logger,
      metrics: ctx.metrics,
      id: ctx.id,
      directory: config.directory,
      retry: { initialIntervalMs: config.retry.initial_interval, maxIntervalMs: config.retry.max_interval },
    });
  },
};
