// What one hostile 60 MiB request costs a running bridge: `serve` runs as a child process
// (OTLP/HTTP + API + store), the bench POSTs a 60 MiB body of empty protobuf messages
// (`0a 00` repeated) or of JSON `{}` objects, alone and two at once, while it polls the
// API's /health; it reports the request's duration and answer, the slowest /health answer
// meanwhile, and the child's peak RSS (VmHWM). A realistic profiles request that passes the
// limits shows the memory multiple of an accepted request.
//
// OPB_BENCH_BEFORE_DIST=<dir>/dist measures an older build's CLI the same way (the "before"
// rows in RESULTS.md came from a build of the commit before the limits).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { procStatusBytes } from '../test/helpers/proc-status.js';
import { fmt, table, type BenchSuite } from './harness.js';
import { realisticProfilesRequest } from './otlp-data.js';

const MiB = 2 ** 20;
const SIZE = 60 * MiB;

const CONFIG = (dir: string) => `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  store: { directory: ${JSON.stringify(join(dir, 'data'))} }
extensions:
  api: { endpoint: 127.0.0.1:0, ui_directory: ${JSON.stringify(join(dir, 'no-ui'))} }
service:
  extensions: [api]
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [store] }
`;

interface Child {
  proc: ChildProcess;
  otlp: string;
  api: string;
  stop(): Promise<void>;
}

