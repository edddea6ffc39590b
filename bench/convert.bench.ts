// pprof conversion throughput on a 100 k-sample eBPF-shaped CPU profile: OTLP -> pprof
// model (convert), model -> bytes (our encoder and pprof-format's own), gzip, and the whole
// path an exporter runs, beside the bare decode of the same request as the baseline.
// Every operation is timed round-robin with the others in the same run, so ratios hold even
// when the machine is busy.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { decodeProfilesRequest } from '../src/otlp/decode.js';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { convertProfilesRequest } from '../src/pprof/convert.js';
import { encodeProfileFast } from '../src/pprof/encode-fast.js';
import { PPROF_GZIP_LEVEL, encodePprofGzip } from '../src/pprof/encode.js';
import { type BenchSuite, fmt, table, type Timing } from './harness.js';
import { LARGE_PROFILE, realisticProfilesRequest } from './otlp-data.js';

const ITERATIONS = 9;
const LEVELS = [1, 6, 9];

function gzipName(level: number): string {
  return `gzip level ${level}${level === PPROF_GZIP_LEVEL ? ' (used)' : ''}`;
}
const WARMUP = 2;

/** Times each function `iterations` times, round-robin, after `warmup` rounds. */
function roundRobin(fns: (() => unknown)[], iterations = ITERATIONS, warmup = WARMUP): Timing[] {
  const samples: number[][] = fns.map(() => []);
  for (let i = 0; i < warmup + iterations; i++) {
    fns.forEach((fn, k) => {
      const t0 = performance.now();
      fn();
      const dt = performance.now() - t0;
      if (i >= warmup) samples[k]!.push(dt);
    });
  }
  return samples.map((s) => {
    s.sort((a, b) => a - b);
    return { medianMs: s[Math.floor(s.length / 2)]!, minMs: s[0]!, maxMs: s[s.length - 1]!, iterations };
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
    const gz = (level: number) => () => gzipSync(pprofBytes, { level });

    const ops: [string, () => unknown][] = [
      ['decode OTLP protobuf (baseline)', () => decodeProfilesRequest(bytes)],
      ['convert (OTLP model -> pprof model)', () => convertProfilesRequest(decoded)],
      ['encode pprof: ours (encodeProfileFast)', () => encodeProfileFast(model)],
      ['encode pprof: pprof-format `Profile.encode()`', () => model.encode()],
      ...LEVELS.map((level): [string, () => unknown] => [gzipName(level), gz(level)]),
      ['convert + encode + gzip (what an exporter runs)', () => encodePprofGzip(convertProfilesRequest(decoded).profiles[0]!.profile)],
      ['decode + convert + encode + gzip (request bytes in, file bytes out)', () => encodePprofGzip(convertProfilesRequest(decodeProfilesRequest(bytes)).profiles[0]!.profile)],
    ];
    const timings = roundRobin(ops.map(([, fn]) => fn));
    const byName = new Map(ops.map(([name], i) => [name, timings[i]!]));
    const decodeMs = timings[0]!.medianMs;
    const rows = ops.map(([name], i) => {
      const t = timings[i]!;
      return [name, t.medianMs.toFixed(1), `${fmt(samples / (t.medianMs / 1000))} samples/s`, `${(t.medianMs / decodeMs).toFixed(2)}×`];
    });
    const ours = byName.get('encode pprof: ours (encodeProfileFast)')!.medianMs;
    const theirs = byName.get('encode pprof: pprof-format `Profile.encode()`')!.medianMs;
    const sizes = LEVELS.map((level) => [gzipName(level), `${(gzipSync(pprofBytes, { level }).length / 2 ** 20).toFixed(2)} MiB`]);
    const d = request.dictionary!;
    return [
      `Input: one OTLP profile of ${fmt(samples, 0)} samples (1 value + 1 timestamp, thread name + id, 70% linked to one of ` +
        `${d.linkTable.length - 1} spans), ${d.stackTable.length} stacks of 8–47 frames, ${d.locationTable.length} locations, ` +
        `${d.functionTable.length} functions; ${(bytes.length / 2 ** 20).toFixed(1)} MiB of OTLP protobuf. ` +
        `It converts to ${fmt(model.sample.length, 0)} pprof samples (${fmt(converted.profile.location.length, 0)} locations, ` +
        `${fmt(model.stringTable.strings.length, 0)} strings), ${(pprofBytes.length / 2 ** 20).toFixed(1)} MiB of pprof. ` +
        `Median of ${ITERATIONS} round-robin runs after ${WARMUP} warm-up rounds; "× decode" = median / the bare decode's median.`,
      '',
      table(['operation', 'median ms', 'throughput', '× decode'], rows),
      '',
      `Encoder: ours takes ${(ours / theirs).toFixed(2)} of pprof-format's time (${(theirs / ours).toFixed(1)}× faster) for the ` +
        'same bytes (test/pprof/encode-fast.test.ts checks byte equality). pprof-format allocates a [hi, lo] pair for every ' +
        'integer it measures or writes and measures nested messages twice.',
      '',
      table(['gzip', 'size'], sizes),
      '',
      `1-minute load average at start / end of this suite: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} ` +
        '(throughputs scale with it; the ratios much less).',
    ].join('\n');
  },
};
