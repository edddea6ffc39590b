// The worker pool: request bytes in -> gzip'd pprof out on 1 and on 2 worker threads, timed
// alternately in the same run so the ratio holds on a busy machine, for both pool tasks that
// make pprof: the receiver-side `pprof` (limits pre-scan, decode with samples as columns,
// validate, direct encode, gzip) and the exporters' `exportPprof` (the same without limits and
// validation); and a 1 M-sample request end to end into the store of a
// running `serve`, with the store on the main thread and writing in a worker: the server's
// longest event-loop stall meanwhile (prom-client's event-loop-lag maximum, as the limits
// test reads it), the request's duration and the process's peak RSS.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { DEFAULT_REQUEST_LIMITS } from '../src/otlp/prescan/index.js';
import { pprofOfRequest } from '../src/workers/tasks.js';
import { WorkerPool } from '../src/workers/pool.js';
import { startServe } from '../test/helpers/cli-serve.js';
import { procStatusBytes } from '../test/helpers/proc-status.js';
import { fmt, table, type BenchSuite } from './harness.js';
import { LARGE_PROFILE, realisticProfilesRequest, type ProfileShape } from './otlp-data.js';

const MiB = 2 ** 20;
/**
 * The convert suite's request (bench/otlp-data.ts LARGE_PROFILE, 100 k samples): the task's
 * target is defined on it (decode + convert + encode + gzip of a 100 k-sample profile), and
 * a request carries a fixed cost (its dictionary: 2 k functions, 5 k locations, 10 k stacks,
 * 1 k links) that a smaller one spreads over fewer samples, so the 1-worker row here is the
 * convert suite's exportPprof figure under the pool. 8 at once: the 800 k samples 16 requests
 * of 50 k were, within the suite's ~3 minutes.
 */
const SHAPE: ProfileShape = LARGE_PROFILE;
const REQUESTS = 8;
const ROUNDS = 3;
const limits = { values: DEFAULT_REQUEST_LIMITS, configKey: 'bench' };

type PoolTask = 'pprof' | 'exportPprof';

/**
 * Request samples per second through `pool` for `bodies` submitted at once, and the
 * process's CPU time per request meanwhile (every thread's: the workers' and the main one's).
 */
