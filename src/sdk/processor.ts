// The plugin: a SpanProcessor that profiles the process it runs in. Add it to the SDK's span
// processors; it records which spans start (and their local roots), keeps the wall profiler
// told which span is active (context.ts), and every export interval cuts the wall/CPU/heap
// profiles, turns them into one OTLP profiles request and sends it (exporter.ts).
import { threadId, isMainThread } from 'node:worker_threads';
import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeScope } from '../otlp/build.js';
import type { ExportProfilesServiceRequest, InstrumentationScope, Resource } from '../otlp/index.js';
import { ContextTracker } from './context.js';
import { toProfilesRequest } from './convert.js';
import { ProfileExporter, type ExportStats } from './exporter.js';
import { resolveOptions, type Env, type ProfilingOptions, type ResolvedOptions, type ResourceLike } from './options.js';
import { buildResource } from './resource.js';
import { Sampler } from './sampler.js';
import { SpanTracker } from './spans.js';
import { GrpcSender, HttpSender, type OtlpSender } from '../otlp-client/index.js';
import { packageVersion } from '../version.js';

export const SCOPE_NAME = 'otel-profile-bridge/sdk';

export interface ProfilingStats extends ExportStats {
  /** Profile requests cut so far (one per interval with samples). */
  requests: number;
  /** Samples (after merging) in those requests, over all profile types. */
  samples: number;
  /** Profiles that could not be collected or converted. */
  collectErrors: number;
  /** Spans seen by the processor. */
  spansStarted: number;
  /** True while the samplers run. */
  running: boolean;
}

/**
 * A SpanProcessor that profiles the process: wall time and CPU time with the active span of
 * every sample, plus in-use heap, sent as OTLP profiles every `exportIntervalMillis`.
 *
 * ```ts
 * const profiler = new ProfilingSpanProcessor();
 * new NodeSDK({ spanProcessors: [profiler, new BatchSpanProcessor(new OTLPTraceExporter())] }).start();
 * profiler.start();
 * ```
 */
export class ProfilingSpanProcessor implements SpanProcessor {
  readonly options: Readonly<ResolvedOptions>;
  private readonly env: Env;
  private readonly spans = new SpanTracker();
  private readonly sampler: Sampler;
  private readonly tracker: ContextTracker;
  private readonly exporter: ProfileExporter;
  private readonly scope: InstrumentationScope;
  private timer: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private sdkResource: ResourceLike | undefined;
  private shuttingDown: Promise<void> | undefined;
  private readonly counters = { requests: 0, samples: 0, collectErrors: 0, spansStarted: 0 };

  constructor(options: ProfilingOptions = {}, env: Env = process.env) {
    this.env = env;
    this.options = resolveOptions(options, env);
    for (const w of this.options.warnings) diag.warn(`otel-profile-bridge/sdk: ${w}`);
    this.sampler = new Sampler(this.options);
    this.tracker = new ContextTracker(this.spans, this.sampler);
    const version = packageVersion();
    this.scope = makeScope(SCOPE_NAME, version);
    const userAgent = `otel-profile-bridge-sdk/${version}`;
    const gzip = this.options.compression === 'gzip';
    const sender: OtlpSender =
      this.options.protocol === 'grpc'
        ? new GrpcSender({ url: this.options.url, headers: this.options.headers, gzip, userAgent })
        : new HttpSender({
            url: this.options.url,
            headers: this.options.headers,
            contentType: this.options.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
            gzip,
            userAgent,
          });
    this.exporter = new ProfileExporter(sender, {
      encoding: this.options.protocol === 'http/json' ? 'json' : 'protobuf',
      // gRPC compresses in the channel.
      compression: this.options.protocol === 'grpc' ? 'none' : this.options.compression,
      timeoutMillis: this.options.timeoutMillis,
      maxAttempts: this.options.maxAttempts,
      warnEveryMillis: this.options.exportIntervalMillis,
    });
  }

