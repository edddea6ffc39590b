// A real Bridge built from YAML with a logger and a metrics registry the test can read, and
// an OTLP/HTTP client that sends profiles requests to its receiver.
import type { Logger } from 'pino';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfigText } from '../../../src/config/load.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../../../src/otlp/encode.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../../src/otlp/model.js';
import { Bridge } from '../../../src/service/bridge.js';

export interface TestBridge {
  bridge: Bridge;
  metrics: Registry;
  /** http://host:port of the OTLP HTTP receiver `otlp`. */
  http: string;
  stop(): Promise<void>;
}

export async function runBridge(yaml: string, logger: Logger = pino({ level: process.env.OPB_TEST_LOG ?? 'silent' })): Promise<TestBridge> {
  const metrics = new Registry();
  const bridge = Bridge.create(parseConfigText(yaml, process.env, 'test config'), { logger, metrics });
  await bridge.start();
  const ep = bridge.endpoints()['receivers.otlp'] ?? {};
  return { bridge, metrics, http: ep.http ? `http://${ep.http}` : '', stop: () => bridge.shutdown() };
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

/** A receiver section on ephemeral loopback ports, HTTP only. */
export const RECEIVER_YAML = `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
`;

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
