// pprof conversion throughput on a 100 k-sample eBPF-shaped CPU profile: request bytes ->
// pprof bytes through the columnar decode (samples as typed arrays, src/otlp/columns; what the
// worker tasks run), OTLP model -> pprof bytes directly (encode-direct.ts) beside the older path through the
// pprof-format model (convert, then encode), model -> bytes (our encoder and pprof-format's
// own), gzip at several settings, and the whole request-bytes-in, gzip-out path both ways,
// beside the bare decode of the same request as the baseline.
// Every operation is timed round-robin with the others in the same run, so ratios hold even
// when the machine is busy.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { constants, gzipSync, type ZlibOptions } from 'node:zlib';
import { decodeProfilesRequest } from '../src/otlp/decode.js';
import { decodeProfilesRequestColumnar } from '../src/otlp/columns/decode.js';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { convertProfilesRequest } from '../src/pprof/convert.js';
import { encodeProfilesRequestPprof } from '../src/pprof/encode-direct.js';
import { exportPprof } from '../src/workers/tasks.js';
import { encodeProfileFast } from '../src/pprof/encode-fast.js';
import { PPROF_GZIP_LEVEL, PPROF_GZIP_OPTIONS, encodePprofGzip } from '../src/pprof/encode.js';
import { type BenchSuite, fmt, table, type Timing } from './harness.js';
import { LARGE_PROFILE, realisticProfilesRequest } from './otlp-data.js';

const ITERATIONS = 15;
/** Rounds of the target figure's own round (see where it is timed). */
const TARGET_ITERATIONS = 45;
const LEVELS = [1, 2, 3, 6, 9];

function gzipName(level: number): string {
  return `gzip level ${level}${level === PPROF_GZIP_LEVEL ? ', memLevel 8 (zlib default)' : ''}`;
}

/** Other zlib settings at level 1, each timed and sized beside the levels. */
const GZIP_VARIANTS: [string, ZlibOptions][] = [
  ['gzip level 1, memLevel 9 (used: PPROF_GZIP_OPTIONS)', PPROF_GZIP_OPTIONS],
  ['gzip level 1, memLevel 9, chunkSize 1 MiB', { ...PPROF_GZIP_OPTIONS, chunkSize: 2 ** 20 }],
  ['gzip level 1, memLevel 9, chunkSize = input (one output chunk)', { ...PPROF_GZIP_OPTIONS, chunkSize: 16 * 2 ** 20 }],
  ['gzip level 1, Z_RLE strategy', { level: 1, strategy: constants.Z_RLE }],
  ['gzip level 1, Z_FILTERED strategy', { level: 1, strategy: constants.Z_FILTERED }],
  ['gzip level 1, Z_HUFFMAN_ONLY strategy', { level: 1, strategy: constants.Z_HUFFMAN_ONLY }],
];
const WARMUP = 2;
const DIRECT = 'convert + encode, direct (OTLP model -> pprof bytes, encode-direct.ts)';
const MODEL = 'convert + encode, through the pprof-format model (before)';
const DIRECT_E2E = 'decode + direct encode + gzip (request bytes in, file bytes out; what the exporters run)';
const DIRECT_NO_ID = 'convert + encode, direct, no profile id (content id: hash of the pprof bytes)';
const COLUMNAR = "request bytes → pprof bytes, columnar (the workers' decode and encoder)";
const COLUMNAR_DECODE = 'decode OTLP protobuf, samples as columns (src/otlp/columns)';
const FROM_COLUMNS = 'convert + encode from columns (decode excluded: the request decoded into columns once, outside the clock)';
const COLUMNAR_E2E = "request bytes in → gzip'd pprof out, columnar, gzipSync of the returned pprof (before)";
const COLUMNAR_GZIP =
  "request bytes in → gzip'd pprof out: the exportPprof task (pooled columns, encoder buffers kept, gzip'd from the kept output; what the workers run)";

/** Bytes of an unsigned varint (values here are non-negative and below 2^53). */
function vsize(v: number | bigint): number {
  let n = 1;
  let x = Number(v);
  while (x >= 128) {
    n++;
    x = Math.floor(x / 128);
  }
  return n;
}

