// No container engine runs here, so these tests hold the docker files to the project instead:
// the compose file parses and names files that exist, its ports and paths are the bridge's
// defaults, the collector forwards to the bridge's endpoints with the profiles gate on, the
// bridge config in the image validates, and the Dockerfile exposes and runs what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_API_PORT } from '../../src/config/default-config.js';
import { loadConfigFile } from '../../src/config/load.js';
import { parseDuration, splitHostPort } from '../../src/config/units.js';
import { DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT } from '../../src/receivers/otlp/config.js';
import { Bridge } from '../../src/service/bridge.js';
import { isBridgeError } from '../../src/errors.js';
import { listenersOf } from '../helpers/listeners.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dockerDir = join(root, 'docker');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

/** What compose passes to the bridge (it refuses to start without both). */
const TOKENS = { BRIDGE_TOKEN: 'otlp-token-0123456789abcdef', BRIDGE_API_TOKEN: 'api-token-0123456789abcdef' };

const GRPC_PORT = splitHostPort(DEFAULT_GRPC_ENDPOINT).port;
const HTTP_PORT = splitHostPort(DEFAULT_HTTP_ENDPOINT).port;

// ---------------------------------------------------------------- Dockerfile

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && current === '') continue;
    if (/^\s*#/.test(line)) continue; // comment inside a continuation
    if (line.trimEnd().endsWith('\\')) {
      current += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(l);
    if (!m) continue;
    const ins = { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
    if (ins.op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args)!;
      stages.push({ from: f[1]!, name: f[2], instructions: [] });
    } else if (stages.length === 0) args.push(ins);
    else stages.at(-1)!.instructions.push(ins);
  }
  return { args, stages };
}

const execForm = (args: string): string[] => JSON.parse(args.replace(/^(--\S+\s+)*CMD\s+/i, '')) as string[];
const dockerfile = parseDockerfile(read('docker/Dockerfile'));
const runtime = dockerfile.stages.at(-1)!;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op);

