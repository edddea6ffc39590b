// Starts a real Bridge from YAML on ephemeral loopback ports (stopped by the test), and the
// OTLP/HTTP client calls and metric reads the tests make against it.
import type { Logger } from 'pino';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { parseConfigText } from '../../src/config/load.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/encode.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import { Bridge } from '../../src/service/bridge.js';
import type { FactoryRegistry } from '../../src/components.js';
import { factoriesWithSink, type SinkExporter } from './sink.js';

export interface RunningBridge {
  bridge: Bridge;
  /** The bridge's metrics registry. */
  metrics: Registry;
  /** host:port of the OTLP gRPC receiver `otlp`, when started. */
  grpc: string;
  /** http://host:port of the OTLP HTTP receiver `otlp`, when started. */
  http: string;
  /** The `sink` exporters by id (with the default factories). */
  sinks: Map<string, SinkExporter>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Component types; default: the built-in ones plus `sink` (test/helpers/sink.ts). */
  factories?: FactoryRegistry;
  /** Default: silent, or the level in OPB_TEST_LOG. */
  logger?: Logger;
}

/** The usual test pipeline: OTLP on both transports into one `sink`. */
export const SINK_CONFIG = `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
exporters:
  sink: {}
service:
  telemetry: { logs: { level: silent } }
  pipelines:
    traces: { receivers: [otlp], exporters: [sink] }
    profiles: { receivers: [otlp], exporters: [sink] }
`;

/** A receiver section on ephemeral loopback ports, HTTP only. */
export const RECEIVER_YAML = `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
`;

export async function startBridge(yaml: string = SINK_CONFIG, options: StartOptions = {}): Promise<RunningBridge> {
  const withSink = factoriesWithSink();
  const config = parseConfigText(yaml, process.env, 'test config');
  const logger = options.logger ?? pino({ level: process.env.OPB_TEST_LOG ?? 'silent' });
  const bridge = Bridge.create(config, { factories: options.factories ?? withSink.factories, logger, env: process.env });
  await bridge.start();
  const ep = bridge.endpoints()['receivers.otlp'] ?? {};
  return {
    bridge,
    metrics: bridge.metrics,
    grpc: ep.grpc ?? '',
    http: ep.http ? `http://${ep.http}` : '',
    sinks: withSink.sinks,
    stop: () => bridge.shutdown(),
  };
}

/** POSTs a profiles request to an OTLP/HTTP receiver; returns the status. */
export async function postProfiles(base: string, req: ExportProfilesServiceRequest): Promise<number> {
  const res = await fetch(`${base}/v1development/profiles`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf' },
    body: encodeProfilesRequest(req),
  });
  await res.arrayBuffer();
  return res.status;
}

/** POSTs a traces request to an OTLP/HTTP receiver; returns the status. */
export async function postTraces(base: string, req: ExportTraceServiceRequest): Promise<number> {
  const res = await fetch(`${base}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf' },
    body: encodeTracesRequest(req),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A counter's / gauge's value for the given labels (0 when the series does not exist). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const data = await m.get();
  let total = 0;
  for (const v of data.values) {
    if (Object.entries(labels).every(([k, x]) => String((v.labels as Record<string, unknown>)[k]) === x)) total += v.value;
  }
  return total;
}
