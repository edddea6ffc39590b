// Safe by default, as users run the CLI: a listener on 0.0.0.0 without authentication is
// refused at start-up (exit 2, a message saying how to turn auth on or opt out by name); with
// auth it starts; the opt-out starts with a warning. An authenticated session at debug level
// (good and bad credentials of every kind) leaves no credential anywhere in the logs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { parseConfigText } from '../../src/config/load.js';
import { splitHostPort } from '../../src/config/units.js';
import { isLoopbackHost } from '../../src/security/exposure.js';
import { parsePasswordHash, verifyPassword } from '../../src/security/password.js';
import { Bridge } from '../../src/service/bridge.js';
import { listenersOf } from '../helpers/listeners.js';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const OTLP_TOKEN = 'otlp-secret-7d1f0a9b8c2e4d6f';
const API_TOKEN = 'api-secret-3c5e7a9b1d2f4e6a';
const PASSWORD = 'hunter2-but-longer';

function pipeline(dir: string, receiver: string, api: string): string {
  return `receivers:
  otlp:
    protocols:
      http: ${receiver}
processors:
  join: { hold_window: 100ms }
exporters:
  store: { directory: ${JSON.stringify(join(dir, 'data'))}, batch: { flush_interval: 20ms } }
extensions:
  api: ${api}
service:
  extensions: [api]
  pipelines:
    traces: { receivers: [otlp], processors: [join], exporters: [store] }
    profiles: { receivers: [otlp], processors: [join], exporters: [store] }
`;
}

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'opb-exposure-'));
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, text.replaceAll('DIR', dir));
  return file;
}

interface Serving {
  endpoints: Record<string, Record<string, string>>;
  output: () => string;
  stop(): Promise<number | null>;
}

/** `serve` until it logs that it started; `stop` sends SIGTERM and returns the exit code. */
async function serve(file: string, env: Record<string, string>): Promise<Serving> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const endpoints = await new Promise<Record<string, Record<string, string>>>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of out.split('\n'))
        if (line.includes('otel-profile-bridge started'))
          resolve((JSON.parse(line) as { endpoints: Record<string, Record<string, string>> }).endpoints);
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  return {
    endpoints,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(killer);
      return code;
    },
  };
}

const local = (hostPort: string) => `http://127.0.0.1:${hostPort.split(':').at(-1)}`;

