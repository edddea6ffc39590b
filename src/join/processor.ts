// The join processor ("code hotspots"): indexes the spans of the traces pipeline and joins
// the samples of the profiles pipeline to them. One instance serves both pipelines.
//
// Profiles often arrive before the spans they reference (a span is exported when it ends,
// its local root last), so a request that references unknown spans is held for up to
// `hold_window` and joined again whenever one of the spans it waits for arrives. Holds are
// bounded by bytes: over the bound the oldest holds are released early — data is never
// dropped. A released request carries whatever is known; span and trace ids always stay.
import type { Logger } from 'pino';
import type { Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { byteSize, duration } from '../config/units.js';
import { errorMessage } from '../errors.js';
import { hexOf } from '../otlp/ids.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../otlp/model.js';
import { ACCEPTED, type ConsumeResult, type ProfilesConsumer, type TracesConsumer } from '../pipeline/consumer.js';
import type { Processor, ProcessorFactory } from '../service/component.js';
import { linkProfiles, referencedSpanIds, type LinkResult } from './linker.js';
import { InMemorySpanIndex, type SpanIndex } from './span-index.js';
import { sharedCounter, sharedGauge } from '../service/metrics.js';

export const joinConfigSchema = z.strictObject({
  /** How long a profile request waits for the spans it references. 0 = never wait. */
  hold_window: duration().default(10_000),
  /** Bound of the (estimated) bytes of held requests; over it the oldest are released early. */
  max_hold_bytes: byteSize().default(64 * 2 ** 20),
  /** Bound of the span index's memory. */
  max_spans_bytes: byteSize().default(64 * 2 ** 20),
  /** Spans are forgotten this long after they arrived. */
  span_ttl: duration().default(5 * 60_000),
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
}

interface Hold {
  request: ExportProfilesServiceRequest;
  next: ProfilesConsumer;
  bytes: number;
  /** Samples of the request that reference a span. */
  samples: number;
  pending: Set<string>;
  timer: NodeJS.Timeout | undefined;
  state: 'held' | 'relinking' | 'released';
  /** Spans arrived while relinking: relink once more. */
  again: boolean;
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
  readonly releaseErrors: Counter<'processor'>;
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
    this.releaseErrors = counter(
      'otel_profile_bridge_join_release_errors_total',
      'Held requests the next consumer refused on release (logged; the receiver had already answered).',
      p,
    );
    this.spansIndexed = counter('otel_profile_bridge_join_spans_indexed_total', 'Spans added to the span index.', p);
    this.spansEvicted = counter('otel_profile_bridge_join_spans_evicted_total', 'Spans evicted from the span index (by age or by the byte bound).', p);
    this.indexBytes = gauge('otel_profile_bridge_join_index_bytes', 'Memory held by the span index, in bytes.');
    this.indexSpans = gauge('otel_profile_bridge_join_index_spans', 'Spans in the span index.');
    this.heldBytes = gauge('otel_profile_bridge_join_held_bytes', 'Estimated bytes of held profile requests.');
    this.heldRequests = gauge('otel_profile_bridge_join_held_requests', 'Profile requests held waiting for spans.');
  }
}

export class JoinProcessor implements Processor {
  readonly index: SpanIndex;
  private readonly holdWindowMs: number;
  private readonly maxHoldBytes: number;
  private readonly logger: Logger;
  private readonly m: JoinMetrics;
  private readonly label: { processor: string };
  /** Held requests, oldest first. */
  private readonly holds = new Set<Hold>();
  /** Span id -> the holds waiting for it. */
  private readonly waiting = new Map<string, Set<Hold>>();
  private readonly inFlight = new Set<Promise<void>>();
  private holdBytes = 0;
  /** Bumped whenever spans are indexed, to catch spans that arrive while a request is looked up. */
  private generation = 0;
  private lastEvictions = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private stopping: Promise<void> | undefined;

  constructor(options: JoinProcessorOptions) {
    this.index = options.index;
    this.holdWindowMs = options.holdWindowMs;
    this.maxHoldBytes = options.maxHoldBytes;
    this.logger = options.logger;
    this.m = new JoinMetrics(options.metrics);
    this.label = { processor: options.id ?? 'join' };
    this.lastEvictions = this.index.evictions;
  }

  /** Requests currently held. */
  get heldRequests(): number {
    return this.holds.size;
  }

  /** Estimated bytes of the requests currently held. */
  get heldBytes(): number {
    return this.holdBytes;
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
    return { consumeProfiles: (request) => this.consumeProfiles(request, next) };
  }

  /** Releases every hold to its consumer (joined with what is known) and waits for them. Idempotent. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.closed = true;
      for (const h of [...this.holds]) this.release(h, 'shutdown');
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
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
    for (const h of affected) this.track(this.retry(h));
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
    const ids = referencedSpanIds(request);
    if (ids.size === 0) return { request, linked: 0, unlinked: 0, pending: new Set() };
    const known = await this.index.lookup(ids);
    this.updateIndexGauges();
    return linkProfiles(request, (id) => known.get(id));
  }

  private async consumeProfiles(request: ExportProfilesServiceRequest, next: ProfilesConsumer): Promise<ConsumeResult> {
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
    if (bytes > this.maxHoldBytes) {
      // Too big to hold at all: this is the oldest hold there could be, release it at once.
      this.m.held.inc(this.label, samples);
      this.m.released.inc({ ...this.label, reason: 'bound' }, samples);
      return this.emitNow(result, next);
    }
    const hold: Hold = { request, next, bytes, samples, pending: new Set(), timer: undefined, state: 'held', again: false };
    this.holds.add(hold);
    this.holdBytes += bytes;
    this.setPending(hold, result.pending);
    // Not unref'd: held data keeps the process alive until it is released (at most the window).
    hold.timer = setTimeout(() => this.release(hold, 'timeout'), this.holdWindowMs);
    this.m.held.inc(this.label, samples);
    for (const oldest of this.holds) {
      if (this.holdBytes <= this.maxHoldBytes) break;
      this.release(oldest, 'bound');
    }
    this.updateHoldGauges();
    // Spans that were indexed while this request was being looked up would not wake it.
    if (this.generation !== generation && hold.state === 'held') this.track(this.retry(hold));
    return ACCEPTED;
  }

  private emitNow(result: LinkResult, next: ProfilesConsumer): Promise<ConsumeResult> {
    this.m.joined.inc(this.label, result.linked);
    this.m.unjoined.inc(this.label, result.unlinked);
    return next.consumeProfiles(result.request);
  }

  /** Joins a held request again after some of its spans arrived; releases it when complete. */
  private async retry(hold: Hold): Promise<void> {
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
   * it on. The receiver answered long ago, so a refusal is logged and counted, not returned.
   */
  private release(hold: Hold, reason: ReleaseReason, result?: LinkResult): void {
    if (hold.state === 'released') return;
    hold.state = 'released';
    clearTimeout(hold.timer);
    this.holds.delete(hold);
    this.holdBytes -= hold.bytes;
    for (const id of hold.pending) this.unwait(id, hold);
    hold.pending.clear();
    this.m.released.inc({ ...this.label, reason }, hold.samples);
    this.updateHoldGauges();
    this.track(
      (async () => {
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
        try {
          await hold.next.consumeProfiles(out);
        } catch (e) {
          this.m.releaseErrors.inc(this.label);
          this.logger.error({ err: errorMessage(e), reason }, 'join: the next consumer refused a released profile request');
        }
      })(),
    );
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    const done = () => {
      this.inFlight.delete(p);
      this.checkIdle();
    };
    p.then(done, done);
  }

  private checkIdle(): void {
    if (this.holds.size > 0 || this.inFlight.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private updateHoldGauges(): void {
    this.m.heldBytes.set(this.label, this.holdBytes);
    this.m.heldRequests.set(this.label, this.holds.size);
  }
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
    });
  },
};
