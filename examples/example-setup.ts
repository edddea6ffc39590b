// What the example runner starts, kept apart from the runner so it can be read (and reused)
// without starting anything.
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG_YAML } from '../src/config/default-config.js';
import { validate } from '../src/config/load.js';
import { bridgeConfigSchema, type BridgeConfig } from '../src/config/schema.js';

/** The example service's slow route, as its server span names the trace endpoint. */
export const SLOW_ENDPOINT = 'GET /slow/:id';
/** The function its profiles must show. */
export const HOT_FUNCTION = 'computeFibonacciSlowly';

/** The embedded default with the store in `dataDir` (and every port 0 when `ephemeral`). */
export function exampleConfig(dataDir: string, ephemeral: boolean): BridgeConfig {
  const raw = parseYaml(DEFAULT_CONFIG_YAML) as {
    receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
    exporters: { store: { directory: string } };
    extensions: { api: { endpoint: string } };
  };
  raw.exporters.store.directory = dataDir;
  if (ephemeral) {
    raw.receivers.otlp.protocols.grpc.endpoint = '127.0.0.1:0';
    raw.receivers.otlp.protocols.http.endpoint = '127.0.0.1:0';
    raw.extensions.api.endpoint = '127.0.0.1:0';
  }
  return validate(bridgeConfigSchema, raw, 'example config');
}

/** The UI page with the hotspots of the slow endpoint. */
export function hotspotsUrl(apiBase: string): string {
  const q = new URLSearchParams({ type: 'cpu', endpoint: SLOW_ENDPOINT, from: 'now-15m' });
  return `${apiBase}/#/hotspots?${q.toString()}`;
}
