// Which spans the profiler knows, and what a sample taken under one of them says about it.
// A tracked span keeps a reference to the SDK span object, not a copy of its fields: the
// HTTP route is usually set on the server span after it started (by the instrumentation
// once routing is done, or by the app), so the name and the endpoint are read when the
// profile is cut, not when the span starts.
import { trace, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR } from '../join/attributes.js';

/** The part of a span the profiler reads; the SDK's Span satisfies it. */
export type SpanView = Pick<ReadableSpan, 'name' | 'attributes'>;

export interface TrackedSpan {
  readonly span: SpanView;
  /** 32 lowercase hex chars. */
  readonly traceId: string;
  /** 16 lowercase hex chars. */
  readonly spanId: string;
  /** The first span of this trace in this process (itself for a local root). */
  readonly root: TrackedSpan;
}

/**
 * Remembers every span started through the processor, keyed by the span object itself (what
 * the context holds), and finds its local root. Weakly held: a span nobody references any
 * more is forgotten with it.
 */
export class SpanTracker {
  private readonly spans = new WeakMap<object, TrackedSpan>();

  /** Records `span`, started under `parentContext`. */
  track(span: ReadableSpan, parentContext: Context): TrackedSpan {
    const sc = span.spanContext();
    let root: TrackedSpan | undefined;
    const parent = trace.getSpan(parentContext);
    if (parent !== undefined) {
      const psc = parent.spanContext();
      // A remote parent lives in another process: this span is then a local root.
      if (!psc.isRemote && psc.traceId === sc.traceId) root = this.spans.get(parent)?.root;
    }
    const tracked: { -readonly [K in keyof TrackedSpan]: TrackedSpan[K] } = {
      span,
      traceId: sc.traceId,
      spanId: sc.spanId,
      root: undefined as unknown as TrackedSpan,
    };
    tracked.root = root ?? tracked;
    this.spans.set(span, tracked);
    return tracked;
  }

  /** The tracked span for a span object from a context (undefined for spans not started here). */
  get(span: object | undefined): TrackedSpan | undefined {
    return span === undefined ? undefined : this.spans.get(span);
  }
}

/**
 * The trace endpoint of a local root span: `METHOD route` when the span has an HTTP route
 * (`http.request.method`, or the older `http.method`), the route alone without a method,
 * else the span name.
 */
export function traceEndpoint(name: string, attributes: Attributes): string {
  const route = attributes['http.route'];
  if (typeof route === 'string' && route !== '') {
    const method = attributes['http.request.method'] ?? attributes['http.method'];
    return typeof method === 'string' && method !== '' ? `${method} ${route}` : route;
  }
  return name;
}

/** Sample label keys the SDK's own pprof carries between the sampler and the OTLP conversion. */
export const SAMPLE_LABELS = {
  traceId: 'trace_id',
  spanId: 'span_id',
  spanName: SPAN_NAME_ATTR,
  localRootSpanId: LOCAL_ROOT_SPAN_ID_ATTR,
  traceEndpoint: TRACE_ENDPOINT_ATTR,
} as const;

/** The labels of a sample taken under `t`, read now (so late attributes such as the route count). */
export function spanLabels(t: TrackedSpan): Record<string, string> {
  const labels: Record<string, string> = {
    [SAMPLE_LABELS.traceId]: t.traceId,
    [SAMPLE_LABELS.spanId]: t.spanId,
    [SAMPLE_LABELS.localRootSpanId]: t.root.spanId,
  };
  if (t.span.name) labels[SAMPLE_LABELS.spanName] = t.span.name;
  const endpoint = traceEndpoint(t.root.span.name, t.root.span.attributes);
  if (endpoint) labels[SAMPLE_LABELS.traceEndpoint] = endpoint;
  return labels;
}
