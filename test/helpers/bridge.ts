// Starts a real Bridge from YAML on ephemeral loopback ports; stops it after the test.
import pino from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import { Bridge } from '../../src/service/bridge.js';
import type { FactoryRegistry } from '../../src/components.js';
import { factoriesWithSink, type SinkExporter } from './sink.js';

export interface RunningBridge {
  bridge: Bridge;
  /** host:port of the OTLP gRPC receiver `otlp`, when started. */
  grpc: string;
  /** http://host:port of the OTLP HTTP receiver `otlp`, when started. */
  http: string;
  sinks: Map<string, SinkExporter>;
  stop(): Promise<void>;
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

export async function startBridge(yaml: string = SINK_CONFIG, factories?: FactoryRegistry): Promise<RunningBridge> {
  const withSink = factoriesWithSink();
  const config = parseConfigText(yaml, process.env, 'test config');
  const level = process.env.OPB_TEST_LOG ?? 'silent';
  const bridge = Bridge.create(config, { factories: factories ?? withSink.factories, logger: pino({ level }) });
  await bridge.start();
  const ep = bridge.endpoints()['receivers.otlp'] ?? {};
  return {
    bridge,
    grpc: ep.grpc ?? '',
    http: ep.http ? `http://${ep.http}` : '',
    sinks: withSink.sinks,
    stop: () => bridge.shutdown(),
  };
}