test('Dockerfile: the default (last) stage is the bridge on node:20-slim (bookworm), as a non-root user', () => {
  const nodeImage = dockerfile.args.find((a) => a.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
  assert.ok(nodeImage === 'node:20-slim' || nodeImage === 'node:20-bookworm-slim', `base image ${nodeImage}`);
  for (const s of dockerfile.stages)
    assert.ok(s.from === '${NODE_IMAGE}' || dockerfile.stages.some((o) => o.name === s.from), `stage from ${s.from}`);
  assert.equal(runtime.from, '${NODE_IMAGE}');
  const user = ops(runtime, 'USER').at(-1)?.args;
  assert.ok(user && user !== 'root' && user !== '0', 'runtime stage must switch to a non-root user');
});

test('Dockerfile: build runs npm ci and npm run build; runtime gets pruned node_modules, dist, package.json, proto', () => {
  const build = dockerfile.stages.find((s) => s.name === 'build')!;
  const runs = ops(build, 'RUN').map((i) => i.args);
  assert.ok(runs.includes('npm ci'));
  assert.ok(runs.includes('npm run build'));
  const pruned = dockerfile.stages.find((s) => ops(s, 'RUN').some((i) => i.args === 'npm prune --omit=dev'));
  assert.ok(pruned, 'no stage runs npm prune --omit=dev');
  const copies = ops(runtime, 'COPY').map((i) => i.args);
  for (const what of ['node_modules', 'dist', 'package.json', 'proto']) {
    assert.ok(
      copies.some((c) => c.startsWith(`--from=${pruned.name} `) && c.includes(`/src/${what} `)),
      `runtime does not copy ${what} from the pruned stage`,
    );
  }
});

test('Dockerfile: EXPOSE, VOLUME, HEALTHCHECK and CMD match the bridge config it ships', () => {
  const exposed = ops(runtime, 'EXPOSE')
    .flatMap((i) => i.args.split(/\s+/))
    .map(Number)
    .sort();
  assert.deepEqual(exposed, [GRPC_PORT, HTTP_PORT, DEFAULT_API_PORT].sort());

  const entrypoint = JSON.parse(ops(runtime, 'ENTRYPOINT').at(-1)!.args) as string[];
  const cmd = JSON.parse(ops(runtime, 'CMD').at(-1)!.args) as string[];
  assert.deepEqual(entrypoint, ['node', 'dist/src/cli/main.js']);
  assert.deepEqual(cmd, ['serve', '--config', 'docker/bridge.yaml']);
  assert.ok(existsSync(join(root, 'dist/src/cli/main.js')), 'the entrypoint script is not where the build puts it');
  // The config the CMD names is copied into the image.
  assert.ok(ops(runtime, 'COPY').some((c) => /\bdocker\/bridge\.yaml\b/.test(c.args) && c.args.trim().endsWith('./docker/')));

  const volume = ops(runtime, 'VOLUME').at(-1)!.args;
  const { config } = loadConfigFile(join(dockerDir, 'bridge.yaml'), TOKENS);
  assert.equal((config.exporters.store as { directory: string }).directory, volume, 'the store must live on the VOLUME');

  const health = execForm(ops(runtime, 'HEALTHCHECK').at(-1)!.args);
  assert.equal(health[0], 'node');
  assert.ok(health.join(' ').includes(`http://127.0.0.1:${DEFAULT_API_PORT}/health`), 'HEALTHCHECK must GET the API /health');
});

test('Dockerfile: the example target runs the compiled example service', () => {
  const example = dockerfile.stages.find((s) => s.name === 'example');
  assert.ok(example);
  const cmd = JSON.parse(ops(example, 'CMD').at(-1)!.args) as string[];
  assert.deepEqual(cmd.slice(0, 1), ['node']);
  assert.ok(existsSync(join(root, cmd[1]!)), `${cmd[1]} is not built`);
});

test('parseDockerfile reads continuations, stages and skips comments', () => {
  const d = parseDockerfile('ARG X=1\n# c\nFROM a AS b\nRUN one \\\n  # inner\n  two\nFROM b\nEXPOSE 1 2\n');
  assert.deepEqual(d.args, [{ op: 'ARG', args: 'X=1' }]);
  assert.equal(d.stages.length, 2);
  assert.equal(d.stages[0]!.name, 'b');
  assert.deepEqual(d.stages[0]!.instructions, [{ op: 'RUN', args: 'one    two' }]);
  assert.deepEqual(d.stages[1]!.instructions, [{ op: 'EXPOSE', args: '1 2' }]);
});

// ---------------------------------------------------------------- bridge configs of the image

const logger = pino({ level: 'silent' });

for (const file of ['bridge.yaml', 'bridge-pyroscope.yaml']) {
  test(`docker/${file}: validates, binds 0.0.0.0 on the default ports, serves the API on ${DEFAULT_API_PORT}`, () => {
    const { config } = loadConfigFile(join(dockerDir, file), TOKENS);
    Bridge.create(config, { logger });
    const protocols = (config.receivers.otlp as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } }).protocols;
    assert.deepEqual(splitHostPort(protocols.grpc.endpoint), { host: '0.0.0.0', port: GRPC_PORT });
    assert.deepEqual(splitHostPort(protocols.http.endpoint), { host: '0.0.0.0', port: HTTP_PORT });
    assert.deepEqual(splitHostPort((config.extensions.api as { endpoint: string }).endpoint), { host: '0.0.0.0', port: DEFAULT_API_PORT });
    assert.deepEqual(config.service.extensions, ['api']);
    // Says why it binds every interface.
    assert.match(readFileSync(join(dockerDir, file), 'utf8'), /0\.0\.0\.0 on purpose|0\.0\.0\.0 ON PURPOSE/i);
  });

  test(`docker/${file}: every listener requires the token from the environment; without it the bridge does not build`, () => {
    const { config } = loadConfigFile(join(dockerDir, file), TOKENS);
    const listeners = listenersOf(config);
    assert.deepEqual(listeners.map((l) => l.where).sort(), ['extensions.api', 'receivers.otlp.protocols.grpc', 'receivers.otlp.protocols.http']);
    for (const l of listeners) {
      assert.ok(l.authenticated && !l.optOut, `${l.where} is open`);
      assert.deepEqual(l.tokens, [l.where === 'extensions.api' ? TOKENS.BRIDGE_API_TOKEN : TOKENS.BRIDGE_TOKEN], l.where);
    }
    const unset = loadConfigFile(join(dockerDir, file), {}).config;
    assert.throws(
      () => Bridge.create(unset, { logger }),
      (e: unknown) => isBridgeError(e) && e.code === 'ERR_CONFIG' && /bearer_token must not be empty/.test(e.message),
    );
  });
}

