// OTLP spans -> the rows the store keeps for "slow spans" and for finding a span's
// descendants. Pure. The local root and endpoint are resolved within the request where
// possible; the writer finishes the job against spans already stored (children usually
// arrive before their parents, because a span is exported when it ends).
import type { ExportTraceServiceRequest } from '../../otlp/model.js';
import { SpanFlags } from '../../otlp/model.js';
import { hexOf, isZeroId } from '../../otlp/ids.js';
import { endpointOf } from '../../join/span-index.js';
import { resourceServiceName } from '../../pprof/service-name.js';

export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** '' for a span without a parent. */
  parentSpanId: string;
  name: string;
  service: string;
  /** The span's own endpoint (`METHOD route` for an HTTP server span, else its name). */
  ownEndpoint: string;
  /** The local root's endpoint, as far as known. */
  endpoint: string;
  /** The local root's span id, as far as known. */
  localRootSpanId: string;
  /** True when the local root above is certain (the walk reached a span with no local parent). */
  rootKnown: boolean;
  /** The span has no parent, or its parent is in another process (remote). */
  isLocalRoot: boolean;
  startUs: number;
  endUs: number;
}

const REMOTE_PARENT = SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK | SpanFlags.CONTEXT_IS_REMOTE_MASK;

export function spanRecords(req: ExportTraceServiceRequest): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const rs of req.resourceSpans) {
    // Named as profiles are (semantic conventions), so a span's service matches its profiles'.
    const service = resourceServiceName(rs.resource?.attributes);
    const first = out.length;
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        if (span.spanId.length !== 8 || span.traceId.length !== 16 || isZeroId(span.spanId) || isZeroId(span.traceId)) continue;
        const parent = span.parentSpanId.length === 8 && !isZeroId(span.parentSpanId) ? hexOf(span.parentSpanId) : '';
        const isLocalRoot = parent === '' || (span.flags & REMOTE_PARENT) === REMOTE_PARENT;
        const spanId = hexOf(span.spanId);
        const own = endpointOf(span);
        out.push({
          traceId: hexOf(span.traceId),
          spanId,
          parentSpanId: parent,
          name: span.name,
          service,
          ownEndpoint: own,
          endpoint: own,
          localRootSpanId: spanId,
          rootKnown: isLocalRoot,
          isLocalRoot,
          startUs: Number(span.startTimeUnixNano / 1000n),
          endUs: Number(span.endTimeUnixNano / 1000n),
        });
      }
    }
    // Walk towards the local root within this resource (same service, same process).
    const byId = new Map<string, SpanRecord>();
    for (let i = first; i < out.length; i++) byId.set(out[i]!.spanId, out[i]!);
    for (let i = first; i < out.length; i++) {
      const r = out[i]!;
      let cur = r;
      for (let depth = 0; depth < 256 && !cur.isLocalRoot; depth++) {
        const up = byId.get(cur.parentSpanId);
        if (!up || up === r) break;
        cur = up;
      }
      r.localRootSpanId = cur.spanId;
      r.endpoint = cur.ownEndpoint;
      r.rootKnown = cur.isLocalRoot;
    }
  }
  return out;
}
