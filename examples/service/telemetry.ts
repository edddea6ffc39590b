// OpenTelemetry setup of the example service: the NodeSDK with an OTLP/HTTP trace exporter and
// the profiling plugin, both pointed at the bridge (OTEL_EXPORTER_OTLP_ENDPOINT, default
// http://localhost:4318). An app outside this repository imports the plugin as
// `import { ProfilingSpanProcessor } from 'otel-profile-bridge/sdk'`.
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProfilingSpanProcessor } from '../../src/sdk/index.js';

export interface Telemetry {
  profiler: ProfilingSpanProcessor | undefined;
  shutdown(): Promise<void>;
}

export function startTelemetry(): Telemetry {
  // The bridge takes traces and profiles; don't let the SDK push metrics and logs at it.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_SERVICE_NAME ??= 'example-service';
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

  // EXAMPLE_PROFILING=off runs the same service with tracing only (the benchmark's baseline).
  const profiler = process.env.EXAMPLE_PROFILING === 'off' ? undefined : new ProfilingSpanProcessor();
  const spanProcessors: SpanProcessor[] = [new BatchSpanProcessor(new OTLPTraceExporter())];
  if (profiler) spanProcessors.unshift(profiler);

  const sdk = new NodeSDK({ spanProcessors, instrumentations: [] });
  sdk.start();
  profiler?.start();
  return {
    profiler,
    async shutdown() {
      // sdk.shutdown() shuts the profiler down too, but gives up on all processors as soon as
      // one fails (the trace exporter, when the collector is gone); let the profiler finish first.
      await profiler?.shutdown();
      await sdk.shutdown();
    },
  };
}
