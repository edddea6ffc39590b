// Config errors say what to write: the nearest known key, the expected type in words, the
// variable behind an empty `${env:...}`, and unknown component types wherever they appear.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import { editDistance, nearest } from '../../src/config/explain.js';
import { ConfigError } from '../../src/errors.js';
import { Bridge } from '../../src/service/bridge.js';

const silent = pino({ level: 'silent' });
const FRAME = `receivers: { otlp: { protocols: { grpc: { endpoint: 127.0.0.1:0 } } } }
service: { pipelines: { profiles: { receivers: [otlp], processors: [join], exporters: [file] } } }
`;

/** The ConfigError message the bridge gives for `yaml` (frame and component checks). */
function configError(yaml: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    Bridge.create(parseConfigText(yaml, env), { logger: silent });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('config was accepted');
}

describe('config error messages', () => {
  it('suggests the nearest known key for a typo', () => {
    const m = configError(`${FRAME}processors: { join: { hold_windw: 10s } }\nexporters: { file: { directory: /tmp/opb-x } }`);
    assert.ok(m.includes('processors.join: unknown key "hold_windw"; did you mean `hold_window`?'), m);
    assert.ok(!m.includes('Unrecognized key'), m);
  });

  it('suggests a key in the frame and nested sections too', () => {
    const m = configError(FRAME.replace('grpc:', 'grcp:') + `processors: { join: {} }\nexporters: { file: { directory: /tmp/opb-x } }`);
    assert.ok(m.includes('receivers.otlp.protocols: unknown key "grcp"; did you mean `grpc`?'), m);
    const top = configError(`recievers: {}\nservice: { pipelines: {} }`);
    assert.ok(top.includes('unknown key "recievers"; did you mean `receivers`?'), top);
  });

  it('lists the known keys when nothing is close', () => {
    const m = configError(`${FRAME}processors: { join: { colour: blue } }\nexporters: { file: { directory: /tmp/opb-x } }`);
    assert.match(m, /processors\.join: unknown key "colour"; known keys here: .*hold_window/);
  });

  it('says the expected type in words, and to drop the quotes of a quoted boolean', () => {
    const yes = configError(`${FRAME}processors: { join: {} }\nexporters: { file: { directory: /tmp/opb-x, fsync: "yes" } }`);
    assert.ok(yes.includes('exporters.file.fsync: expected true or false, got the string "yes"'), yes);
    assert.ok(!yes.includes('Invalid input'), yes);
    const quoted = configError(`${FRAME}processors: { join: {} }\nexporters: { file: { directory: /tmp/opb-x, fsync: "true" } }`);
    assert.ok(quoted.includes('expected true or false, got the string "true" (write it without quotes)'), quoted);
    const dur = configError(`${FRAME}processors: { join: { hold_window: true } }\nexporters: { file: { directory: /tmp/opb-x } }`);
    assert.ok(dur.includes('processors.join.hold_window: expected a duration such as 500ms, 10s or 1m30s, got true (a boolean)'), dur);
  });

  it('lists the allowed values of an enum, with the nearest', () => {
    const m = configError(
      FRAME.replace('service: {', 'service: { telemetry: { logs: { level: warning } },') +
        `processors: { join: {} }\nexporters: { file: { directory: /tmp/opb-x } }`,
    );
    assert.ok(
      m.includes(
        'service.telemetry.logs.level: expected one of trace, debug, info, warn, error, fatal, silent, got the string "warning"; did you mean `warn`?',
      ),
      m,
    );
  });

  it('names the variable when an ${env:...} expansion is empty', () => {
    const yaml = `${FRAME}processors: { join: { hold_window: "\${env:HOLD}" } }\nexporters: { file: { directory: /tmp/opb-x } }`;
    const m = configError(yaml, {});
    assert.ok(m.includes('processors.join.hold_window: "" is not a duration'), m);
    assert.ok(m.includes('(${env:HOLD} is not set or empty: set HOLD, or give a default as ${env:HOLD:-<value>})'), m);
    assert.ok(configError(yaml, { HOLD: '' }).includes('${env:HOLD} is not set or empty'));
    // Set, it is used; the message is about other keys only.
    assert.doesNotThrow(() =>
      Bridge.create(
        parseConfigText(yaml.replace(/exporters: \{ file: \{ directory: \/tmp\/opb-x \} \}/, 'exporters: { file: { directory: /tmp/opb-x } }'), {
          HOLD: '5s',
        }),
        { logger: silent },
      ),
    );
  });

  it('rejects an unknown component type even when no pipeline uses it', () => {
    const m = configError(
      `${FRAME}processors: { join: {} }\nexporters: { file: { directory: /tmp/opb-x }, pyroscop/prod: { endpoint: "http://p:4040" } }`,
    );
    assert.ok(
      m.includes(
        'exporters.pyroscop/prod: unknown exporter type "pyroscop"; did you mean `pyroscope/prod`? known types: datadog, file, otlp, parca, pyroscope, store',
      ),
      m,
    );
    const ext = configError(`${FRAME}processors: { join: {} }\nexporters: { file: { directory: /tmp/opb-x } }\nextensions: { apii: {} }`);
    assert.ok(ext.includes('extensions.apii: unknown extension type "apii"; did you mean `api`?'), ext);
  });

  it('guesses only close names', () => {
    assert.equal(editDistance('hold_windw', 'hold_window'), 1);
    assert.equal(editDistance('grcp', 'grpc'), 1);
    assert.equal(nearest('hold_windw', ['hold_window', 'max_spans']), 'hold_window');
    assert.equal(nearest('Hold-Window', ['hold_window']), 'hold_window');
    assert.equal(nearest('colour', ['hold_window', 'max_spans']), undefined);
    assert.equal(nearest('x', ['y']), 'y');
    assert.equal(nearest('ab', ['xy']), undefined);
  });
});
