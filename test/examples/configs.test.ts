// Every example bridge config must load with the real loader and build with Bridge.create
// (validating every component's config and the pipeline graph) — so the examples can't rot.
// Nothing is started: no ports, no files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfigFile } from '../../src/config/load.js';
import { typeOf } from '../../src/config/schema.js';
import { Bridge } from '../../src/service/bridge.js';
import { defaultFactories } from '../../src/components.js';
import { isBridgeError } from '../../src/errors.js';
import { splitHostPort } from '../../src/config/units.js';
import { isLoopbackHost } from '../../src/security/exposure.js';
import { listenersOf } from '../helpers/listeners.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const configDir = join(root, 'examples', 'config');
const files = readdirSync(configDir)
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();
const logger = pino({ level: 'silent' });
/** What a user would export before running the examples that need secrets. */
const env = {
  DD_API_KEY: 'example-key',
  PYROSCOPE_TOKEN: 'example-token',
  BRIDGE_TOKEN: 'otlp-token-0123456789abcdef',
  BRIDGE_API_TOKEN: 'api-token-0123456789abcdef',
};

/** The exporters each example is about; a renamed or emptied example fails here. */
const EXPECTED: Record<string, string[]> = {
  'file.yaml': ['file'],
  'pyroscope-ingest.yaml': ['pyroscope'],
  'pyroscope-push.yaml': ['pyroscope'],
  'datadog-agent.yaml': ['datadog'],
  'datadog-agentless.yaml': ['datadog'],
  'otlp-forward.yaml': ['otlp', 'otlp/http'],
  'parca.yaml': ['parca'],
  'sidecar.yaml': ['store', 'file/archive', 'pyroscope'],
  'capture.yaml': ['file/capture'],
};

/** Examples that keep requests as they arrived, so they have no join on purpose. */
const UNJOINED = new Set(['capture.yaml']);

test('the expected example configs exist', () => {
  assert.deepEqual(files, Object.keys(EXPECTED).sort());
});

for (const file of files) {
  test(`examples/config/${file} loads and builds`, () => {
    const { config } = loadConfigFile(join(configDir, file), env);
    const bridge = Bridge.create(config, { logger, env });
    const exporters = new Set(Object.values(config.service.pipelines).flatMap((p) => p.exporters));
    for (const id of EXPECTED[file] ?? []) {
      assert.ok(exporters.has(id), `${file}: no pipeline exports to ${id}`);
      assert.ok(bridge.component('exporter', id), `${file}: exporter ${id} was not built`);
    }
    // Every example joins profile samples to spans: that is the point of the bridge.
    if (UNJOINED.has(file)) return;
    assert.ok(bridge.component('processor', 'join'), `${file}: no join processor`);
    assert.ok(config.service.pipelines.traces?.processors.includes('join'), `${file}: spans don't reach the join`);
  });
}

test('the specific settings of the examples are what their comments say', () => {
  const load = (f: string) => loadConfigFile(join(configDir, f), env).config;
  assert.equal((load('pyroscope-push.yaml').exporters.pyroscope as { protocol: string }).protocol, 'push');
  assert.equal((load('capture.yaml').exporters['file/capture'] as { format: string }).format, 'otlp');
  assert.equal((load('pyroscope-ingest.yaml').exporters.pyroscope as { protocol: string }).protocol, 'ingest');
  assert.ok('site' in (load('datadog-agentless.yaml').exporters.datadog as object));
  assert.ok('endpoint' in (load('datadog-agent.yaml').exporters.datadog as object));
  const sidecar = load('sidecar.yaml');
  const protocols = (sidecar.receivers.otlp as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } }).protocols;
  assert.match(protocols.grpc.endpoint, /^0\.0\.0\.0:/);
  assert.match(protocols.http.endpoint, /^0\.0\.0\.0:/);
  assert.deepEqual(sidecar.service.extensions, ['api']);
});

test('every example that listens beyond loopback requires credentials from the environment', () => {
  for (const file of files) {
    for (const l of listenersOf(loadConfigFile(join(configDir, file), env).config)) {
      if (isLoopbackHost(splitHostPort(l.endpoint).host)) continue;
      assert.ok(l.authenticated && !l.optOut, `${file}: ${l.where} listens on ${l.endpoint} without auth`);
      assert.ok(
        l.tokens.every((t) => t === env.BRIDGE_TOKEN || t === env.BRIDGE_API_TOKEN),
        `${file}: ${l.where}: token not from the environment`,
      );
    }
  }
  const where = listenersOf(loadConfigFile(join(configDir, 'sidecar.yaml'), env).config)
    .map((l) => l.where)
    .sort();
  assert.deepEqual(where, ['extensions.api', 'receivers.otlp.protocols.grpc', 'receivers.otlp.protocols.http']);
});

test('every exporter type has an example', () => {
  const used = new Set(files.flatMap((f) => Object.keys(loadConfigFile(join(configDir, f), env).config.exporters).map(typeOf)));
  for (const type of Object.keys(defaultFactories().exporters))
    assert.ok(used.has(type), `no example under examples/config uses the ${type} exporter`);
});

test('agentless Datadog without an API key is refused with a message naming it', () => {
  const { config } = loadConfigFile(join(configDir, 'datadog-agentless.yaml'), {});
  assert.throws(
    () => Bridge.create(config, { logger }),
    (e: unknown) => isBridgeError(e) && e.code === 'ERR_CONFIG' && /api_key/.test(e.message),
  );
});
