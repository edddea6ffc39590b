// Requests per endpoint, from the spans the exporter sees on a traces pipeline, for the
// upload event's `endpoint_counts`. Datadog divides profile values by these counts to show
// per-request figures, so they must count requests, as dd-trace does: it counts each
// finished outermost web-server span once, under its endpoint, in the window it finished in.
//
// Here a request is a local root span (no parent, or a parent flagged remote), counted under
// its endpoint (`METHOD route` for an HTTP server span, else its name, as the join names
// endpoints) at its end time. Tallies are kept per service (named as profiles are, so they
// meet) and, when the resource has one, per service.instance.id, for RETENTION_MS before the
// latest end time seen (data time, not the clock: replayed or skewed data counts the same),
// at most MAX_ENTRIES end times in all (the oldest go first). Pure.
import { SpanFlags, type ExportTraceServiceRequest, type Span } from '../../otlp/model.js';
import { stringAttribute } from '../../otlp/build.js';
import { isZeroId } from '../../otlp/ids.js';
import { endpointOf } from '../../join/span-index.js';
import { resourceServiceName } from '../../pprof/service-name.js';

/** How long end times are kept: uploads are built when their window's profiles arrive. */
export const RETENTION_MS = 15 * 60_000;
export const MAX_ENTRIES = 500_000;

const REMOTE_PARENT = SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK | SpanFlags.CONTEXT_IS_REMOTE_MASK;

/** True for a span that starts a request in its process. */
export function isLocalRoot(span: Pick<Span, 'parentSpanId' | 'flags'>): boolean {
  return span.parentSpanId.length === 0 || isZeroId(span.parentSpanId) || (span.flags & REMOTE_PARENT) === REMOTE_PARENT;
}

interface Entry {
  endMs: number;
  endpoint: string;
}

export class EndpointTally {
  /** Tally key -> end times in arrival order. */
  private readonly byKey = new Map<string, Entry[]>();
  private entries = 0;
  private spansSeen = false;
  private latestEndMs = 0;
  private lastPruneMs = -Infinity;

  /** True once any local root span has been recorded. */
  get sawSpans(): boolean {
    return this.spansSeen;
  }

  record(req: ExportTraceServiceRequest): number {
    let n = 0;
    for (const rs of req.resourceSpans) {
      const attrs = rs.resource?.attributes;
      const service = resourceServiceName(attrs);
      const instance = stringAttribute(attrs, 'service.instance.id');
      const keys = instance ? [service, keyOf(service, instance)] : [service];
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          if (!isLocalRoot(span)) continue;
          const e: Entry = { endMs: Number(span.endTimeUnixNano / 1_000_000n), endpoint: endpointOf(span) };
          if (e.endMs > this.latestEndMs) this.latestEndMs = e.endMs;
          for (const k of keys) this.push(k, e);
          n++;
        }
      }
    }
    if (n > 0) this.spansSeen = true;
    this.prune();
    return n;
  }

  /**
   * Requests per endpoint that ended in [startNanos, endNanos) for the series: its
   * service.instance.id's tally when there is one, else the service's. Undefined when no span
   * of the service was recorded (the caller then falls back to what the samples show).
   */
  counts(seriesLabels: Record<string, string>, startNanos: bigint, endNanos: bigint): Record<string, number> | undefined {
    const service = seriesLabels['service.name'] ?? '';
    const instance = seriesLabels['service.instance.id'];
    const list = (instance ? this.byKey.get(keyOf(service, instance)) : undefined) ?? this.byKey.get(service);
    if (list === undefined) return undefined;
    const from = Number(startNanos / 1_000_000n);
    const to = Number(endNanos / 1_000_000n);
    const out: Record<string, number> = {};
    for (const e of list) if (e.endMs >= from && e.endMs < to) out[e.endpoint] = (out[e.endpoint] ?? 0) + 1;
    return out;
  }

  private push(key: string, e: Entry): void {
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push(e);
    this.entries++;
  }

  /** Drops end times older than the retention, then the oldest while over MAX_ENTRIES. */
  private prune(): void {
    const now = this.latestEndMs;
    // A full pass at most every few seconds of data time (or when over the bound), not per request.
    if (now - this.lastPruneMs < 5_000 && this.entries <= MAX_ENTRIES) return;
    this.lastPruneMs = now;
    const cutoff = now - RETENTION_MS;
    for (const [k, list] of this.byKey) {
      const keep = list.filter((e) => e.endMs >= cutoff);
      if (keep.length !== list.length) {
        this.entries -= list.length - keep.length;
        if (keep.length === 0) this.byKey.delete(k);
        else this.byKey.set(k, keep);
      }
    }
    while (this.entries > MAX_ENTRIES) {
      // Arrival order is close to end-time order; trim the longest list from its front.
      let longest: [string, Entry[]] | undefined;
      for (const kv of this.byKey) if (!longest || kv[1].length > longest[1].length) longest = kv;
      const [k, list] = longest!;
      const drop = Math.min(list.length, this.entries - MAX_ENTRIES);
      list.splice(0, drop);
      this.entries -= drop;
      if (list.length === 0) this.byKey.delete(k);
    }
  }
}

function keyOf(service: string, instance: string): string {
  return `${service}\u0000${instance}`;
}
