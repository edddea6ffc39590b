// The process guard for real: a child process installs it, then throws from a timer and
// leaves a promise rejection unhandled. It must keep running, log both, and count them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const GUARD = new URL('../../src/service/process-guard.js', import.meta.url).href;

const SCRIPT = `
import pino from 'pino';
import { Registry } from 'prom-client';
import { installProcessGuard } from ${JSON.stringify(GUARD)};
const registry = new Registry();
installProcessGuard(pino({ level: 'error' }), registry);
setTimeout(() => { throw new Error('thrown from a timer'); }, 0);
setTimeout(() => { Promise.reject(new Error('rejected, never handled')); }, 5);
setTimeout(async () => {
  process.stdout.write('STILL RUNNING\\n');
  process.stdout.write(await registry.metrics());
}, 50);
`;

describe('process guard', () => {
  it('logs and counts an uncaught exception and an unhandled rejection instead of exiting', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      cwd: new URL('../../..', import.meta.url).pathname,
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /STILL RUNNING/);
    assert.match(r.stdout, /"msg":"error escaped every handler; the bridge keeps running"/);
    assert.match(r.stdout, /thrown from a timer/);
    assert.match(r.stdout, /rejected, never handled/);
    assert.match(r.stdout, /^otel_profile_bridge_uncaught_errors_total\{kind="uncaught_exception"\} 1$/m);
    assert.match(r.stdout, /^otel_profile_bridge_uncaught_errors_total\{kind="unhandled_rejection"\} 1$/m);
  });

  it('without the guard the same script ends with an error (the test can fail)', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "setTimeout(() => { throw new Error('x'); }, 0);"], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(r.status, 0);
  });
});
