// Config: defaults, ${env:...} expansion, and errors that name the key and what to write.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, loadConfigFile } from '../../src/config/load.js';
import { parseByteSize, parseDuration } from '../../src/config/units.js';
import { Bridge } from '../../src/service/bridge.js';
import { ConfigError } from '../../src/errors.js';
import { factoriesWithSink } from '../helpers/sink.js';
import pino from 'pino';

const silent = pino({ level: 'silent' });

function bridgeError(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    Bridge.create(parseConfigText(yaml, env), { logger: silent, factories: factoriesWithSink().factories });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_CONFIG');
    return e;
  }
  assert.fail('config was accepted');
}

describe('config', () => {
  it('parses durations and sizes as users write them', () => {
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration(42), 42);
    assert.equal(parseDuration('ten seconds'), undefined);
    assert.equal(parseByteSize('64MiB'), 64 * 2 ** 20);
    assert.equal(parseByteSize('1.5 KB'), 1500);
    assert.equal(parseByteSize(1024), 1024);
    assert.equal(parseByteSize('12 parsecs'), undefined);
  });

  it('the embedded default validates', () => {
    const { config, source } = loadConfigFile(undefined, {});
    assert.equal(source, 'embedded default');
    assert.deepEqual(config.service.pipelines.profiles!.receivers, ['otlp']);
  });

  it('expands ${env:NAME} with defaults', () => {
    const c = parseConfigText(
      `receivers: { otlp: { protocols: { http: { endpoint: "\${env:HOST}:\${env:PORT:-4318}" } } } }
service: { pipelines: { traces: { receivers: [otlp] } } }`,
      { HOST: '10.0.0.1' },
    );
    assert.deepEqual(c.receivers.otlp, { protocols: { http: { endpoint: '10.0.0.1:4318' } } });
  });

  it('names the key of an unknown top-level section', () => {
    assert.throws(
      () => parseConfigText('recievers: {}\nservice: { pipelines: {} }', {}),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /recievers/);
        return true;
      },
    );
  });

  it('names the pipeline and the missing component', () => {
    const e = bridgeError(`receivers: { otlp: {} }
service: { pipelines: { profiles: { receivers: [otlp], exporters: [file/archive] } } }`);
    assert.match(e.message, /service\.pipelines\.profiles\.exporters: "file\/archive" is not configured; add it under exporters/);
  });

  it('names an unknown component type and lists the known ones', () => {
    const e = bridgeError(`receivers: { otlp: {} }
exporters: { nosuch: {} }
service: { pipelines: { profiles: { receivers: [otlp], exporters: [nosuch] } } }`);
    assert.match(e.message, /exporters\.nosuch: unknown exporter type "nosuch"; known types: .*sink/);
  });

  it('names a bad value inside a component with what to write', () => {
    const e = bridgeError(`receivers: { otlp: { protocols: { grpc: { endpoint: "localhost", max_recv_msg_size: "lots" } } } }
service: { pipelines: { traces: { receivers: [otlp] } } }`);
    assert.match(e.message, /receivers\.otlp\.protocols\.grpc\.endpoint: expected host:port/);
    assert.match(e.message, /max_recv_msg_size: "lots" is not a size/);
  });

  it('refuses a pipeline name that is not a signal', () => {
    assert.throws(() => parseConfigText('service: { pipelines: { logs: { receivers: [otlp] } } }', {}), /pipeline names are `traces`, `profiles`/);
  });

  it('refuses an exporter in a pipeline of a signal it cannot take', async () => {
    const { factories } = factoriesWithSink();
    factories.exporters.tracesonly = {
      type: 'tracesonly',
      configSchema: factories.exporters.sink!.configSchema,
      create: () => ({ consumeTraces: async () => ({ rejected: 0 }) }),
    };
    assert.throws(
      () =>
        Bridge.create(
          parseConfigText(`receivers: { otlp: {} }
exporters: { tracesonly: {} }
service: { pipelines: { profiles: { receivers: [otlp], exporters: [tracesonly] } } }`),
          { logger: silent, factories },
        ),
      /service\.pipelines\.profiles\.exporters: "tracesonly" cannot export profiles/,
    );
  });
});
