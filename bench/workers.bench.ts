// The worker pool: request bytes in -> gzip'd pprof out (limits pre-scan, decode, validate,
// convert, encode, gzip) on 1 and on 2 worker threads, timed alternately in the same run so
// the ratio holds on a busy machine; and a 1 M-sample request end to end into the store of a
// running `serve`, with the store on the main thread and writing in a worker: the server's
// longest event-loop stall meanwhile (prom-client's event-loop-lag maximum, as the limits
// test reads it), the request's duration and the process's peak RSS.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { DEFAULT_REQUEST_LIMITS } from '../src/otlp/prescan/index.js';
import { pprofOfRequest } from '../src/workers/tasks.js';
import { WorkerPool } from '../src/workers/pool.js';
import { fmt, table, type BenchSuite } from './harness.js';
import { realisticProfilesRequest, type ProfileShape } from './otlp-data.js';

const MiB = 2 ** 20;
const SHAPE: ProfileShape = { samples: 50_000, functions: 2_000, locations: 5_000, stacks: 10_000, links: 1_000 };
const REQUESTS = 16;
const ROUNDS = 3;
const limits = { values: DEFAULT_REQUEST_LIMITS, configKey: 'bench' };

/** Samples per second through `pool` for REQUESTS requests submitted at once. */
async function throughput(pool: WorkerPool, bodies: Uint8Array[]): Promise<number> {
  const t0 = performance.now();
  const outs = await Promise.all(
    bodies.map((b) => {
      const copy = b.slice(); // each request's own buffer, transferred as a receiver does
      return pool.run('pprof', { format: 'proto', body: copy, limits }, [copy.buffer as ArrayBuffer]);
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return outs.reduce((n, o) => n + o.samples, 0) / s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function poolRows(): Promise<string> {
  const bodies = Array.from({ length: REQUESTS }, (_, i) => encodeProfilesRequest(realisticProfilesRequest(SHAPE, i + 1)));
  const load0 = loadavg()[0]!;
  // Inline, for reference: the same function on this thread, one request after the other.
  const t0 = performance.now();
  let inlineSamples = 0;
  for (const b of bodies.slice(0, 4)) inlineSamples += pprofOfRequest({ format: 'proto', body: b, limits }).samples;
  const inline = inlineSamples / ((performance.now() - t0) / 1000);
  const pools = [new WorkerPool({ threads: 1, maxQueued: REQUESTS }), new WorkerPool({ threads: 2, maxQueued: REQUESTS })];
  const rates: number[][] = [[], []];
  try {
    for (const p of pools) await throughput(p, bodies.slice(0, 4)); // warm up: threads started, code optimised
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so a change in the machine's load hits both alike.
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) rates[k]!.push(await throughput(pools[k]!, bodies));
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  const ratios = rates[0]!.map((one, i) => rates[1]![i]! / one);
  const one = median(rates[0]!);
  const two = median(rates[1]!);
  const ratio = median(ratios);
  return [
    `${REQUESTS} requests of ${fmt(SHAPE.samples, 0)} samples (${(bodies[0]!.length / MiB).toFixed(1)} MiB each) submitted at once, ${ROUNDS} alternating rounds; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (shared with other work: absolute figures are low and noisy, the ratio is the figure).`,
    '',
    table(
      ['path', 'samples/s (median)', 'per round'],
      [
        ['main thread, inline (reference)', fmt(inline), '—'],
        ['pool, 1 worker', fmt(one), rates[0]!.map((x) => fmt(x, 0)).join(', ')],
        ['pool, 2 workers', fmt(two), rates[1]!.map((x) => fmt(x, 0)).join(', ')],
        ['**2 workers ÷ 1 worker**', `**${ratio.toFixed(2)}×**`, ratios.map((x) => x.toFixed(2)).join(', ')],
      ],
    ),
    '',
    `A 16-core machine: the tasks share nothing (each thread decodes, converts and gzips its own request), so throughput scales with free cores; with this run's 2-worker efficiency (${((ratio / 2) * 100).toFixed(0)} % per added core) a reader should expect about ${fmt(one * 16 * (ratio / 2))} samples/s on 16 idle cores (16 × the 1-worker figure × that efficiency) — an extrapolation from 1 and 2 workers, not a measurement.`,
  ].join('\n');
}

const here = fileURLToPath(new URL('.', import.meta.url));
const MAIN = join(here, '..', 'src', 'cli', 'main.js');

interface StoreRow {
  label: string;
  status: number;
  seconds: number;
  stallMs: number;
  slowestHealthMs: number;
  peakRss: number;
  baseRss: number;
}

function vm(pid: number, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

async function storeRow(body: Uint8Array, inWorker: boolean): Promise<StoreRow> {
  const dir = mkdtempSync(join(tmpdir(), 'opb-bench-workers-'));
  writeFileSync(
    join(dir, 'bridge.yaml'),
    `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  store: { directory: ${JSON.stringify(join(dir, 'data'))}, write_in_worker: ${inWorker} }
extensions:
  api: { endpoint: 127.0.0.1:0, ui_directory: ${JSON.stringify(join(dir, 'no-ui'))} }
service:
  extensions: [api]
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [store] }
`,
  );
  const proc = spawn(process.execPath, [MAIN, 'serve', '--config', join(dir, 'bridge.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const endpoints = await new Promise<Record<string, Record<string, string>>>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.includes('otel-profile-bridge started'));
        if (line) resolve((JSON.parse(line) as { endpoints: Record<string, Record<string, string>> }).endpoints);
      });
      proc.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const api = `http://${endpoints['extensions.api']!.http}`;
    const lag = async () =>
      Number(/^otel_profile_bridge_process_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(await (await fetch(`${api}/metrics`)).text())![1]);
    await lag();
    const baseRss = vm(proc.pid!, 'VmRSS');
    let done = false;
    let slowest = 0;
    const prober = (async () => {
      while (!done) {
        const t = performance.now();
        // A connection the blocked server timed out meanwhile fails: that counts as slow too.
        await fetch(`${api}/health`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
        slowest = Math.max(slowest, performance.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = performance.now();
    const res = await fetch(`http://${endpoints['receivers.otlp']!.http}/v1development/profiles`, {
      method: 'POST',
      body: body.slice(),
      headers: { 'content-type': 'application/x-protobuf' },
    });
    await res.arrayBuffer();
    const seconds = (performance.now() - t0) / 1000;
    done = true;
    await prober;
    return {
      label: inWorker ? 'store in a worker (`write_in_worker: true`)' : 'store on the main thread (default)',
      status: res.status,
      seconds,
      stallMs: (await lag()) * 1000,
      slowestHealthMs: slowest,
      peakRss: vm(proc.pid!, 'VmHWM'),
      baseRss,
    };
  } finally {
    proc.kill('SIGTERM');
    await once(proc, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storeRows(): Promise<string> {
  const req = realisticProfilesRequest({ ...SHAPE, samples: 1_000_000 });
  const now = BigInt(Date.now()) * 1_000_000n;
  const p = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!;
  const shift = now - p.durationNano - p.timeUnixNano;
  p.timeUnixNano += shift;
  for (const s of p.samples) s.timestampsUnixNano = s.timestampsUnixNano.map((t) => t + shift);
  const body = encodeProfilesRequest(req);
  const load0 = loadavg()[0]!;
  const rows: StoreRow[] = [];
  for (const inWorker of [false, true]) rows.push(await storeRow(body, inWorker));
  return [
    `One OTLP/HTTP protobuf request of 1 M samples (${(body.length / MiB).toFixed(1)} MiB, within the default limits) into \`serve\` with the store; /health polled every 100 ms meanwhile; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}.`,
    '',
    table(
      ['store', 'answer', 'request s', 'server event-loop stall (max)', 'slowest /health', 'peak RSS', 'peak RSS ÷ body'],
      rows.map((r) => [
        r.label,
        r.status,
        r.seconds.toFixed(1),
        `${fmt(r.stallMs, 0)} ms`,
        `${fmt(r.slowestHealthMs, 0)} ms`,
        `${(r.peakRss / MiB).toFixed(0)} MiB (idle ${(r.baseRss / MiB).toFixed(0)})`,
        `${(r.peakRss / body.length).toFixed(0)}×`,
      ]),
    ),
  ].join('\n');
}

export const suite: BenchSuite = {
  title: "Worker pool: request bytes in → gzip'd pprof out, 1 vs 2 workers; a 1 M-sample request into the store",
  async run() {
    return [await poolRows(), '', await storeRows()].join('\n');
  },
};