// ---------------------------------------------------------------- compose

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: string[] | Record<string, unknown>;
  stop_grace_period?: string;
}
const compose = parseYaml(read('docker/compose.yaml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const services = compose.services;

/** `${VAR:-default}` as compose resolves it with VAR unset. */
const withDefaults = (s: string) => s.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, '$1');
/** Container port of a `host:port:container` / `port:container` / `port` mapping. */
const containerPort = (mapping: string) => Number(mapping.split(':').at(-1)!.split('/')[0]);

test('compose: the services are there, built from docker/Dockerfile, Pyroscope behind its profile', () => {
  for (const name of ['bridge', 'otel-collector', 'app', 'load', 'pyroscope']) assert.ok(services[name], `no ${name} service`);
  for (const name of ['bridge', 'app', 'load']) {
    const b = services[name]!.build!;
    assert.ok(existsSync(join(dockerDir, b.context, b.dockerfile)), `${name}: ${b.dockerfile} does not exist`);
    if (b.target)
      assert.ok(
        dockerfile.stages.some((s) => s.name === b.target),
        `${name}: no stage ${b.target}`,
      );
  }
  assert.equal(services.bridge!.build!.target, undefined, "the bridge is the Dockerfile's default stage");
  assert.deepEqual(services.pyroscope!.profiles, ['pyroscope']);
  assert.match(services['otel-collector']!.image!, /^otel\/opentelemetry-collector-contrib:/);
});

test('compose: every config file a service names exists, and the bridge runs a shipped config', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const host = v.split(':')[0]!;
      if (host.startsWith('.') || host.startsWith('/')) assert.ok(existsSync(join(dockerDir, host)), `${name}: ${host} does not exist`);
    }
  }
  const cmd = services.bridge!.command!.map(withDefaults);
  assert.deepEqual(cmd.slice(0, 2), ['serve', '--config']);
  assert.equal(cmd[2], 'docker/bridge.yaml');
  assert.ok(existsSync(join(root, cmd[2]!)));
  // The alternative config the README offers is in the image too.
  assert.ok(read('docker/compose.yaml').includes('BRIDGE_CONFIG=docker/bridge-pyroscope.yaml'));
  assert.ok(ops(runtime, 'COPY').some((c) => c.args.includes('docker/bridge-pyroscope.yaml')));
  assert.ok(
    services.bridge!.volumes!.some((v) => v.endsWith(`:${ops(runtime, 'VOLUME').at(-1)!.args}`)),
    'the data volume is not mounted',
  );
});

test("compose: published ports are the bridge's and collector's defaults, on loopback", () => {
  assert.deepEqual(services.bridge!.ports!.map(containerPort), [DEFAULT_API_PORT]);
  assert.deepEqual(services['otel-collector']!.ports!.map(containerPort).sort(), [GRPC_PORT, HTTP_PORT].sort());
  for (const s of Object.values(services))
    for (const p of s.ports ?? []) assert.ok(p.startsWith('127.0.0.1:'), `${p} is published on every interface`);
});