async function throughput(pool: WorkerPool, task: PoolTask, bodies: Uint8Array[]): Promise<{ rate: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    bodies.map((b) => {
      const copy = b.slice(); // each request's own buffer, transferred as a receiver or exporter does
      const transfer = [copy.buffer as ArrayBuffer];
      return task === 'pprof'
        ? pool.run('pprof', { format: 'proto', body: copy, limits }, transfer)
        : pool.run('exportPprof', { body: copy }, transfer);
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { rate: (bodies.length * SHAPE.samples) / s, cpuMs: (c.user + c.system) / 1000 / bodies.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface TaskRates {
  task: PoolTask;
  /** Per round: [1 worker, 2 workers] samples/s and the 1-minute load average before the round. */
  rounds: { one: number; two: number; cpuOne: number; cpuTwo: number; load: number }[];
}

async function poolRows(): Promise<string> {
  const bodies = Array.from({ length: REQUESTS }, (_, i) => encodeProfilesRequest(realisticProfilesRequest(SHAPE, i + 1)));
  const load0 = loadavg()[0]!;
  // Inline, for reference: the receiver-side function on this thread, one request after the other.
  const t0 = performance.now();
  for (const b of bodies.slice(0, 2)) pprofOfRequest({ format: 'proto', body: b, limits });
  const inline = (2 * SHAPE.samples) / ((performance.now() - t0) / 1000);
  const pools = [new WorkerPool({ threads: 1, maxQueued: REQUESTS }), new WorkerPool({ threads: 2, maxQueued: REQUESTS })];
  const results: TaskRates[] = [
    { task: 'pprof', rounds: [] },
    { task: 'exportPprof', rounds: [] },
  ];
  try {
    for (const p of pools) for (const r of results) await throughput(p, r.task, bodies.slice(0, 2)); // warm up: threads started, code optimised
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of results) {
        // Alternate which goes first, so a change in the machine's load hits both alike.
        const load = loadavg()[0]!;
        const rates = [0, 0];
        const cpu = [0, 0];
        for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) ({ rate: rates[k], cpuMs: cpu[k] } = await throughput(pools[k]!, r.task, bodies));
        r.rounds.push({ one: rates[0]!, two: rates[1]!, cpuOne: cpu[0]!, cpuTwo: cpu[1]!, load });
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  const label: Record<PoolTask, string> = {
    pprof: "receiver's `pprof` task (limits, columnar decode, validate, direct encode, gzip)",
    exportPprof: "exporters' `exportPprof` task (columnar decode, direct encode, gzip)",
  };
  const rows: string[][] = [['main thread, inline `pprof` (reference)', fmt(inline), '—', '—', '—', `${load0.toFixed(1)}`]];
  const summary: string[] = [];
  for (const r of results) {
    const ratios = r.rounds.map((x) => x.two / x.one);
    const one = median(r.rounds.map((x) => x.one));
    const two = median(r.rounds.map((x) => x.two));
    const ratio = median(ratios);
    const loads = r.rounds.map((x) => x.load.toFixed(1)).join(', ');
    const cpuOne = median(r.rounds.map((x) => x.cpuOne));
    const cpuTwo = median(r.rounds.map((x) => x.cpuTwo));
    // Request samples per CPU second of all threads: the figure a busy machine inflates least.
    const perCpu = (ms: number) => `${ms.toFixed(1)} (${fmt(SHAPE.samples / (ms / 1000))} samples per CPU second)`;
    rows.push([`${label[r.task]}, 1 worker`, fmt(one), r.rounds.map((x) => fmt(x.one, 0)).join(', '), '', perCpu(cpuOne), loads]);
    rows.push([`${label[r.task]}, 2 workers`, fmt(two), r.rounds.map((x) => fmt(x.two, 0)).join(', '), '', perCpu(cpuTwo), loads]);
    rows.push([
      `**${r.task}: 2 workers ÷ 1 worker**`,
      '',
      ratios.map((x) => x.toFixed(2)).join(', '),
      `**${ratio.toFixed(2)}×**`,
      `${(cpuTwo / cpuOne).toFixed(2)}× per request`,
      loads,
    ]);
    summary.push(
      `${r.task}: ${ratio.toFixed(2)}× with 2 workers (${((ratio / 2) * 100).toFixed(0)} % per added core); 16 idle cores would give about ${fmt(one * 16 * (ratio / 2))} samples/s (16 × the 1-worker figure × that efficiency — an extrapolation, not a measurement).`,
    );
  }
  return [
    `${REQUESTS} OTLP protobuf requests of ${fmt(SHAPE.samples, 0)} samples (${(bodies[0]!.length / MiB).toFixed(1)} MiB each) submitted at once, bytes in → gzip'd pprof out (samples/s counts request samples): the convert suite's request (bench/otlp-data.ts LARGE_PROFILE), on which the task's target is defined, so that the 1-worker exportPprof row is that suite's exportPprof figure under the pool (a request's dictionary, 2 k functions, 5 k locations, 10 k stacks and 1 k links, is a fixed cost that smaller requests spread over fewer samples); ${ROUNDS} rounds, 1 and 2 workers alternating within each; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (shared with other work: absolute figures are low and noisy, the ratio is the figure).`,
    '',
    table(['path', 'samples/s (median)', 'per round', 'ratio (median)', 'CPU ms per request (median, all threads)', '1-min load per round'], rows),
    '',
    'The CPU time per request is what the wall-time ratio cannot show on a busy machine: when it is the same with 2 workers as with 1, ' +
      'the second worker adds no work of its own, and 2 free cores would give 2× (the wall-time ratio falls short of that by the cores ' +
      'other processes keep busy meanwhile).',
    '',
    `A 16-core machine: the tasks share nothing (each thread decodes, converts and gzips its own request, in buffers of its own that it keeps between requests: up to 32 MiB for the encoder and 16 MiB of sample columns, enough for requests of about 100 k samples; larger ones allocate theirs per request), so throughput scales with free cores, and 16 workers keep up to 16 × 48 MiB of such buffers. ${summary.join(' ')}`,
  ].join('\n');
}

interface StoreRow {
  label: string;
  status: number;
  seconds: number;
  stallMs: number;
  slowestHealthMs: number;
  peakRss: number;
  baseRss: number;
}

async function storeRow(body: Uint8Array, inWorker: boolean): Promise<StoreRow> {
  const serve = await startServe(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  store: { directory: \${DIR}/data, write_in_worker: ${String(inWorker)} }
extensions:
  api: { endpoint: 127.0.0.1:0, ui_directory: \${DIR}/no-ui }
service:
  extensions: [api]
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [store] }
`);
  try {
    const endpoints = serve.endpoints;
    const api = `http://${endpoints['extensions.api']!.http}`;
    const lag = async () =>
      Number(/^otel_profile_bridge_process_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(await (await fetch(`${api}/metrics`)).text())![1]);
    await lag();
    const baseRss = procStatusBytes(serve.child.pid!, 'VmRSS');
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
      label: inWorker ? 'store in a worker (`write_in_worker: true`, the default)' : 'store on the main thread (`write_in_worker: false`)',
      status: res.status,
      seconds,
      stallMs: (await lag()) * 1000,
      slowestHealthMs: slowest,
      peakRss: procStatusBytes(serve.child.pid!, 'VmHWM'),
      baseRss,
    };
  } finally {
    await serve.stop();
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