  /**
   * Starts the samplers and the export timer. Returns false (with a diag error) when
   * profiling cannot run here — disabled, the native addon missing, another wall profiler
   * running; the app goes on unprofiled. Idempotent.
   */
  start(): boolean {
    if (this.state === 'running') return true;
    if (this.state === 'stopped' || !this.options.enabled) return false;
    try {
      this.sampler.start();
    } catch (err) {
      diag.error(`otel-profile-bridge/sdk: profiling not started: ${(err as Error).message}`);
      this.sampler.stop();
      this.state = 'stopped';
      return false;
    }
    this.tracker.start();
    this.state = 'running';
    this.timer = setInterval(() => this.exportNow(true), this.options.exportIntervalMillis);
    this.timer.unref();
    return true;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  stats(): ProfilingStats {
    return { ...this.exporter.stats, ...this.counters, running: this.running };
  }

  onStart(span: Span, parentContext: Context): void {
    if (this.state !== 'running') return;
    try {
      this.spans.track(span, parentContext);
      this.counters.spansStarted++;
      if (this.sdkResource === undefined && span.resource && span.resource.asyncAttributesPending !== true) {
        this.sdkResource = span.resource as ResourceLike;
      }
      // The SDK may have registered its context manager after start(): wrap it now.
      this.tracker.syncContextManager();
    } catch (err) {
      diag.debug(`otel-profile-bridge/sdk: onStart: ${(err as Error).message}`);
    }
  }

  onEnd(_span: ReadableSpan): void {
    // Nothing to do: a sample keeps its span alive until the profile is cut.
  }

  /** The resource profiles are sent with (the option, else the SDK's, else the environment's). */
  resource(): Resource {
    return buildResource(this.options.resource ?? this.sdkResource, this.env);
  }

  /**
   * Cuts the profile collected since the last cut and returns it as an OTLP request,
   * without sending it (the timer cuts and sends every interval; `forceFlush` cuts and
   * sends now). Sampling goes on. Undefined when not running or nothing was sampled.
   */
  collect(): ExportProfilesServiceRequest | undefined {
    return this.cut(false);
  }

  /** `final`: the last cut, which stops the samplers. */
  private cut(final: boolean): ExportProfilesServiceRequest | undefined {
    if (this.state !== 'running') return undefined;
    try {
      const windows = this.sampler.cut(!final);
      if (!final) this.tracker.reset();
      const request = toProfilesRequest(windows, {
        resource: this.resource(),
        scope: this.scope,
        sampleAttributes: isMainThread
          ? { 'thread.name': 'main', 'thread.id': threadId }
          : { 'thread.name': `worker-${threadId}`, 'thread.id': threadId },
        syntheticLeaves: new Map([[this.sampler.runtimeLeaves().nonJsThreads, { 'thread.name': 'non-JS threads' }]]),
      });
      if (request !== undefined) {
        this.counters.requests++;
        for (const rp of request.resourceProfiles)
          for (const sp of rp.scopeProfiles) for (const p of sp.profiles) this.counters.samples += p.samples.length;
      }
      return request;
    } catch (err) {
      this.counters.collectErrors++;
      diag.warn(`otel-profile-bridge/sdk: could not collect a profile: ${(err as Error).message}`);
      return undefined;
    }
  }

  private exportNow(background: boolean): void {
    const request = this.collect();
    if (request !== undefined) this.exporter.enqueue(request, background);
  }

  /** Cuts and sends the profile so far, and waits for every queued send. Never rejects. */
  async forceFlush(): Promise<void> {
    if (this.state === 'running') this.exportNow(false);
    await this.exporter.idle();
  }

  /**
   * Stops the samplers and hooks, sends the last profile and waits for it (bounded by the
   * timeout and retries). Idempotent; never rejects. NodeSDK.shutdown() calls it.
   */
  shutdown(): Promise<void> {
    this.shuttingDown ??= this.doShutdown();
    return this.shuttingDown;
  }

  private async doShutdown(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    let final: ExportProfilesServiceRequest | undefined;
    if (this.state === 'running') {
      this.tracker.stop();
      final = this.cut(true);
      this.sampler.stop();
    }
    this.state = 'stopped';
    await this.exporter.close(final);
  }
}

/** Creates a ProfilingSpanProcessor and starts it: `spanProcessors: [startProfiling(), ...]`. */
export function startProfiling(options: ProfilingOptions = {}): ProfilingSpanProcessor {
  const processor = new ProfilingSpanProcessor(options);
  processor.start();
  return processor;
}