test('compose: the bridge and the collector get the tokens, which compose requires (${VAR:?...})', () => {
  const required = (v: string | undefined, name: string) =>
    assert.match(v ?? '', new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`), `${name} is not required`);
  required(services.bridge!.environment!.BRIDGE_TOKEN, 'BRIDGE_TOKEN');
  required(services.bridge!.environment!.BRIDGE_API_TOKEN, 'BRIDGE_API_TOKEN');
  required(services['otel-collector']!.environment!.BRIDGE_TOKEN, 'BRIDGE_TOKEN');
  // No literal `$` other than interpolations: compose would reject it.
  assert.doesNotMatch(read('docker/compose.yaml').replace(/^\s*#.*$/gm, ''), /\$(?!\{)/);
});

test('compose: the collector runs with the profiles feature gate and the app sends to the collector', () => {
  const cmd = services['otel-collector']!.command!;
  assert.ok(cmd.includes('--feature-gates=service.profilesSupport'));
  const configPath = cmd.find((c) => c.startsWith('--config='))!.slice('--config='.length);
  assert.ok(
    services['otel-collector']!.volumes!.some((v) => v.split(':')[1] === configPath),
    'the collector config is not mounted where --config points',
  );

  const endpoint = new URL(services.app!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT!);
  assert.equal(endpoint.hostname, 'otel-collector');
  assert.equal(Number(endpoint.port), HTTP_PORT);
  const load = services.load!.command!;
  assert.ok(existsSync(join(root, load[1]!)), `${load[1]} is not built`);
  const target = new URL(load[load.indexOf('--target') + 1]!);
  assert.equal(target.hostname, 'app');
  assert.equal(target.port, services.app!.environment!.PORT);
});

test('collector config: receives OTLP on all interfaces and forwards traces and profiles to the bridge', () => {
  const col = parseYaml(read('docker/otel-collector.yaml')) as {
    receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
    exporters: Record<string, { endpoint: string; tls?: { insecure?: boolean }; headers?: Record<string, string> }>;
    service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
  };
  assert.deepEqual(splitHostPort(col.receivers.otlp.protocols.grpc.endpoint), { host: '0.0.0.0', port: GRPC_PORT });
  assert.deepEqual(splitHostPort(col.receivers.otlp.protocols.http.endpoint), { host: '0.0.0.0', port: HTTP_PORT });

  const bridgeGrpc = splitHostPort(
    (loadConfigFile(join(dockerDir, 'bridge.yaml'), TOKENS).config.receivers.otlp as { protocols: { grpc: { endpoint: string } } }).protocols.grpc
      .endpoint,
  ).port;
  const toBridge = Object.entries(col.exporters).filter(([, e]) => e.endpoint === `bridge:${bridgeGrpc}`);
  assert.equal(toBridge.length, 1, "exactly one exporter should point at bridge:<the bridge's gRPC port>");
  const [id, exporter] = toBridge[0]!;
  assert.match(id, /^otlp(_grpc)?(\/|$)/, 'the bridge receives OTLP/gRPC');
  assert.equal(exporter.tls?.insecure, true, 'the bridge in compose serves plaintext');
  assert.equal(exporter.headers?.authorization, 'Bearer ${env:BRIDGE_TOKEN}', "the collector sends the token the bridge's receivers require");
  for (const signal of ['traces', 'profiles']) {
    const p = col.service.pipelines[signal];
    assert.ok(p, `no ${signal} pipeline`);
    assert.ok(p.receivers.includes('otlp'));
    assert.ok(p.exporters.includes(id), `${signal} are not forwarded to the bridge`);
  }
});

test("compose: the Pyroscope config sends to the pyroscope service's port", () => {
  const { config } = loadConfigFile(join(dockerDir, 'bridge-pyroscope.yaml'), TOKENS);
  const url = new URL((config.exporters.pyroscope as { endpoint: string }).endpoint);
  assert.equal(url.hostname, 'pyroscope');
  assert.ok(services.pyroscope!.ports!.map(containerPort).includes(Number(url.port)));
});

test('compose: the bridge gets more time to stop than its shutdown timeout, for every shipped config', () => {
  const grace = services.bridge!.stop_grace_period;
  assert.ok(grace, 'the bridge service sets stop_grace_period (Docker kills after 10s otherwise)');
  const graceMs = parseDuration(grace) ?? 0;
  for (const file of ['bridge.yaml', 'bridge-pyroscope.yaml']) {
    const { config } = loadConfigFile(join(dockerDir, file), {});
    // A second of margin for the process to exit after the bridge has stopped.
    assert.ok(
      config.service.shutdown_timeout + 1000 <= graceMs,
      `${file}: service.shutdown_timeout ${config.service.shutdown_timeout} ms does not fit in stop_grace_period ${grace}`,
    );
  }
});