describe('listening beyond loopback', () => {
  it('the embedded default stays on loopback without auth, and builds', () => {
    const config = parseConfigText(DEFAULT_CONFIG_YAML, {}, 'default config');
    const listeners = listenersOf(config);
    assert.deepEqual(listeners.map((l) => l.where).sort(), ['extensions.api', 'receivers.otlp.protocols.grpc', 'receivers.otlp.protocols.http']);
    for (const l of listeners) {
      assert.ok(isLoopbackHost(splitHostPort(l.endpoint).host), `${l.where}: ${l.endpoint}`);
      assert.equal(l.authenticated, false, l.where);
    }
    Bridge.create(config, { logger: pino({ level: 'silent' }) });
  });

  it('refuses the API on 0.0.0.0 without auth: exit 2, saying how to turn auth on', () => {
    const file = configFile(pipeline('DIR', '{ endpoint: 127.0.0.1:0 }', '{ endpoint: 0.0.0.0:0 }'));
    const r = spawnSync(process.execPath, [MAIN, 'serve', '--config', file], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /extensions\.api: refusing to listen on 0\.0\.0\.0 .*without authentication/);
    assert.match(r.stderr, /extensions\.api\.auth\.bearer_token: \$\{env:BRIDGE_API_TOKEN\}/);
    assert.match(r.stderr, /extensions\.api\.allow_unauthenticated_remote: true/);
  });

  it('refuses an OTLP receiver on 0.0.0.0 without auth the same way', () => {
    const file = configFile(pipeline('DIR', '{ endpoint: 0.0.0.0:0 }', '{ endpoint: 127.0.0.1:0 }'));
    const r = spawnSync(process.execPath, [MAIN, 'serve', '--config', file], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /receivers\.otlp\.protocols\.http: refusing to listen on 0\.0\.0\.0/);
    assert.match(r.stderr, /receivers\.otlp\.protocols\.http\.auth\.bearer_token/);
  });

  it('starts with the named opt-out, warning about it', async () => {
    const file = configFile(pipeline('DIR', '{ endpoint: 127.0.0.1:0 }', '{ endpoint: 0.0.0.0:0, allow_unauthenticated_remote: true }'));
    const s = await serve(file, {});
    const health = await fetch(`${local(s.endpoints['extensions.api']!.http!)}/api/v1/profile-types`);
    assert.equal(health.status, 200);
    assert.equal(await s.stop(), 0);
    const warning = s
      .output()
      .split('\n')
      .find((l) => l.includes('without authentication because extensions.api.allow_unauthenticated_remote is true'));
    assert.ok(warning, s.output());
    assert.equal((JSON.parse(warning) as { level: number }).level, 40);
  });

  it('starts on 0.0.0.0 with auth; an authenticated session at debug level logs no credential', async () => {
    const hashed = spawnSync(process.execPath, [MAIN, 'hash-password'], { input: `${PASSWORD}\n`, encoding: 'utf8' });
    assert.equal(hashed.status, 0, hashed.stderr);
    const hash = hashed.stdout.trim();
    const parsed = parsePasswordHash(hash);
    assert.ok(typeof parsed !== 'string' && (await verifyPassword(PASSWORD, parsed)) && !(await verifyPassword(`${PASSWORD}x`, parsed)));
    const file = configFile(
      pipeline(
        'DIR',
        '{ endpoint: 0.0.0.0:0, auth: { bearer_token: "${env:T_OTLP}" } }',
        `{ endpoint: 0.0.0.0:0, auth: { bearer_token: "\${env:T_API}", basic: { users: [{ name: ops, password_hash: "${hash}" }] } } }`,
      ),
    );
    const s = await serve(file, { T_OTLP: OTLP_TOKEN, T_API: API_TOKEN, OTEL_LOG_LEVEL: 'debug' });
    const api = local(s.endpoints['extensions.api']!.http!);
    const otlp = local(s.endpoints['receivers.otlp']!.http!);
    const basic = (p: string) => `Basic ${Buffer.from(`ops:${p}`).toString('base64')}`;
    const wrongToken = `${API_TOKEN}-wrong`;
    const statuses: number[] = [];
    const get = async (path: string, authorization?: string) => {
      const r = await fetch(`${api}${path}`, { headers: authorization ? { authorization } : {} });
      await r.arrayBuffer();
      statuses.push(r.status);
      return r.status;
    };
    assert.equal(await get('/api/v1/profile-types', `Bearer ${API_TOKEN}`), 200);
    assert.equal(await get('/api/v1/profile-types', `Bearer ${wrongToken}`), 401);
    assert.equal(await get('/api/v1/labels', basic(PASSWORD)), 200);
    assert.equal(await get('/api/v1/labels', basic(`${PASSWORD}-wrong`)), 401);
    assert.equal(await get(`/debug/pprof/profile?seconds=60&token=${API_TOKEN}`), 200);
    assert.equal(await get(`/debug/pprof/profile?seconds=60&token=${wrongToken}`), 401);
    assert.equal(await get('/metrics', `Bearer ${API_TOKEN}`), 200);
    const post = (authorization: string) =>
      fetch(`${otlp}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization } });
    assert.equal((await post(`Bearer ${OTLP_TOKEN}`)).status, 200);
    assert.equal((await post(`Bearer ${OTLP_TOKEN}-wrong`)).status, 401);
    assert.equal(await s.stop(), 0);
    const logs = s.output();
    // The session was logged (so the search below searched something)...
    assert.ok(logs.split('\n').filter((l) => l.includes('"API request"')).length >= statuses.length, logs);
    // The pprof download is logged without its token parameter.
    assert.match(logs, /"url":"\/debug\/pprof\/profile\?seconds=60","status":200/);
    assert.match(logs, /"user":"ops"/);
    // ...and holds none of the secrets, right or wrong, in any form.
    for (const secret of [
      OTLP_TOKEN,
      API_TOKEN,
      wrongToken,
      PASSWORD,
      basic(PASSWORD).slice(6),
      basic(`${PASSWORD}-wrong`).slice(6),
      hash.split('$').at(-1)!,
    ]) {
      assert.ok(!logs.includes(secret), `the logs hold ${secret}`);
    }
    assert.doesNotMatch(logs, /authorization/i);
  });
});
