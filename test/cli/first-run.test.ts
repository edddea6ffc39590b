// What a newcomer meets first: per-command help, the start-up banner of `npm start`'s command,
// ports already taken, the sample request under examples/, and capturing a request to convert.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { decodePprofIndependent, frameList } from '../helpers/pprof-decoded.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SAMPLE = join(ROOT, 'examples', 'requests', 'profiles.json');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'opb-first-'));
  temps.push(d);
  return d;
}
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function cli(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd });
}

/** The embedded default on ephemeral ports: what `npm start` runs, minus the fixed ports. */
function defaultOnEphemeralPorts(dir: string): string {
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:0'));
  return file;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
}

/** `node dist/src/cli/main.js serve <args>` (npm start's command) in `cwd`, until it logs "started". */
async function startServe(args: string[], cwd: string): Promise<Running> {
  const [node, script, ...rest] = pkg.scripts.start!.split(' ');
  assert.equal(node, 'node');
  const child = spawn(process.execPath, [join(ROOT, script!), ...rest, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.on('exit', () => clearTimeout(killer));
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('otel-profile-bridge started')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { child, stdout: () => out, stderr: () => err };
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGINT');
  const [code] = (await once(r.child, 'exit')) as [number | null];
  return code;
}

function startedEndpoints(stdout: string): Record<string, Record<string, string>> {
  const line = stdout.split('\n').find((l) => l.includes('otel-profile-bridge started'))!;
  return (JSON.parse(line) as { endpoints: Record<string, Record<string, string>> }).endpoints;
}

/** Polls `check` (bounded) until it returns a value. */
async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('per-command help', () => {
  it("serve --help, -h and help serve print serve's options with defaults", () => {
    const outs = [cli(['serve', '--help']), cli(['serve', '-h']), cli(['help', 'serve'])];
    for (const r of outs) assert.equal(r.status, 0, r.stderr);
    assert.equal(outs[0]!.stdout, outs[1]!.stdout);
    assert.equal(outs[0]!.stdout, outs[2]!.stdout);
    const h = outs[0]!.stdout;
    assert.ok(h.startsWith('Usage: otel-profile-bridge serve [--config <file.yaml>] [--quiet]'), h);
    assert.ok(!h.includes('Commands:'), 'not the global help');
    for (const fragment of [
      '-c, --config <file.yaml>',
      'Default: the embedded one: OTLP/gRPC on 127.0.0.1:4317',
      'everything kept in the store in ./data',
      'http://127.0.0.1:4380/',
      '-q, --quiet               Default: off.',
      'also left out when stdout, where the JSON logs go, is a file',
      'OTEL_LOG_LEVEL',
      'Exit codes: 0 stopped cleanly',
    ]) {
      assert.ok(h.includes(fragment), `serve help lacks "${fragment}"`);
    }
  });

  it('convert --help explains every option, --timestamps and --no-fsync, and how to get a request', () => {
    const a = cli(['convert', '--help']);
    const b = cli(['help', 'convert']);
    assert.equal(a.status, 0);
    assert.equal(a.stdout, b.stdout);
    const h = a.stdout;
    for (const fragment of [
      '-o, --output <dir>         Required.',
      '--timestamps <mode>        Default: aggregate.',
      "aggregate  each sample's timestamps fold into its value",
      'label      one pprof sample per timestamped event, with a\n                                          numeric end_timestamp_ns label',
      '--no-fsync                 Default: off',
      'files written just before a crash or power loss may be lost',
      '--progress                 Default: shown on a terminal for inputs from 1 MiB or 20',
      'otel-profile-bridge convert examples/requests/profiles.json -o out/',
      'examples/config/capture.yaml',
      '`format: otlp`',
      './captured/<time>_<hash>.binpb',
    ]) {
      assert.ok(h.includes(fragment), `convert help lacks "${fragment}"`);
    }
  });

  it('help lists the commands; help of an unknown command is a usage error', () => {
    const g = cli(['help']);
    assert.equal(g.status, 0);
    assert.match(g.stdout, /Usage: otel-profile-bridge \[command\]/);
    assert.match(g.stdout, /help <command> \(or <command> --help\)/);
    const v = cli(['help', 'version']);
    assert.match(v.stdout, /^Usage: otel-profile-bridge version/);
    const u = cli(['help', 'srve']);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /unknown command "srve"/);
  });
});

describe('the start-up banner', () => {
  it("npm start's command shows the endpoints, the UI URL, the data directory and how to stop", async () => {
    assert.equal(pkg.scripts.start, 'node dist/src/cli/main.js serve');
    const dir = tempDir();
    const r = await startServe(['--config', defaultOnEphemeralPorts(dir)], dir);
    const eps = startedEndpoints(r.stdout());
    const ui = `http://${eps['extensions.api']!.http}/`;
    await until(() => (r.stderr().includes('Stop: Ctrl-C') ? true : undefined), 'the banner');
    const banner = r.stderr();
    assert.ok(banner.includes(`otel-profile-bridge `) && banner.includes(' is running (config: '), banner);
    assert.ok(banner.includes(`Open ${ui} for the flame graphs.`), banner);
    assert.match(banner, new RegExp(`OTLP/gRPC +${eps['receivers.otlp']!.grpc!.replace(/\./g, '\\.')} +traces and profiles`));
    assert.ok(banner.includes(`http://${eps['receivers.otlp']!.http}`), banner);
    assert.ok(banner.includes('POST /v1/traces, POST /v1development/profiles'), banner);
    assert.match(banner, new RegExp(`Data +${join(dir, 'data').replace(/[./]/g, '\\$&')} +store \\(SQLite\\)`));
    assert.ok(banner.includes(`Stop: Ctrl-C (or kill -TERM ${r.child.pid})`), banner);
    // The banner is on stderr only: stdout stays JSON lines.
    for (const line of r.stdout().split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), line);
    const health = await fetch(`${ui}health`);
    assert.equal(health.status, 200);
    assert.equal(await stop(r), 0);
  });

  it('--quiet leaves it out', async () => {
    const dir = tempDir();
    const r = await startServe(['--quiet', '--config', defaultOnEphemeralPorts(dir)], dir);
    assert.equal(await stop(r), 0);
    assert.ok(!r.stderr().includes('is running'), r.stderr());
    assert.ok(!r.stderr().includes('Stop: Ctrl-C'), r.stderr());
  });

  it('is left out when the logs (stdout) go to a file', async () => {
    const dir = tempDir();
    const logFile = join(dir, 'bridge.log');
    const fd = openSync(logFile, 'w');
    const child = spawn(process.execPath, [MAIN, 'serve', '--config', defaultOnEphemeralPorts(dir)], { cwd: dir, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    await until(() => (readFileSync(logFile, 'utf8').includes('otel-profile-bridge started') ? true : undefined), 'the started log line');
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    assert.equal(code, 0);
    assert.equal(err, '');
  });
});

describe('a port in use', () => {
  const holders: Server[] = [];
  after(() => {
    for (const s of holders) s.close();
  });
  async function holdPort(): Promise<number> {
    const s = createServer();
    holders.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as { port: number }).port;
  }

  for (const protocol of ['grpc', 'http'] as const) {
    it(`names the ${protocol} endpoint that is taken, without grpc-js's words`, async () => {
      const port = await holdPort();
      const dir = tempDir();
      const file = join(dir, 'bridge.yaml');
      const other = protocol === 'grpc' ? 'http' : 'grpc';
      writeFileSync(
        file,
        `receivers: { otlp: { protocols: { ${protocol}: { endpoint: "127.0.0.1:${port}" }, ${other}: { endpoint: "127.0.0.1:0" } } } }
service: { pipelines: { traces: { receivers: [otlp] } } }
`,
      );
      const r = cli(['serve', '--config', file], dir);
      assert.equal(r.status, 1);
      assert.ok(
        r.stderr.includes(
          `receivers.otlp.protocols.${protocol}.endpoint: 127.0.0.1:${port} is in use by another process; stop that process or choose another port`,
        ),
        r.stderr,
      );
      assert.ok(!r.stderr.includes('No address added'), r.stderr);
      assert.ok(!r.stderr.includes('EADDRINUSE'), r.stderr);
    });
  }

  it('names the UI/API endpoint that is taken', async () => {
    const port = await holdPort();
    const dir = tempDir();
    const file = join(dir, 'bridge.yaml');
    writeFileSync(
      file,
      DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:0').replace(/(api:\n\s+endpoint: )127\.0\.0\.1:0/, `$1127.0.0.1:${port}`),
    );
    const r = cli(['serve', '--config', file], dir);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(`extensions.api.endpoint: 127.0.0.1:${port} is in use by another process`), r.stderr);
  });
});

