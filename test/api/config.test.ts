// The api extension's wiring: it serves a store exporter named in its config, and says so
// clearly when that id is missing or names something else; the embedded default sends both
// signals to the store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { ConfigError } from '../../src/errors.js';
import { Bridge } from '../../src/service/bridge.js';
import { isStoreExporter } from '../../src/store/exporter.js';

const silent = pino({ level: 'silent' });

function build(yaml: string): Bridge {
  return Bridge.create(parseConfigText(yaml, {}, 'test config'), { logger: silent });
}

const base = (exporters: string, apiStore: string) => `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
exporters:
${exporters}
extensions:
  api: { endpoint: 127.0.0.1:0, store: ${apiStore} }
service:
  extensions: [api]
  telemetry: { logs: { level: silent } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [${exporters.trim().split(':')[0]}] }
`;

describe('api extension config', () => {
  it('refuses a store id that is not configured', () => {
    assert.throws(
      () => build(base('  store/main: { directory: ./never-created }', 'store')),
      (e: unknown) => e instanceof ConfigError && /extensions\.api/.test(e.message) && /store/.test(e.message),
    );
  });

  it('refuses an exporter that is not a store', () => {
    assert.throws(
      () => build(base('  file: { directory: ./never-created }', 'file')),
      (e: unknown) => e instanceof ConfigError && /not a store exporter/.test(e.message),
    );
  });

  it('rejects bad store settings naming the key', () => {
    assert.throws(
      () => build(base('  store: { retention: { max_age: forever } }', 'store')),
      (e: unknown) => e instanceof ConfigError && /max_age/.test(e.message),
    );
  });

  it('runs the embedded default with spans and profiles both going to the store', () => {
    const config = parseConfigText(DEFAULT_CONFIG_YAML, {}, 'default');
    assert.deepEqual(config.service.pipelines.traces!.exporters, ['store']);
    assert.deepEqual(config.service.pipelines.profiles!.exporters, ['store']);
    const bridge = build(DEFAULT_CONFIG_YAML);
    const store = bridge.component('exporter', 'store');
    assert.ok(isStoreExporter(store));
    assert.equal(typeof store.consumeTraces, 'function');
    assert.equal(typeof store.consumeProfiles, 'function');
    assert.ok(bridge.component('extension', 'api'));
  });
});
