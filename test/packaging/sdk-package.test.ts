// The SDK plugin as a package of its own: built and packed the way it is published, installed
// into a fresh app from the npm cache alone, with no SQLite, none of the bridge and nothing
// compiled in the app's node_modules; imported there, it profiles the app and sends the
// profile to a real OTLP/HTTP endpoint, which decodes it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeProfilesRequest } from '../../src/otlp/index.js';
import { installOffline, packSdk, ROOT } from '../helpers/sdk-package.js';

/** Every package directory under node_modules, nested ones included. */
function packagesIn(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  return readdirSync(nodeModules).flatMap((name) => {
    if (name.startsWith('.')) return [];
    if (name.startsWith('@'))
      return readdirSync(join(nodeModules, name)).flatMap((sub) => [`${name}/${sub}`, ...packagesIn(join(nodeModules, name, sub, 'node_modules'))]);
    return [name, ...packagesIn(join(nodeModules, name, 'node_modules'))];
  });
}

describe('otel-profile-bridge-sdk installed on its own', () => {
  let dir: string;
  let app: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opb-sdk-package-'));
    app = join(dir, 'app');
    mkdirSync(app);
    installOffline(app, packSdk(dir), ['@opentelemetry/api']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('brings neither better-sqlite3 nor the bridge, only what the plugin uses', () => {
    const installed = packagesIn(join(app, 'node_modules'));
    assert.ok(installed.includes('otel-profile-bridge-sdk'));
    assert.ok(installed.includes('@datadog/pprof'));
    // node-gyp's output folder: a native addon built on install.
    const compiled = installed.filter((name) => existsSync(join(app, 'node_modules', name, 'build', 'Release')));
    assert.deepEqual(compiled, [], 'nothing was compiled on install');
    for (const unwanted of ['better-sqlite3', 'otel-profile-bridge', 'pino', 'prom-client', 'zod', 'yaml', 'cli-progress']) {
      assert.ok(!installed.includes(unwanted), `${unwanted} was installed: ${installed.join(', ')}`);
    }
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'otel-profile-bridge-sdk', 'package.json'), 'utf8')) as { version: string };
    const bridge = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(pkg.version, bridge.version);
    assert.ok(existsSync(join(app, 'node_modules', 'otel-profile-bridge-sdk', 'dist', 'types', 'sdk', 'index.d.ts')));
  });

  it('imports in the app, profiles it and sends OTLP profiles that decode', async () => {
    const received: Buffer[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push(req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1development/profiles`;
      writeFileSync(
        join(app, 'main.js'),
        `import { createRequire } from 'node:module';
import { ProfilingSpanProcessor, SCOPE_NAME } from 'otel-profile-bridge-sdk';
const p = new ProfilingSpanProcessor({ url: ${JSON.stringify(url)}, exportIntervalMillis: 3600000 });
const started = p.start();
const until = Date.now() + 300;
let x = 0;
while (Date.now() < until) x += Math.sqrt(x + 1);
await p.shutdown();
const grpcLoaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/@grpc/grpc-js/'));
console.log(JSON.stringify({ started, scope: SCOPE_NAME, stats: p.stats(), grpcLoaded }));
`,
      );
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['main.js'], { cwd: app, env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      const result = JSON.parse(out) as { started: boolean; scope: string; stats: { exported: number; failed: number }; grpcLoaded: boolean };
      assert.equal(result.started, true);
      assert.equal(result.grpcLoaded, false, '@grpc/grpc-js is loaded only for the grpc protocol');
      assert.equal(result.stats.exported, 1, out);
      assert.equal(received.length, 1);
      const request = decodeProfilesRequest(received[0]!);
      const scope = request.resourceProfiles[0]!.scopeProfiles[0]!;
      assert.equal(scope.scope?.name, result.scope);
      const bridge = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(scope.scope?.version, bridge.version, 'the version module finds the plugin package');
      assert.ok(scope.profiles.length > 0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