/** Where a pprof's bytes go: the samples' location-id runs, labels and rest, and the tables. */
function byteBreakdown(model: ReturnType<typeof convertProfilesRequest>['profiles'][number]['profile'], total: number): string[][] {
  let runs = 0;
  let labels = 0;
  let sampleRest = 0;
  for (const s of model.sample) {
    let payload = 0;
    for (const id of s.locationId) payload += vsize(id);
    const run = s.locationId.length === 0 ? 0 : 1 + vsize(payload) + payload;
    let lb = 0;
    for (const l of s.label) {
      let body = 0;
      if (Number(l.key) !== 0) body += 1 + vsize(l.key);
      if (Number(l.str) !== 0) body += 1 + vsize(l.str);
      if (Number(l.num) !== 0) body += 1 + vsize(l.num);
      if (Number(l.numUnit) !== 0) body += 1 + vsize(l.numUnit);
      lb += 1 + vsize(body) + body;
    }
    let vb = 0;
    for (const v of s.value) vb += vsize(v);
    const body = run + (s.value.length === 0 ? 0 : 1 + vsize(vb) + vb) + lb;
    runs += run;
    labels += lb;
    sampleRest += 1 + vsize(body) + body - run - lb;
  }
  const n = model.sample.length;
  const row = (name: string, b: number) => [name, `${(b / n).toFixed(1)} B/sample`, `${((100 * b) / total).toFixed(1)}%`];
  return [
    row('location-id runs (field 1 of each Sample)', runs),
    row('labels (thread name and id, span and trace ids)', labels),
    row('sample tags, lengths and values', sampleRest),
    row('tables (strings, functions, locations, mappings) and header', total - runs - labels - sampleRest),
  ];
}

/**
 * Times each function `iterations` times, round-robin, after `warmup` rounds: wall time, and
 * the process's CPU time (user + system, GC threads included), which a busy machine inflates
 * less than wall time (time spent descheduled is not counted).
 */
function roundRobin(
  fns: (() => unknown)[],
  iterations = ITERATIONS,
  warmup = WARMUP,
): (Timing & { cpuMedianMs: number; cpuQuartilesMs: [number, number] })[] {
  const samples: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let i = 0; i < warmup + iterations; i++) {
    fns.forEach((fn, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      const dt = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (i >= warmup) {
        samples[k]!.push(dt);
        cpu[k]!.push((c.user + c.system) / 1000);
      }
    });
  }
  const at = (s: number[], q: number) => [...s].sort((a, b) => a - b)[Math.floor((s.length - 1) * q)]!;
  return samples.map((s, k) => {
    s.sort((a, b) => a - b);
    return {
      medianMs: s[Math.floor(s.length / 2)]!,
      minMs: s[0]!,
      maxMs: s[s.length - 1]!,
      iterations,
      cpuMedianMs: at(cpu[k]!, 0.5),
      cpuQuartilesMs: [at(cpu[k]!, 0.25), at(cpu[k]!, 0.75)],
    };
  });
}