async function startChild(main: string): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'opb-bench-hostile-'));
  writeFileSync(join(dir, 'bridge.yaml'), CONFIG(dir));
  const proc = spawn(process.execPath, [main, 'serve', '--config', join(dir, 'bridge.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const endpoints = await new Promise<Record<string, Record<string, string>>>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('otel-profile-bridge started'));
      if (line) resolve((JSON.parse(line) as { endpoints: Record<string, Record<string, string>> }).endpoints);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  proc.stdout!.resume();
  return {
    proc,
    otlp: `http://${endpoints['receivers.otlp']!.http}`,
    api: `http://${endpoints['extensions.api']!.http}`,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Row {
  case: string;
  statuses: string;
  seconds: number;
  healthMaxMs: number;
  probes: string;
  peakRss: number;
  baseRss: number;
  /** Bytes of all bodies sent. */
  bodyBytes: number;
}

// Uploads from a separate process, so the /health timings measure the server's event loop,
// not the bench's own (building and sending 60 MiB costs the sender too).
const SENDER = `
const { readFileSync } = await import('node:fs');
const [url, ...pairs] = process.argv.slice(1);
const out = await Promise.all(pairs.map(async (pair) => {
  const [file, type] = pair.split('|');
  try {
    const r = await fetch(url, { method: 'POST', body: readFileSync(file), headers: { 'content-type': type } });
    await r.arrayBuffer();
    return String(r.status);
  } catch (e) {
    return 'no answer (' + (e.cause?.code ?? e.message) + ')';
  }
}));
process.stdout.write(JSON.stringify(out));
`;

async function upload(url: string, bodies: Body[]): Promise<string[]> {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', SENDER, url, ...bodies.map((b) => `${b.file}|${b.type}`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await once(proc, 'exit');
  return JSON.parse(out) as string[];
}

interface Body {
  file: string;
  type: string;
}

async function measure(main: string, label: string, bodies: Body[]): Promise<Row> {
  const child = await startChild(main);
  try {
    process.stderr.write(`bench: hostile-bodies: ${label}\n`);
    const baseRss = procStatusBytes(child.proc.pid!, 'VmRSS');
    let running = true;
    let healthMaxMs = 0;
    let probes = 0;
    let failedProbes = 0;
    const prober = (async () => {
      while (running) {
        const t0 = performance.now();
        try {
          const r = await fetch(`${child.api}/health`);
          await r.arrayBuffer();
          probes++;
        } catch {
          failedProbes++;
          if (child.proc.exitCode !== null) break; // the process is gone
        }
        healthMaxMs = Math.max(healthMaxMs, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const answers = await upload(`${child.otlp}/v1development/profiles`, bodies);
    const seconds = (performance.now() - t0) / 1000;
    running = false;
    await prober;
    const alive = child.proc.exitCode === null && child.proc.signalCode === null;
    const peak = alive ? procStatusBytes(child.proc.pid!, 'VmHWM') : NaN;
    return {
      case: label,
      statuses: answers.join(', ') + (alive ? '' : ' (process exited)'),
      seconds,
      healthMaxMs,
      probes: `${probes}${failedProbes ? ` (+${failedProbes} failed)` : ''}`,
      peakRss: peak,
      baseRss,
      bodyBytes: bodies.reduce((n, b) => n + statSync(b.file).size, 0),
    };
  } finally {
    await child.stop();
  }
}

function emptyMessages(): Uint8Array {
  const b = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 2) b[i] = 0x0a; // field 1 (resource_profiles), length 0
  return b;
}

function emptyObjects(): Uint8Array {
  const head = '{"resourceProfiles":[';
  const n = Math.floor((SIZE - head.length - 2) / 3);
  return Buffer.from(head + '{},'.repeat(n - 1) + '{}]}');
}

const mb = (n: number) => (n >= 1024 * MiB ? `${(n / 1024 / MiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(0)} MiB`);

export async function hostileBodyRows(main: string, which: 'all' | 'single' = 'all'): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'opb-bench-bodies-'));
  try {
    return await rowsWith(main, which, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function bodyFile(dir: string, name: string, bytes: Uint8Array, type: string): Body {
  writeFileSync(join(dir, name), bytes);
  return { file: join(dir, name), type };
}

async function rowsWith(main: string, which: 'all' | 'single', dir: string): Promise<Row[]> {
  const proto = bodyFile(dir, 'empty-messages.pb', emptyMessages(), 'application/x-protobuf');
  const json = bodyFile(dir, 'empty-objects.json', emptyObjects(), 'application/json');
  const rows: Row[] = [];
  rows.push(await measure(main, '60 MiB protobuf, `0a 00` repeated', [proto]));
  rows.push(await measure(main, '60 MiB JSON, `{}` repeated', [json]));
  if (which === 'all') {
    rows.push(await measure(main, 'both at once', [proto, json]));
    const real = realisticProfilesRequest({ samples: 1_000_000, functions: 20_000, locations: 50_000, stacks: 100_000, links: 10_000 });
    const bytes = encodeProfilesRequest(real);
    const real1m = bodyFile(dir, 'realistic.pb', bytes, 'application/x-protobuf');
    rows.push(await measure(main, `accepted: realistic profiles request, 1 M samples (${mb(bytes.length)})`, [real1m]));
  }
  return rows;
}

export function rowsTable(rows: Row[]): string {
  return table(
    ['request', 'answer', 'duration', '/health probes', 'slowest /health meanwhile', 'peak RSS', 'RSS before', 'peak growth / body'],
    rows.map((r) => [
      r.case,
      r.statuses,
      `${r.seconds.toFixed(2)} s`,
      r.probes,
      `${fmt(r.healthMaxMs, 0)} ms`,
      mb(r.peakRss),
      mb(r.baseRss),
      `${((r.peakRss - r.baseRss) / r.bodyBytes).toFixed(1)} ×`,
    ]),
  );
}

export const suite: BenchSuite = {
  title: 'Hostile 60 MiB requests against `serve`',
  async run() {
    const main = new URL('../src/cli/main.js', import.meta.url).pathname;
    const before = process.env.OPB_BENCH_BEFORE_DIST;
    const parts = [
      "A `serve` child process (OTLP/HTTP → store, API); each row starts a fresh child. /health is polled every 50 ms (from the bench process; the bodies are uploaded by a separate process) until the answer; peak RSS is the child's VmHWM.",
      '',
      '### This build (pre-scan limits, defaults)',
      '',
      rowsTable(await hostileBodyRows(main)),
    ];
    if (before) {
      parts.push(
        '',
        `### Before: the build at ${before}`,
        '',
        'Single requests only: two decoded at once need ~8 GB on a shared machine (reported at 82 s when it was tried).',
        '',
        rowsTable(await hostileBodyRows(join(before, 'src/cli/main.js'), 'single')),
      );
    }
    return parts.join('\n');
  },
};
