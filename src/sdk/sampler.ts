// The in-process samplers: @datadog/pprof's wall profiler (with CPU time per sample and a
// context per sample) and its heap sampler. This module is the only one that touches the
// native addon; it is loaded on start, not on import, so importing the SDK costs nothing and
// a platform without a prebuilt binary fails softly (start() throws, the caller reports it).
import { createRequire } from 'node:module';
import type { LabelSet } from '@datadog/pprof';
import type { ContextSink, SampleContext } from './context.js';
import type { PprofProfile, PprofWindow } from './convert.js';
import { spanLabels, type TrackedSpan } from './spans.js';

type PprofModule = typeof import('@datadog/pprof');
type GenerateTimeLabels = NonNullable<Parameters<PprofModule['time']['stop']>[1]>;
type GenerateTimeLabelsArgs = Parameters<GenerateTimeLabels>[0];

const require = createRequire(import.meta.url);

export interface SamplerOptions {
  samplingIntervalMicros: number;
  cpu: boolean;
  heap: boolean;
  heapSamplingIntervalBytes: number;
  heapStackDepth: number;
}

const nowNanos = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** Names of the synthetic leaves the wall profiler adds for runtime activity. */
export interface RuntimeLeaves {
  nonJsThreads: string;
  garbageCollection: string;
}

export class Sampler implements ContextSink {
  private pprof: PprofModule | undefined;
  private state: Uint32Array | undefined;
  private sampleCountIndex = 0;
  private windowStart = 0n;
  private heapStarted = false;

  constructor(private readonly options: SamplerOptions) {}

  /** Starts the samplers. Throws if the addon cannot load or a profiler is already running. */
  start(): void {
    const pprof = require('@datadog/pprof') as PprofModule;
    if (pprof.time.isStarted()) throw new Error('the @datadog/pprof wall profiler is already running in this thread');
    pprof.time.start({
      intervalMicros: this.options.samplingIntervalMicros,
      withContexts: true,
      collectCpuTime: this.options.cpu,
      lineNumbers: false,
      workaroundV8Bug: true,
      // AsyncContextFrame needs Node >= 22.7 with a flag or >= 24; the holder approach of
      // context.ts works everywhere.
      useCPED: false,
    });
    this.pprof = pprof;
    this.sampleCountIndex = Number(pprof.time.constants.kSampleCount);
    this.state = pprof.time.getState() as Uint32Array;
    this.windowStart = nowNanos();
    if (this.options.heap) {
      try {
        pprof.heap.start(this.options.heapSamplingIntervalBytes, this.options.heapStackDepth);
        this.heapStarted = true;
      } catch {
        // Someone else runs the heap sampler with other settings: go on without heap profiles.
        this.heapStarted = false;
      }
    }
  }

  get running(): boolean {
    return this.pprof !== undefined;
  }

  get heapRunning(): boolean {
    return this.heapStarted;
  }

  runtimeLeaves(): RuntimeLeaves {
    const c = this.pprof?.time.constants;
    return {
      nonJsThreads: c?.NON_JS_THREADS_FUNCTION_NAME ?? 'Non JS threads activity',
      garbageCollection: c?.GARBAGE_COLLECTION_FUNCTION_NAME ?? 'Garbage Collection',
    };
  }

  setContext(holder: SampleContext): void {
    this.pprof?.time.setContext(holder);
  }

  sampleCount(): number {
    return this.state === undefined ? 0 : this.state[this.sampleCountIndex]!;
  }

  /**
   * Ends the current window and returns its profiles. With `restart` the wall profiler goes
   * on into a new window (the caller must then re-install its context holder); without, all
   * samplers stop.
   */
  cut(restart: boolean): PprofWindow[] {
    const pprof = this.pprof;
    if (pprof === undefined) return [];
    const windows: PprofWindow[] = [];
    const start = this.windowStart;
    const end = nowNanos();

    // Labels are computed once per span and cut: many samples share a span.
    const cache = new Map<TrackedSpan, LabelSet>();
    const generateLabels = ({ context }: GenerateTimeLabelsArgs): LabelSet => {
      const t = (context?.context as SampleContext | undefined)?.ref;
      if (t === undefined) return {};
      let labels = cache.get(t);
      if (labels === undefined) cache.set(t, (labels = spanLabels(t)));
      return labels;
    };
    const wall: PprofProfile = pprof.time.stop(restart, generateLabels);
    this.windowStart = end;
    windows.push({ profile: wall, startUnixNano: start, durationNano: end - start, types: ['sample', 'wall', 'cpu'] });

    if (this.heapStarted) {
      try {
        windows.push({ profile: pprof.heap.profile(), startUnixNano: end, durationNano: 0n, types: ['inuse_space', 'inuse_objects'] });
      } catch {
        // heap.profile() throws only when the sampler is not running; nothing to add.
      }
    }
    if (!restart) this.stop();
    else this.state = pprof.time.getState() as Uint32Array;
    return windows;
  }

  /** Stops every sampler without collecting. Idempotent. */
  stop(): void {
    const pprof = this.pprof;
    if (pprof === undefined) return;
    this.pprof = undefined;
    this.state = undefined;
    if (pprof.time.isStarted()) pprof.time.stop(false);
    if (this.heapStarted) {
      pprof.heap.stop();
      this.heapStarted = false;
    }
  }
}