export const suite: BenchSuite = {
  title: 'pprof conversion (convert / encode / gzip)',
  async run(): Promise<string> {
    const loadBefore = loadavg()[0]!;
    const request = realisticProfilesRequest();
    const bytes = encodeProfilesRequest(request);
    const decoded = decodeProfilesRequest(bytes);
    const converted = convertProfilesRequest(decoded).profiles[0]!;
    const model = converted.profile;
    const pprofBytes = encodeProfileFast(model);
    const samples = LARGE_PROFILE.samples;
    // The same request without a profile_id (what the OTel eBPF profiler sends): a content id is derived.
    const noIdRequest = realisticProfilesRequest();
    noIdRequest.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.profileId = new Uint8Array(16);
    const noId = decodeProfilesRequest(encodeProfilesRequest(noIdRequest));
    const gz = (level: number) => () => gzipSync(pprofBytes, { level });
    // Decoded once: the encoder only reads the columns (checked below: the same bytes after every round).
    const columns = decodeProfilesRequestColumnar(bytes);

    const ops: [string, () => unknown][] = [
      ['decode OTLP protobuf (baseline)', () => decodeProfilesRequest(bytes)],
      [COLUMNAR, () => encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes))],
      [COLUMNAR_DECODE, () => decodeProfilesRequestColumnar(bytes)],
      [FROM_COLUMNS, () => encodeProfilesRequestPprof(columns)],
      [COLUMNAR_E2E, () => gzipSync(encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes)).profiles[0]!.pprof!, PPROF_GZIP_OPTIONS)],
      [COLUMNAR_GZIP, () => exportPprof({ body: bytes })],
      [DIRECT, () => encodeProfilesRequestPprof(decoded)],
      [DIRECT_NO_ID, () => encodeProfilesRequestPprof(noId)],
      [MODEL, () => encodeProfileFast(convertProfilesRequest(decoded).profiles[0]!.profile)],
      ['convert (OTLP model -> pprof model)', () => convertProfilesRequest(decoded)],
      ['encode pprof: ours (encodeProfileFast)', () => encodeProfileFast(model)],
      ['encode pprof: pprof-format `Profile.encode()`', () => model.encode()],
      ...LEVELS.map((level): [string, () => unknown] => [gzipName(level), gz(level)]),
      ['convert + encode + gzip (what an exporter runs)', () => encodePprofGzip(convertProfilesRequest(decoded).profiles[0]!.profile)],
      [
        'decode + convert + encode + gzip (request bytes in, file bytes out)',
        () => encodePprofGzip(convertProfilesRequest(decodeProfilesRequest(bytes)).profiles[0]!.profile),
      ],
      [DIRECT_E2E, () => gzipSync(encodeProfilesRequestPprof(decodeProfilesRequest(bytes)).profiles[0]!.pprof!, PPROF_GZIP_OPTIONS)],
      ...GZIP_VARIANTS.map(([name, options]): [string, () => unknown] => [name, () => gzipSync(pprofBytes, options)]),
    ];
    const timings = roundRobin(ops.map(([, fn]) => fn));
    const byName = new Map(ops.map(([name], i) => [name, timings[i]!]));
    // The bytes-in paths again, round-robin among themselves only: in the big round the
    // garbage of the other rows (and the heap kept for them: the model, its bytes) is collected
    // during whichever row runs when V8 decides to, which moves these rows by up to 2×.
    const own: [string, () => unknown][] = [
      ['decode OTLP protobuf (baseline)', () => decodeProfilesRequest(bytes)],
      [COLUMNAR, () => encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes))],
      [COLUMNAR_E2E, () => gzipSync(encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes)).profiles[0]!.pprof!, PPROF_GZIP_OPTIONS)],
      [COLUMNAR_GZIP, () => exportPprof({ body: bytes })],
      [DIRECT_E2E, () => gzipSync(encodeProfilesRequestPprof(decodeProfilesRequest(bytes)).profiles[0]!.pprof!, PPROF_GZIP_OPTIONS)],
    ];
    const ownTimings = roundRobin(own.map(([, fn]) => fn));
    // The target figure from a round of its own, beside the bare decode only: in the big round
    // the rows before it (the columnar decode's fresh columns above all) left garbage that V8
    // collected during it, on GC threads too (its CPU time ran past its wall time, and past the
    // whole bytes → bytes row's). Three times the rounds of the others: the round is short, and
    // with 15 its figure moved between 0.96× and 1.81× over three runs of the same code, as the
    // decode's garbage was collected during one row or the other.
    const [targetDecode, targetFromColumns] = roundRobin(
      [() => decodeProfilesRequest(bytes), () => encodeProfilesRequestPprof(columns)],
      TARGET_ITERATIONS,
    );
    // The exportPprof task in a round of its own, as a worker thread runs it (one task after the
    // other, nothing else allocating meanwhile): in the rounds above, the object decodes beside
    // it left garbage that V8 collected during whichever row ran then (its CPU figure moved
    // between 360 k and 450 k samples per CPU second over runs of the same code). This
    // process still holds the other rows' inputs (a decoded 100 k-sample request twice, its
    // pprof model), which a worker's heap does not; the workers suite times the task in one.
    const [taskOwn] = roundRobin([() => exportPprof({ body: bytes })], TARGET_ITERATIONS);
    const ownRows = own.map(([name], i) => {
      const t = ownTimings[i]!;
      return [
        name,
        t.medianMs.toFixed(1),
        `${fmt(samples / (t.medianMs / 1000))} samples/s`,
        `${(t.medianMs / ownTimings[0]!.medianMs).toFixed(2)}×`,
        `${(t.cpuMedianMs / ownTimings[0]!.cpuMedianMs).toFixed(2)}×`,
      ];
    });
    const decodeMs = timings[0]!.medianMs;
    const decodeCpu = timings[0]!.cpuMedianMs;
    const rows = ops.map(([name], i) => {
      const t = timings[i]!;
      return [
        name,
        t.medianMs.toFixed(1),
        `${fmt(samples / (t.medianMs / 1000))} samples/s`,
        `${(t.medianMs / decodeMs).toFixed(2)}×`,
        t.cpuMedianMs.toFixed(1),
        `${(t.cpuMedianMs / decodeCpu).toFixed(2)}×`,
      ];
    });
    const ours = byName.get('encode pprof: ours (encodeProfileFast)')!.medianMs;
    const theirs = byName.get('encode pprof: pprof-format `Profile.encode()`')!.medianMs;
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
    const sizes = [
      ...LEVELS.map((level) => [gzipName(level), mib(gzipSync(pprofBytes, { level }).length)]),
      ...GZIP_VARIANTS.map(([name, options]) => [name, mib(gzipSync(pprofBytes, options).length)]),
    ];
    const direct = byName.get(DIRECT)!.medianMs;
    const directCpu = byName.get(DIRECT)!.cpuMedianMs;
    const e2eNewCpu = byName.get(DIRECT_E2E)!.cpuMedianMs;
    const gz8 = byName.get(gzipName(1))!;
    const gz9 = byName.get(GZIP_VARIANTS[0]![0])!;
    const huff = byName.get('gzip level 1, Z_HUFFMAN_ONLY strategy')!;
    const size = (o: ZlibOptions) => gzipSync(pprofBytes, o).length;
    const size8 = size({ level: 1 });
    const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${((100 * (a - b)) / b).toFixed(1)}%`;
    const viaModel = byName.get(MODEL)!.medianMs;
    const e2eOld = byName.get('decode + convert + encode + gzip (request bytes in, file bytes out)')!.medianMs;
    const e2eNew = byName.get(DIRECT_E2E)!.medianMs;
    const same = Buffer.from(encodeProfilesRequestPprof(decoded).profiles[0]!.pprof!).equals(Buffer.from(pprofBytes));
    const sameColumnar = Buffer.from(encodeProfilesRequestPprof(decodeProfilesRequestColumnar(bytes)).profiles[0]!.pprof!).equals(
      Buffer.from(pprofBytes),
    );
    const columnar = byName.get(COLUMNAR)!;
    const fromColumns = targetFromColumns!;
    const fromColumnsBig = byName.get(FROM_COLUMNS)!;
    // After all the rounds: had the encoder changed the columns it was handed, this would differ.
    const sameFromColumns = Buffer.from(encodeProfilesRequestPprof(columns).profiles[0]!.pprof!).equals(Buffer.from(pprofBytes));
    const columnarE2e = byName.get(COLUMNAR_E2E)!;
    const columnarGzip = byName.get(COLUMNAR_GZIP)!;
    const d = request.dictionary!;
    return [
      `Input: one OTLP profile of ${fmt(samples, 0)} samples (1 value + 1 timestamp, thread name + id, 70% linked to one of ` +
        `${d.linkTable.length - 1} spans), ${d.stackTable.length} stacks of 8–47 frames, ${d.locationTable.length} locations, ` +
        `${d.functionTable.length} functions; ${(bytes.length / 2 ** 20).toFixed(1)} MiB of OTLP protobuf. ` +
        `It converts to ${fmt(model.sample.length, 0)} pprof samples (${fmt(converted.profile.location.length, 0)} locations, ` +
        `${fmt(model.stringTable.strings.length, 0)} strings), ${(pprofBytes.length / 2 ** 20).toFixed(1)} MiB of pprof. ` +
        `Median of ${ITERATIONS} round-robin runs after ${WARMUP} warm-up rounds; "× decode" = median / the bare decode's median.`,
      '',
      table(['operation', 'median ms', 'throughput', '× decode', 'median CPU ms', 'CPU × decode'], rows),
      '',
      table(
        ['figure (this run)', 'value', 'target'],
        [
          [
            `convert + encode from columns (decode excluded), × bare decode of the same bytes, round-robin with the bare decode only (median of ${TARGET_ITERATIONS} rounds): THE target figure`,
            `${(fromColumns.medianMs / targetDecode!.medianMs).toFixed(2)}× (${fromColumns.medianMs.toFixed(1)} ms / ${targetDecode!.medianMs.toFixed(1)} ms; ` +
              `CPU time: ${(fromColumns.cpuMedianMs / targetDecode!.cpuMedianMs).toFixed(2)}×)`,
            '≤ 1.5×',
          ],
          [
            "the same, in the big round (other rows' garbage collected during it)",
            `${(fromColumnsBig.medianMs / decodeMs).toFixed(2)}× (CPU time: ${(fromColumnsBig.cpuMedianMs / decodeCpu).toFixed(2)}×)`,
            '',
          ],
          [
            "request bytes → pprof bytes, columnar (the workers' decode and encoder), × bare decode of the same bytes",
            `${(columnar.medianMs / decodeMs).toFixed(2)}× (CPU time: ${(columnar.cpuMedianMs / decodeCpu).toFixed(2)}×)`,
            '≤ 1.5×',
          ],
          [
            `request bytes in → gzip'd pprof out, one thread: the exportPprof task (what the workers run), in a round of its own (median of ${TARGET_ITERATIONS} rounds; per CPU second: median, and the quartiles of the rounds' CPU times)`,
            `${fmt(samples / (taskOwn!.medianMs / 1000))} samples/s (per CPU second: ${fmt(samples / (taskOwn!.cpuMedianMs / 1000))}; ` +
              `quartiles ${fmt(samples / (taskOwn!.cpuQuartilesMs[1] / 1000))} – ${fmt(samples / (taskOwn!.cpuQuartilesMs[0] / 1000))})`,
            '≥ 400 k samples/s',
          ],
          [
            "the same in the big round (other rows' garbage collected during it)",
            `${fmt(samples / (columnarGzip.medianMs / 1000))} samples/s (per CPU second: ${fmt(samples / (columnarGzip.cpuMedianMs / 1000))})`,
            '',
          ],
          [
            "request bytes in → gzip'd pprof out, one thread: columnar, gzipSync of the returned pprof (before)",
            `${fmt(samples / (columnarE2e.medianMs / 1000))} samples/s (per CPU second: ${fmt(samples / (columnarE2e.cpuMedianMs / 1000))})`,
            '',
          ],
          [
            'convert + encode, × bare decode: direct encoder',
            `${(direct / decodeMs).toFixed(2)}× (CPU time: ${(directCpu / decodeCpu).toFixed(2)}×)`,
            '≤ 1.5×',
          ],
          ['convert + encode, × bare decode: direct, no profile id', `${(byName.get(DIRECT_NO_ID)!.medianMs / decodeMs).toFixed(2)}×`, '≤ 1.5×'],
          ['convert + encode, × bare decode: through the model (before)', `${(viaModel / decodeMs).toFixed(2)}×`, ''],
          [
            "request bytes in → gzip'd pprof out, one thread: direct",
            `${fmt(samples / (e2eNew / 1000))} samples/s (per CPU second: ${fmt(samples / (e2eNewCpu / 1000))})`,
            '≥ 400 k samples/s',
          ],
          ["request bytes in → gzip'd pprof out, one thread: through the model (before)", `${fmt(samples / (e2eOld / 1000))} samples/s`, ''],
          ['direct vs model, convert + encode', `${(viaModel / direct).toFixed(2)}× faster`, ''],
          ['direct vs model, bytes in → gzip out', `${(e2eOld / e2eNew).toFixed(2)}× faster`, ''],
        ],
      ),
      '',
      `The direct encoder's bytes ${same ? 'are' : 'are NOT'} identical to the model path's on this input ` +
        "(test/pprof/encode-direct.property.test.ts checks it on random requests), and the columnar path's " +
        `${sameColumnar ? 'are' : 'are NOT'} identical to both (test/otlp/columns.property.test.ts checks it on random requests); ` +
        `encoding the once-decoded columns again after all the rounds ${sameFromColumns ? 'gives' : 'does NOT give'} the same bytes ` +
        '(the encoder leaves the columns it reads as they were).',
      '',
      'Why bytes in → gzip out used to cost far more than its parts (the "before" rows keep that path\'s shape, though they ' +
        'share the kept encoder buffers now): a 100 k-sample conversion allocated about 35 MB of ArrayBuffers (the sample ' +
        "columns, the encoder's merge table, arena and run offsets, the 9 MiB pprof, gzipSync's 16 KiB output chunks and their " +
        'concatenation), and V8 collects the young generation whenever young ArrayBuffers pass twice the semi-space size ' +
        '("external memory pressure"): once or twice per request, in the middle of the conversion, copying and promoting all it ' +
        'still held; the promoted garbage then cost full collections, partly on GC threads (CPU time ran up to 1.5× wall time). ' +
        'Now the encoder keeps its typed arrays, interning tables and (for the gzip path) its output buffer per thread, the ' +
        "worker tasks take their columns from a per-thread pool, and the pprof is gzip'd from the kept buffer, so only the gzip " +
        'output is allocated per profile: over 30 conversions such collections fell from 19 to 1. The columnar decode now ' +
        "reads the dictionary's stack table into columns too (src/otlp/columns/stacks.ts: no object and array per stack), and " +
        'the tables deduplicate functions and locations by integer keys (no key string per entry), so a conversion allocates ' +
        "about 10 MB of objects where it allocated 16 MB (a sampling heap profile of the columnar row). A sample's labels are " +
        "two runs, its link's and its attribute list's, each made and encoded once (1 k links and 32 lists here, where there " +
        'were 28 k label sets, one per link × thread), and compared by a pair of interned halves, the span and trace id ' +
        'labels and the others (src/pprof/label-runs.ts): no label set is sorted, hashed or encoded per (link, attribute ' +
        'list) pair. Samples are merged by stack once all are in (src/pprof/merge-by-stack.ts: a counting sort over the stack ' +
        "ids, then a scan among each stack's ~10 samples), not through a 4 MB table probed at random per sample. What " +
        'converting + encoding from columns spends its time on now (--cpu-prof of the from-columns path, decode excluded, ' +
        'approximate, measured before the change below): writing the 9 MiB ~35 % (three copyWithin calls per sample: its ' +
        'stack run and its two label runs), resolving stacks, locations and ' +
        'functions and encoding their runs ~21 %, the per-sample loop (attribute list and link lookups, appending the ' +
        "sample) ~20 %, the tables' bytes ~7 %, labels ~6 %, merging by stack ~5 %, GC ~2 %. Those copies now all come " +
        "from a copy of the arena (~1 MB) put just past the pprof's end in the kept output buffer, not from each run's " +
        'first copy scattered over the 9 MiB written (and the first by a byte loop from the arena): A/B against the ' +
        'previous encoder in one process, the from-columns encode took 0.88-0.96× the time (three runs), the exportPprof ' +
        'task 0.98× (the gzip dominates it). Tried and left out (A/B, no gain): copying short runs (≤ 16, 32, 64 bytes) by ' +
        'a byte loop (slower: a copyWithin call costs ~30-40 ns), copying stack runs from arena views with set(), copying ' +
        'each run from its last copy rather than its first (slower), gzip in one output chunk (chunkSize ≥ the output: ' +
        'the gzip alone ~10 % faster, but end to end in the exportPprof task no faster, with its result copied out of the ' +
        'larger chunk buffer into one of its own size, and neither chunks of 256 KiB or 1 MiB). On this machine, busy ' +
        'with other work, A/B medians of the from-columns row moved by ±10 % between runs of the same code. ' +
        'gzip itself is a fixed cost at this level: about as long as the whole conversion.',
      '',
      "The exportPprof task (request bytes in, gzip'd pprof out, what the workers run) is also timed in a round of its " +
        'own, as a worker runs it: in the rounds above, the object decodes beside it leave garbage that V8 collects during ' +
        'whichever row runs then, and its CPU figure moved between 360 k and 450 k samples per CPU second over runs of the ' +
        "same code. The quartiles show the spread of that round's CPU times. Its own round does not make the figure steady " +
        'on this machine: its 2 cores are shared with other work, and over runs of the same code its median moved between ' +
        "350 k and 490 k samples per CPU second (below the big round's in one run), as CPU time per task grows when the " +
        'other core is busy; the workers suite times the task in a worker (on the same request). Where its time goes (--cpu-prof of 30 tasks on this request, approximate): zlib ~57 %, ' +
        'writing the samples ~9 % (the copies above), decoding the samples ~5 %, resolving stacks, locations and functions ' +
        '~8 %, the per-sample loop and merging ~10 %, GC ~4 %. A request also has a fixed cost, its dictionary: on a ' +
        '1 k-sample request with the same dictionary the task takes ~20-40 ms of CPU (zlib ~19 %, GC ~12 %, resolving ' +
        "locations and functions ~19 %, decoding the dictionary ~16 %, its stack table half of that, the tables' bytes " +
        "~11 %, the links' labels ~8 %), and allocates ~10 MB of JS objects, nearly all for the dictionary (its locations " +
        'decoded and converted ~4 MB: a sampling allocation profile, collected objects included). The stack table is now ' +
        "decoded with each packed run's indices written straight into its column (one- and two-byte varints inline): " +
        "the pooled columnar decode took 0.81-0.97× its time (A/B, 1 k-100 k samples); and a function's string ids and " +
        'the location and function lookups make their error texts only on a miss (the from-columns encode of the 1 k-sample ' +
        "request: 0.90-0.96×, A/B). Tried and left out: making a link's labels without linkIds' WeakMap cache and " +
        "sampleLabels' sets (no gain, A/B), and skipping the samples count for pooled columns (a large request would then " +
        'grow its columns by doubling).',
      '',
      `Encoder: ours takes ${(ours / theirs).toFixed(2)} of pprof-format's time (${(theirs / ours).toFixed(1)}× faster) for the ` +
        'same bytes (test/pprof/encode-fast.test.ts checks byte equality). pprof-format allocates a [hi, lo] pair for every ' +
        'integer it measures or writes and measures nested messages twice.',
      '',
      'The bytes-in paths timed round-robin among themselves only (same medians of ' +
        `${ITERATIONS} rounds after ${WARMUP} warm-up rounds), so that no other row's garbage is collected during them:`,
      '',
      table(['operation', 'median ms', 'throughput', '× decode', 'CPU × decode'], ownRows),
      '',
      table(['gzip', 'size'], sizes),
      '',
      `gzip trade-offs in this run, against level 1 with zlib's default memLevel 8: memLevel 9 (used) ` +
        `${pct(gz9.cpuMedianMs, gz8.cpuMedianMs)} CPU time, ${pct(size(PPROF_GZIP_OPTIONS), size8)} bytes; ` +
        `Z_HUFFMAN_ONLY ${pct(huff.cpuMedianMs, gz8.cpuMedianMs)} CPU time, ${pct(size({ level: 1, strategy: constants.Z_HUFFMAN_ONLY }), size8)} bytes.`,
      '',
      `Where the ${(pprofBytes.length / 2 ** 20).toFixed(2)} MiB of pprof go (${(pprofBytes.length / model.sample.length).toFixed(1)} bytes per sample):`,
      '',
      table(['part', 'bytes', 'share'], byteBreakdown(model, pprofBytes.length)),
      '',
      `1-minute load average at start / end of this suite: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} ` +
        '(throughputs scale with it; the ratios much less).',
    ].join('\n');
  },
};
