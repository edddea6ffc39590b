// What the span index knows of one span: the join's view of it, shared by the index and the
// batched lookups (span-batch.ts) without either importing the other.
export interface SpanContext {
  /** 16 hex chars. */
  spanId: string;
  /** 32 hex chars. */
  traceId: string;
  /** 16 hex chars, or '' for a span without a parent. */
  parentSpanId: string;
  name: string;
  /** The resource's `service.name` (`unknown_service` when absent). */
  service: string;
  startUnixNano: bigint;
  endUnixNano: bigint;
  /** The span's outermost ancestor within the same service (the span itself when it is a local root). */
  localRootSpanId: string;
  /** The local root's endpoint: `METHOD route` for an HTTP server span, else its name. */
  traceEndpoint: string;
  /**
   * '' when the local root is certain. Otherwise the id of the parent the walk towards the
   * local root could not find: `localRootSpanId` / `traceEndpoint` are then the outermost
   * ancestor known so far. A local root ends — and is exported — after its children, so a
   * later lookup, once that parent has arrived, can give the true local root.
   */
  missingAncestorId: string;
}
