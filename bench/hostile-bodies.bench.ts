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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
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

/** Peak and current resident set of a process, from /proc (Linux). */
function rss(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

interface Row {
  case: string;
  statuses: string;
  seconds: number;
  healthMaxMs: number;
  peakRss: number;
  baseRss: number;
}

async function measure(main: string, label: string, bodies: { bytes: Uint8Array; type: string }[]): Promise<Row> {
  const child = await startChild(main);
  try {
    const baseRss = rss(child.proc.pid!).now;
    let running = true;
    let healthMaxMs = 0;
    const prober = (async () => {
      while (running) {
        const t0 = performance.now();
        const r = await fetch(`${child.api}/health`);
        await r.arrayBuffer();
        healthMaxMs = Math.max(healthMaxMs, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const answers = await Promise.all(
      bodies.map(async (b) => {
        const r = await fetch(`${child.otlp}/v1development/profiles`, { method: 'POST', body: b.bytes, headers: { 'content-type': b.type } });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    running = false;
    await prober;
    return { case: label, statuses: answers.join(', '), seconds, healthMaxMs, peakRss: rss(child.proc.pid!).peak, baseRss };
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

const mb = (n: number) => `${fmt(n / MiB, 0)} MiB`;

export async function hostileBodyRows(main: string, which: 'all' | 'single' = 'all'): Promise<Row[]> {
  const proto = { bytes: emptyMessages(), type: 'application/x-protobuf' };
  const json = { bytes: emptyObjects(), type: 'application/json' };
  const rows: Row[] = [];
  rows.push(await measure(main, '60 MiB protobuf, `0a 00` repeated', [proto]));
  rows.push(await measure(main, '60 MiB JSON, `{}` repeated', [json]));
  if (which === 'all') {
    rows.push(await measure(main, 'both at once', [proto, json]));
    const real = realisticProfilesRequest({ samples: 1_000_000, functions: 20_000, locations: 50_000, stacks: 100_000, links: 10_000 });
    const bytes = encodeProfilesRequest(real);
    rows.push(await measure(main, `accepted: realistic profiles request, 1 M samples (${mb(bytes.length)})`, [{ bytes, type: 'application/x-protobuf' }]));
  }
  return rows;
}

export function rowsTable(rows: Row[]): string {
  return table(
    ['request', 'answer', 'duration', 'slowest /health meanwhile', 'peak RSS', 'RSS before'],
    rows.map((r) => [r.case, r.statuses, `${r.seconds.toFixed(2)} s`, `${fmt(r.healthMaxMs, 0)} ms`, mb(r.peakRss), mb(r.baseRss)]),
  );
}

export const suite: BenchSuite = {
  title: 'Hostile 60 MiB requests against `serve`',
  async run() {
    const main = new URL('../src/cli/main.js', import.meta.url).pathname;
    const before = process.env.OPB_BENCH_BEFORE_DIST;
    const parts = [
      'A `serve` child process (OTLP/HTTP → store, API); each row starts a fresh child. /health is polled every 50 ms during the upload; peak RSS is the child\'s VmHWM.',
      '',
      '### This build (pre-scan limits, defaults)',
      '',
      rowsTable(await hostileBodyRows(main)),
    ];
    if (before) {
      parts.push('', `### Before: ${before}`, '', rowsTable(await hostileBodyRows(join(before, 'src/cli/main.js'), 'single')));
    }
    return parts.join('\n');
  },
};
