// Sample attribute keys the join processor adds to each linked sample. They travel inside
// OTLP (so an onward OTLP exporter keeps them) and the pprof converter turns them into the
// label names each backend expects (see src/pprof/labels.ts).

/** Name of the span the sample ran under. -> pprof `span_name` (Pyroscope). */
export const SPAN_NAME_ATTR = 'span.name';
/** 16 lowercase hex chars of the local root span id. -> pprof `local root span id` (decimal, Datadog). */
export const LOCAL_ROOT_SPAN_ID_ATTR = 'local_root_span.id';
/** The local root span's resource, e.g. `GET /users/:id`. -> pprof `trace endpoint` (Datadog). */
export const TRACE_ENDPOINT_ATTR = 'trace.endpoint';

/**
 * Attribute keys a profiler may use to carry span identity on a sample instead of a Link
 * (hex ids, or decimal for the Datadog-style keys). The linker falls back to these.
 */
export const SPAN_ID_ATTR_KEYS = ['span_id', 'span.id', 'span id'] as const;
export const TRACE_ID_ATTR_KEYS = ['trace_id', 'trace.id'] as const;