describe('a request to try convert on', () => {
  it('examples/requests/profiles.json converts to a pprof with its stacks', () => {
    const out = tempDir();
    const r = cli(['convert', SAMPLE, '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('converted 1 of 1 profiles (3 samples) from'), r.stdout);
    assert.ok(r.stdout.includes('checkout/cpu: 1'), r.stdout);
    const files = readdirSync(join(out, 'checkout', 'cpu'));
    const pb = files.find((f) => f.endsWith('.pb.gz'))!;
    assert.ok(files.includes(pb.replace(/\.pb\.gz$/, '.json')), 'sidecar written');
    const p = decodePprofIndependent(readFileSync(join(out, 'checkout', 'cpu', pb)));
    const total = p.samples.reduce((a, s) => a + Number(s.values[0]), 0);
    assert.equal(total, 110_000_000);
    assert.ok(p.samples.some((s) => frameList(s)[0]!.startsWith('computeFibonacciSlowly fib.js')));
  });

  it("a capture with the file exporter's `format: otlp` saves requests that convert reads", async () => {
    const dir = tempDir();
    const file = join(dir, 'capture.yaml');
    writeFileSync(file, readFileSync(join(ROOT, 'examples', 'config', 'capture.yaml'), 'utf8').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:0'));
    const r = await startServe(['--quiet', '--config', file], dir);
    const http = startedEndpoints(r.stdout())['receivers.otlp']!.http!;
    const res = await fetch(`http://${http}/v1development/profiles`, {
      method: 'POST',
      body: readFileSync(SAMPLE),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
    assert.equal(await stop(r), 0);
    const captured = readdirSync(join(dir, 'captured')).filter((f) => f.endsWith('.binpb'));
    assert.equal(captured.length, 1);
    assert.match(captured[0]!, /^20260101T000000\.000000000Z_[0-9a-f]{16}\.binpb$/);
    const out = join(dir, 'out');
    const c = cli(['convert', join(dir, 'captured', captured[0]!), '-o', out]);
    assert.equal(c.status, 0, c.stderr);
    assert.ok(c.stdout.includes('converted 1 of 1 profiles (3 samples)'), c.stdout);
    assert.ok(c.stdout.includes('(protobuf)'), c.stdout);
    assert.ok(c.stdout.includes('checkout/cpu: 1'), c.stdout);
  });
});
