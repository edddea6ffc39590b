// Memory under high-cardinality load: a real bridge (the CLI as a child process, running the
// embedded default configuration — join + store + API — on ephemeral ports and a temporary
// data directory) receives, for OPB_BENCH_SOAK_SECONDS (default 150), requests that each
// carry 1000 stacks it has never seen, with the spans they ran under. The child's RSS is
// sampled every second; the suite reports start / peak / end RSS and the slope of the last
// third of the run (a plateau has a slope near zero).
//
// OPB_BENCH_SOAK_BASELINE=<path to another build's dist/src/cli/main.js> runs that build
// side by side under the same load (one request to each in turn), so the two are compared
// in the same run on the same (possibly busy) machine. The suite then runs the store
// writer alone in-process (OPB_BENCH_SOAK_WRITER_PROFILES profiles of 1000 new stacks,
// default 500) for each build, heap after GC: the caches that grow with distinct stacks,
// at a rate that a loaded machine's full pipeline does not reach in minutes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_YAML } from '../src/config/default-config.js';
import {
  DictionaryBuilder,
  makeProfile,
  makeProfilesRequest,
  makeResource,
  makeScope,
  makeSample,
  makeSpan,
  toKeyValues,
} from '../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../src/otlp/model.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../src/otlp/encode.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { packStacks, type ExtractedProfile } from '../src/store/ingest/extract.js';
import { fmt, table, type BenchSuite } from './harness.js';
import { mulberry32 } from '../test/helpers/prng.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const STACKS = 1000;
const SPANS = 100;
const FUNCTIONS = 20_000;

/** The embedded default with ephemeral loopback ports and its store in `dir`. */
export function soakConfig(dir: string): string {
  const yaml = DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:0').replace('directory: ./data', `directory: ${JSON.stringify(dir)}`);
  if (!yaml.includes(dir) || /127\.0\.0\.1:[1-9]/.test(yaml)) throw new Error('the embedded default changed shape: update soakConfig');
  return yaml;
}

interface Child {
  name: string;
  proc: ChildProcess;
  http: string;
  dir: string;
  rss: { t: number; mb: number }[];
  sent: number;
  refused: number;
}

async function startChild(name: string, cli: string): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'opb-soak-'));
  const config = join(dir, 'bridge.yaml');
  writeFileSync(config, soakConfig(join(dir, 'data')));
  const proc = spawn(process.execPath, [cli, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const http = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: bridge did not start in 60 s; stderr: ${stderr}`)), 60_000);
    proc.on('exit', (code) => reject(new Error(`${name}: bridge exited with ${code}; stderr: ${stderr}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as { msg?: string; endpoints?: Record<string, Record<string, string>> };
        if (rec.msg === 'otel-profile-bridge started') {
          clearTimeout(timer);
          resolve(`http://${rec.endpoints!['receivers.otlp']!.http}`);
        }
      } catch {
        /* the banner and other non-JSON lines */
      }
    });
  });
  return { name, proc, http, dir, rss: [], sent: 0, refused: 0 };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const rng = mulberry32;

function spanIdOf(i: number, k: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, (i + 1) >>> 0);
  v.setUint32(4, (k + 1) >>> 0);
  return b;
}

function traceIdOf(i: number): Uint8Array {
  const b = new Uint8Array(16).fill(0x7a);
  new DataView(b.buffer).setUint32(12, (i + 1) >>> 0);
  return b;
}

/** Request `i`'s spans: one HTTP server root and SPANS - 1 children. */
export function tracesRequest(i: number, nowNs: bigint): ExportTraceServiceRequest {
  const spans = Array.from({ length: SPANS }, (_, k) =>
    makeSpan({
      traceId: traceIdOf(i),
      spanId: spanIdOf(i, k),
      parentSpanId: k === 0 ? new Uint8Array(0) : spanIdOf(i, 0),
      name: k === 0 ? 'GET' : `query ${k % 20}`,
      kind: k === 0 ? 2 : 1,
      startTimeUnixNano: nowNs - 5_000_000_000n,
      endTimeUnixNano: nowNs,
      attributes: k === 0 ? toKeyValues({ 'http.route': `/api/${i % 50}`, 'http.request.method': 'GET' }) : [],
    }),
  );
  return {
    resourceSpans: [
      { resource: makeResource({ 'service.name': 'soak' }), scopeSpans: [{ scope: makeScope(), spans, schemaUrl: '' }], schemaUrl: '' },
    ],
  };
}

