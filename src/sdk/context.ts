// Tells the wall profiler which span is active on the thread, so each sample it takes
// carries that span. The profiler (@datadog/pprof, without AsyncContextFrame) keeps one
// "current context" object per thread and binds every sample to the object current when the
// sample was taken. We hand it a small holder `{ ref }` and keep `ref` pointing at the active
// span:
//
// - every time a callback is entered (an async_hooks `before` hook: timers, I/O, promise
//   continuations), the span of the context OpenTelemetry restores for it;
// - every time a context is made active synchronously (`context.with`, e.g. by
//   `startActiveSpan`), by wrapping the registered ContextManager's `with`.
//
// Writing `ref` is cheap; telling the native profiler about a new holder is not. So the
// holder is only replaced once the profiler has taken a sample since it was installed (a
// sample holds on to the holder, which must then not change any more); otherwise it is
// mutated in place. Same approach as Datadog's own Node.js profiler.
import { createHook, type AsyncHook } from 'node:async_hooks';
import { context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import type { SpanTracker, TrackedSpan } from './spans.js';

/** The holder a sample is bound to. */
export interface SampleContext {
  ref: TrackedSpan | undefined;
}

/** What the tracker needs from the wall profiler. */
export interface ContextSink {
  setContext(holder: SampleContext): void;
  /** Number of samples taken so far (changes whenever the profiler samples). */
  sampleCount(): number;
}

type WithFn = ContextManager['with'];

interface Wrapped {
  manager: ContextManager;
  patched: WithFn;
  /** The manager's own `with` property before patching, if it had one (usually it is on the prototype). */
  ownBefore: WithFn | undefined;
}

/** The registered global ContextManager (via the API's internal accessor, stable across 1.x). */
function registeredContextManager(): ContextManager | undefined {
  const api = context as unknown as { _getContextManager?: () => ContextManager };
  try {
    return typeof api._getContextManager === 'function' ? api._getContextManager() : undefined;
  } catch {
    return undefined;
  }
}

export class ContextTracker {
  private holder: SampleContext = { ref: undefined };
  private current: TrackedSpan | undefined;
  private lastCount = -1;
  private hook: AsyncHook | undefined;
  private wrapped: Wrapped | undefined;
  private source: { active(): Context } = context;
  private failures = 0;

  constructor(
    private readonly spans: SpanTracker,
    private readonly sink: ContextSink,
  ) {}

  /** Installs the hooks. The context manager is wrapped now if registered, else on `syncContextManager`. */
  start(): void {
    this.reset();
    // Arrow functions: they are called by Node with no useful `this`.
    // An exception thrown from an async hook kills the process: never let one out. This runs
    // on every callback entry, so no allocation here.
    const before = (): void => {
      try {
        this.enter(this.spans.get(trace.getSpan(this.source.active())));
      } catch {
        this.failures++;
      }
    };
    this.hook = createHook({ before });
    this.hook.enable();
    this.syncContextManager();
  }

  stop(): void {
    this.hook?.disable();
    this.hook = undefined;
    this.unwrap();
    this.current = undefined;
  }

  /** Hook failures swallowed so far (a bug indicator; should stay 0). */
  get hookFailures(): number {
    return this.failures;
  }

  /**
   * Wraps the registered ContextManager if it is not the one already wrapped: the SDK may
   * register its manager after profiling started. Cheap enough to call on every span start.
   */
  syncContextManager(): void {
    const manager = registeredContextManager();
    if (manager === undefined || manager === this.wrapped?.manager) return;
    this.unwrap();
    const original = manager.with;
    if (typeof original !== 'function') return;
    const ownBefore = Object.prototype.hasOwnProperty.call(manager, 'with') ? original : undefined;
    // `patched` must keep its own `this` (the context manager it is called on).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tracker = this;
    const patched = function (this: ContextManager, ctx: Context, fn: (...args: unknown[]) => unknown, thisArg?: unknown, ...args: unknown[]) {
      const previous = tracker.current;
      tracker.enterContext(ctx);
      try {
        return original.call(this, ctx, fn, thisArg, ...args);
      } finally {
        tracker.restore(previous);
      }
    } as WithFn;
    manager.with = patched;
    this.wrapped = { manager, patched, ownBefore };
    this.source = manager;
  }

  private unwrap(): void {
    const w = this.wrapped;
    if (w === undefined) return;
    this.wrapped = undefined;
    this.source = context;
    // Only undo our own patch: someone may have wrapped it again on top of ours.
    if (w.manager.with !== w.patched) return;
    if (w.ownBefore !== undefined) w.manager.with = w.ownBefore;
    else delete (w.manager as Partial<ContextManager>).with;
  }

  // The two below are `enter` for the wrapped `with`: a failure is counted, never thrown
  // into the application's `context.with`.

  private enterContext(ctx: Context): void {
    try {
      this.enter(this.spans.get(trace.getSpan(ctx)));
    } catch {
      this.failures++;
    }
  }

  private restore(span: TrackedSpan | undefined): void {
    try {
      this.enter(span);
    } catch {
      this.failures++;
    }
  }

  /** Makes `span` the context of the samples taken from now on. */
  enter(span: TrackedSpan | undefined): void {
    this.current = span;
    const count = this.sink.sampleCount();
    if (count !== this.lastCount) {
      // A sample may be bound to the current holder: leave it as it is, install a new one.
      this.lastCount = count;
      this.holder = { ref: span };
      this.sink.setContext(this.holder);
    } else {
      this.holder.ref = span;
    }
  }

  /** Installs a fresh holder (after the profiler restarted, it may not hold ours any more). */
  reset(): void {
    this.lastCount = this.sink.sampleCount();
    this.holder = { ref: this.current };
    this.sink.setContext(this.holder);
  }
}
