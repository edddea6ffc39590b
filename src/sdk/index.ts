// otel-profile-bridge/sdk: the in-process profiler for the OpenTelemetry JS SDK. See docs/sdk.md.
export { ProfilingSpanProcessor, startProfiling, SCOPE_NAME, type ProfilingStats } from './processor.js';
export type { ProfilingOptions, ResolvedOptions, ProfilesProtocol, Compression, ResourceLike, ResourceAttributeValue, Env } from './options.js';
export type { ExportStats } from './exporter.js';
export { traceEndpoint } from './spans.js';