/** Request `i`'s profile: STACKS stacks (random walks over FUNCTIONS functions, new per request), linked to its spans. */
export function profilesRequest(i: number, nowNs: bigint): ExportProfilesServiceRequest {
  const r = rng(7919 * (i + 1));
  const b = new DictionaryBuilder();
  const loc = (f: number) =>
    b.location([
      {
        functionIndex: b.function(`pkg${f % 60}.Type${f % 101}.fn${f}`, `src/pkg${f % 60}/file${f % 17}.go`, f % 400),
        line: (f * 7) % 900,
        column: 0,
      },
    ]);
  const trace = traceIdOf(i);
  const samples = [];
  for (let k = 0; k < STACKS; k++) {
    const depth = 8 + Math.floor(r() * 24);
    const frames = Array.from({ length: depth }, () => loc(Math.floor(r() * FUNCTIONS)));
    samples.push(makeSample({ stackIndex: b.stack(frames), values: [1 + Math.floor(r() * 5)], linkIndex: b.link(trace, spanIdOf(i, k % SPANS)) }));
  }
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10_000_000,
    timeUnixNano: nowNs - 5_000_000_000n,
    durationNano: 5_000_000_000n,
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'soak', 'host.name': `host-${i % 4}` }), makeScope());
}

async function post(url: string, body: Uint8Array): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  await res.arrayBuffer();
  return res.status;
}

