// The CLI as users run it: --help, --version, and `serve` that logs its endpoints, serves,
// and exits 0 on SIGTERM after flushing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { logLevelOf } from '../../src/cli/serve.js';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('otel-profile-bridge CLI', () => {
  it("reads OTEL_LOG_LEVEL with the SDKs' level names", () => {
    assert.equal(logLevelOf('NONE'), 'silent');
    assert.equal(logLevelOf('ALL'), 'trace');
    assert.equal(logLevelOf('verbose'), 'trace');
    assert.equal(logLevelOf(' Debug '), 'debug');
    assert.equal(logLevelOf('loud'), undefined);
    assert.equal(logLevelOf(undefined), undefined);
  });

  it('prints help and version', () => {
    const h = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    assert.equal(h.status, 0);
    assert.match(h.stdout, /Usage: otel-profile-bridge \[command\]/);
    assert.match(h.stdout, /serve/);
    const v = spawnSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' });
    assert.equal(v.status, 0);
    assert.equal(v.stdout.trim(), `otel-profile-bridge ${pkg.version}`);
  });

  it('refuses a bad config with a message naming the key, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'receivers: { otlp: { protocols: { grpc: { endpoint: nowhere } } } }\nservice: { pipelines: { traces: { receivers: [otlp] } } }\n',
    );
    const r = spawnSync(process.execPath, [MAIN, 'serve', '--config', file], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /receivers\.otlp\.protocols\.grpc\.endpoint: expected host:port/);
  });

  it('serves, logs its endpoints, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-cli-'));
    const file = join(dir, 'bridge.yaml');
    writeFileSync(
      file,
      `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
service:
  pipelines:
    traces: { receivers: [otlp] }
`,
    );
    const child = spawn(process.execPath, [MAIN, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let out = '';
    const started = new Promise<Record<string, Record<string, string>>>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        for (const line of out.split('\n')) {
          if (!line.includes('otel-profile-bridge started')) continue;
          resolve((JSON.parse(line) as { endpoints: Record<string, Record<string, string>> }).endpoints);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const endpoints = await started;
    const http = endpoints['receivers.otlp']!.http!;
    assert.match(http, /^127\.0\.0\.1:\d+$/);
    const res = await fetch(`http://${http}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    assert.equal(code, 0);
    assert.match(out, /shutting down/);
    assert.match(out, /otel-profile-bridge stopped/);
  });
});
