// Starts a bridge with the embedded profiler (OTLP receiver -> join -> store, api
// extension) on ephemeral loopback ports, and talks to it over real HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/encode.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import { defaultFactories } from '../../src/components.js';
import type { Store } from '../../src/store/store.js';
import type { StoreExporter } from '../../src/store/exporter.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';

export interface Profiler {
  running: RunningBridge;
  /** http://host:port of the API. */
  api: string;
  dir: string;
  store: Store;
  stop(): Promise<void>;
}

export interface ProfilerOptions {
  queryWorkers?: number;
  uiDirectory?: string;
  topFunctions?: number;
  holdWindow?: string;
  /** YAML lines added under `extensions.api` (auth, tls, limits), indented by the caller's 4 spaces. */
  api?: string;
  /** The API serves TLS (`api` holds the tls block): `api` URLs start with https://. */
  tls?: boolean;
}

export function profilerConfig(dir: string, o: ProfilerOptions = {}): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: ${o.holdWindow ?? '200ms'} }
exporters:
  store:
    directory: ${JSON.stringify(join(dir, 'data'))}
    batch: { flush_interval: 20ms }
    query: { workers: ${o.queryWorkers ?? 1} }
    metrics: { top_functions: ${o.topFunctions ?? 3} }
extensions:
  api:
    endpoint: 127.0.0.1:0
    ui_directory: ${JSON.stringify(o.uiDirectory ?? join(dir, 'no-ui'))}
${o.api ?? ''}
service:
  extensions: [api]
  telemetry: { logs: { level: silent } }
  pipelines:
    traces: { receivers: [otlp], processors: [join], exporters: [store] }
    profiles: { receivers: [otlp], processors: [join], exporters: [store] }
`;
}

export async function startProfiler(o: ProfilerOptions = {}): Promise<Profiler> {
  const dir = mkdtempSync(join(tmpdir(), 'opb-profiler-'));
  const running = await startBridge(profilerConfig(dir, o), { factories: defaultFactories() });
  const api = `${o.tls ? 'https' : 'http'}://${running.bridge.endpoints()['extensions.api']!.http}`;
  const store = (running.bridge.component('exporter', 'store') as StoreExporter).store;
  return {
    running,
    api,
    dir,
    store,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function post(url: string, body: Uint8Array): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  const text = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${Buffer.from(text).toString()}`);
}

export function sendTraces(p: Profiler, req: ExportTraceServiceRequest): Promise<void> {
  return post(`${p.running.http}/v1/traces`, encodeTracesRequest(req));
}

export function sendProfiles(p: Profiler, req: ExportProfilesServiceRequest): Promise<void> {
  return post(`${p.running.http}/v1development/profiles`, encodeProfilesRequest(req));
}

export interface JsonReply<T = any> {
  status: number;
  body: T;
}

export async function getJson<T = any>(p: Profiler, path: string, params: Record<string, string | number | boolean> = {}): Promise<JsonReply<T>> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await fetch(`${p.api}${path}${qs ? `?${qs}` : ''}`);
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

/** Polls `check` (bounded) until it returns true; throws with `what` when it never does. */
export async function eventually(what: string, check: () => Promise<boolean>, attempts = 200, delayMs = 25): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delayMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