/** Sends one request pair; a refusal (back-pressure) is counted and retried later, not dropped silently. */
async function send(c: Child, traces: Uint8Array, profiles: Uint8Array): Promise<void> {
  const t = await post(`${c.http}/v1/traces`, traces);
  const p = await post(`${c.http}/v1development/profiles`, profiles);
  if (t === 200 && p === 200) c.sent++;
  else {
    c.refused++;
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface WriterModule {
  StoreWriter: new (db: unknown) => { writeProfiles(p: ExtractedProfile[]): unknown };
}
interface SchemaModule {
  openWriteDatabase(file: string): { close(): void };
}

const WRITER_FRAMES = 2000;

/** Profile `i` as the writer gets it: 1000 stacks never written before, over 2000 of the 20 k functions. */
function extracted(i: number): ExtractedProfile {
  const r = rng(104_729 * (i + 1));
  const stacks = Array.from({ length: STACKS }, () => ({
    frames: Array.from({ length: 8 + Math.floor(r() * 24) }, () => Math.floor(r() * WRITER_FRAMES)),
    value: 1,
  }));
  return {
    profileKey: `soak-${i}`,
    type: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
    labels: { service_name: 'soak' },
    startMs: 1_750_000_000_000 + i * 10_000,
    endMs: 1_750_000_010_000 + i * 10_000,
    unit: 'nanoseconds',
    sampleType: 'cpu',
    sampleUnit: 'nanoseconds',
    periodType: 'cpu',
    periodUnit: 'nanoseconds',
    period: 10_000_000,
    frames: Array.from({ length: WRITER_FRAMES }, (_, k) => (i * 613 + k * 10) % FUNCTIONS).map((f) => ({
      name: `pkg${f % 60}.Type${f % 101}.fn${f}`,
      file: `src/pkg${f % 60}/file${f % 17}.go`,
      line: (f * 7) % 900,
      startLine: f % 400,
    })),
    stacks: packStacks(stacks),
    spanSamples: [],
    threads: new Map(),
    total: STACKS,
    sampleCount: STACKS,
  };
}

/**
 * The store writer alone, in this process: heap (after GC) while it writes `profiles`
 * profiles of 1000 new stacks each — the part of the bridge whose caches grow with distinct
 * stacks, at a rate a loaded machine's full pipeline cannot reach in minutes.
 */
async function writerHeap(cliPath: string, profiles: number): Promise<number[]> {
  const dist = dirname(dirname(cliPath));
  const { StoreWriter } = (await import(join(dist, 'store', 'writer.js'))) as WriterModule;
  const { openWriteDatabase } = (await import(join(dist, 'store', 'schema.js'))) as SchemaModule;
  const dir = mkdtempSync(join(tmpdir(), 'opb-soak-writer-'));
  const db = openWriteDatabase(join(dir, 'store.db'));
  try {
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const base = heap();
    const writer = new StoreWriter(db);
    const out: number[] = [];
    for (let i = 0; i < profiles; i++) {
      writer.writeProfiles([extracted(i)]);
      if ((i + 1) % (profiles / 5) === 0) out.push(heap() - base);
    }
    return out;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Least-squares slope of RSS (MB) over time (minutes). */
function slope(points: { t: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mm = points.reduce((a, p) => a + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.mb - mm);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function summary(c: Child): (string | number)[] {
  const r = c.rss;
  const peak = Math.max(...r.map((p) => p.mb));
  const last = r.slice(Math.floor((r.length * 2) / 3));
  const third = r.slice(Math.floor(r.length / 3), Math.floor((r.length * 2) / 3));
  const s = slope(last);
  const mean = (xs: { mb: number }[]) => xs.reduce((a, p) => a + p.mb, 0) / Math.max(1, xs.length);
  // A plateau: the last third grows by less than 2 % of the end RSS per minute.
  const plateau = s < 0.02 * r[r.length - 1]!.mb;
  return [
    c.name,
    fmt(c.sent, 0),
    fmt(c.sent * STACKS, 0),
    c.refused,
    r[0]!.mb.toFixed(0),
    peak.toFixed(0),
    r[r.length - 1]!.mb.toFixed(0),
    `${mean(third).toFixed(0)} → ${mean(last).toFixed(0)}`,
    s.toFixed(1),
    plateau ? 'yes' : 'no',
  ];
}

export const suite: BenchSuite = {
  title: 'Memory under high-cardinality load (real bridge, 1000 new stacks per request)',
  async run() {
    const seconds = Number(process.env.OPB_BENCH_SOAK_SECONDS ?? 150);
    if (!(seconds > 0)) throw new Error('OPB_BENCH_SOAK_SECONDS must be a positive number of seconds');
    const baseline = process.env.OPB_BENCH_SOAK_BASELINE;
    const loadBefore = loadavg()[0]!;
    const children: Child[] = [await startChild('this build', CLI)];
    try {
      if (baseline) children.push(await startChild(`baseline (${baseline})`, baseline));
      const t0 = Date.now();
      const sampleRss = () => {
        for (const c of children) c.rss.push({ t: (Date.now() - t0) / 60_000, mb: rssMb(c.proc.pid!) });
      };
      sampleRss();
      const timer = setInterval(sampleRss, 1000);
      let i = 0;
      try {
        while (Date.now() - t0 < seconds * 1000) {
          const nowNs = BigInt(Date.now()) * 1_000_000n;
          const traces = encodeTracesRequest(tracesRequest(i, nowNs));
          const profiles = encodeProfilesRequest(profilesRequest(i, nowNs));
          // The same request to each bridge in turn: both see the same load.
          for (const c of children) await send(c, traces, profiles);
          i++;
        }
      } finally {
        clearInterval(timer);
      }
      sampleRss();
      const rows = children.map(summary);
      for (const c of children) c.proc.kill('SIGKILL');
      const writerProfiles = Number(process.env.OPB_BENCH_SOAK_WRITER_PROFILES ?? 500);
      const writerRows: (string | number)[][] = [];
      for (const [name, cli] of [['this build', CLI], ...(baseline ? [[`baseline (${baseline})`, baseline]] : [])] as [string, string][]) {
        writerRows.push([name, ...(await writerHeap(cli, writerProfiles)).map((mb) => mb.toFixed(0))]);
      }
      const series = children.map((c) => {
        const step = Math.max(1, Math.floor(c.rss.length / 12));
        return `- ${c.name}: ${c.rss
          .filter((_, k) => k % step === 0)
          .map((p) => `${p.t.toFixed(1)} min ${p.mb.toFixed(0)} MB`)
          .join(', ')}`;
      });
      return [
        `${seconds} s of load; each request: ${STACKS} samples on ${STACKS} stacks never sent before (random walks over ${fmt(FUNCTIONS, 0)} functions, depth 8–31), linked to ${SPANS} spans sent just before it. One request in flight per bridge.`,
        '',
        table(
          [
            'bridge',
            'requests',
            'stacks sent',
            'refused',
            'RSS start MB',
            'peak MB',
            'end MB',
            'mean RSS, middle → last third',
            'slope of last third, MB/min',
            'plateau (< 2 %/min)',
          ],
          rows,
        ),
        '',
        'RSS over time:',
        ...series,
        '',
        `The store writer alone (in this process, no conversion): heap growth in MB (after GC) while it writes ${fmt(writerProfiles, 0)} profiles of ${STACKS} new stacks each:`,
        '',
        table(['writer', ...[1, 2, 3, 4, 5].map((k) => `after ${fmt((k * writerProfiles * STACKS) / 5, 0)} stacks`)], writerRows),
        '',
        `1-minute load average at start / end: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)}. Request rates depend on the machine's load; RSS figures of bridges run side by side are comparable.`,
      ].join('\n');
    } finally {
      for (const c of children) {
        c.proc.kill('SIGKILL');
        rmSync(c.dir, { recursive: true, force: true });
      }
    }
  },
};
