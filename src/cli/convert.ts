// `convert`: a saved OTLP profiles request (protobuf or JSON, gzip'd or not) -> gzip'd pprof
// files plus JSON sidecars, in the file exporter's layout:
//   <dir>/<service.name>/<profileType>/<start>_<profileId>.pb.gz (+ .json)
//
// Exit codes: 0 every profile converted; 1 bad input (missing file, not OTLP profiles) or
// some profiles rejected (each named on stderr; the others are still written); 2 usage.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConvertError, errorMessage, isBridgeError } from '../errors.js';
import { writeProfileFiles } from '../exporters/file/writer.js';
import { validateProfilesRequest } from '../otlp/validate.js';
import { countProfiles, type TimestampMode } from '../pprof/convert.js';
import { encodeEach } from '../pprof/encode-direct.js';
import { pprofGzipAsync } from '../pprof/encode.js';
import type { Command } from './command.js';
import { readProfilesInput } from './read-profiles.js';

const USAGE = 'otel-profile-bridge convert <input.pb|input.json>[.gz] -o <dir> [--progress] [--no-fsync] [--timestamps aggregate|label]';

const HELP = `Usage: ${USAGE}

Converts a saved OTLP profiles request (an ExportProfilesServiceRequest or ProfilesData, in
protobuf or OTLP/JSON, gzip'd or not; the format is read from the extension, else sniffed)
to gzip'd pprof files plus JSON sidecars, in the file exporter's layout:
  <dir>/<service.name>/<profile type>/<start>_<profile id>.pb.gz   (+ .json)
Profiles that break an OTLP rule are named on stderr and left out; the rest are written.

Options:
  -o, --output <dir>         Required. Where the files go (created when missing).
  --timestamps <mode>        Default: aggregate. What to do with per-event sample timestamps:
                               aggregate  each sample's timestamps fold into its value (one
                                          pprof sample per stack and labels), and the
                                          profile's time window covers them; what every
                                          pprof reader expects.
                               label      one pprof sample per timestamped event, with a
                                          numeric end_timestamp_ns label (the label Datadog's
                                          timeline reads); more samples, more labels.
  --no-fsync                 Default: off (every file is flushed to disk before the next
                             one is written). Skip the flush: much faster for large inputs,
                             but files written just before a crash or power loss may be lost.
                             Writes stay atomic either way (no half-written files).
  --progress                 Default: shown on a terminal for inputs from 1 MiB or 20
                             profiles up. Always show a progress bar on stderr.
  -h, --help                 Show this help.

Exit codes: 0 every profile converted; 1 bad input (missing file, not OTLP profiles) or some
profiles rejected (each named on stderr; the others are still written); 2 bad command line.

Getting a request to convert:
  - Try the sample that ships with the bridge:
      otel-profile-bridge convert examples/requests/profiles.json -o out/
  - Capture what your senders send: run the bridge with examples/config/capture.yaml (a
    file exporter with \`format: otlp\`), which saves every profiles request it receives as
    ./captured/<time>_<hash>.binpb, then convert one of those files:
      otel-profile-bridge serve --config examples/config/capture.yaml
      otel-profile-bridge convert captured/<file>.binpb -o out/
  - The OTLP payload of any sender, saved as protobuf or JSON (e.g. the body of a
    POST /v1development/profiles).
`;

/** Inputs from this size (or profile count) up get a progress bar on a terminal. */
const LARGE_INPUT_BYTES = 1 << 20;
const LARGE_INPUT_PROFILES = 20;

export interface ConvertSummary {
  profiles: number;
  written: number;
  rejected: number;
  samples: number;
  bytes: number;
  /** `<service>/<type>` -> files written. */
  bySeries: Map<string, number>;
}

function usageError(message: string): number {
  process.stderr.write(`otel-profile-bridge convert: ${message}\nusage: ${USAGE}\n`);
  return 2;
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

export const convertCommand: Command = {
  summary: 'convert a saved OTLP profiles request (protobuf or JSON, .gz ok) to pprof files',
  usage: USAGE,
  help: HELP,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          output: { type: 'string', short: 'o' },
          progress: { type: 'boolean', default: false },
          'no-fsync': { type: 'boolean', default: false },
          timestamps: { type: 'string', default: 'aggregate' },
        },
      });
    } catch (e) {
      return usageError(errorMessage(e));
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1)
      return usageError(positionals.length === 0 ? 'missing the input file' : `expected one input file, got ${positionals.length}`);
    if (!values.output) return usageError('missing -o <output directory>');
    if (values.timestamps !== 'aggregate' && values.timestamps !== 'label')
      return usageError(`--timestamps must be aggregate or label, not "${values.timestamps}"`);
    const input = positionals[0]!;
    const out = values.output;

    let loaded;
    try {
      loaded = await readProfilesInput(input);
    } catch (e) {
      process.stderr.write(`otel-profile-bridge convert: ${isBridgeError(e) ? e.message : errorMessage(e)}\n`);
      return 1;
    }

    // The receivers' content checks: what breaks an OTLP rule is named and left out.
    const checked = validateProfilesRequest(loaded.request);
    for (const m of checked.messages) process.stderr.write(`${input}: ${m}\n`);

    const total = countProfiles(checked.request);
    // OTLP samples per profile, in the order encodeEach yields them (for progress).
    const perProfile: number[] = [];
    for (const rp of checked.request.resourceProfiles)
      for (const sp of rp.scopeProfiles) for (const p of sp.profiles) perProfile.push(p.samples.length);
    const samples = perProfile.reduce((a, n) => a + n, 0);

    const large = loaded.fileBytes >= LARGE_INPUT_BYTES || total >= LARGE_INPUT_PROFILES;
    const bar =
      values.progress || (process.stderr.isTTY && large)
        ? new cliProgress.SingleBar(
            {
              stream: process.stderr,
              format: 'converting [{bar}] {value}/{total} profiles | {samples} samples | {duration_formatted}',
              noTTYOutput: !process.stderr.isTTY,
              notTTYSchedule: 1000,
              hideCursor: null,
            },
            cliProgress.Presets.legacy,
          )
        : undefined;
    bar?.start(total, 0, { samples: 0 });

    const summary: ConvertSummary = {
      profiles: total + checked.rejected,
      written: 0,
      rejected: checked.rejected,
      samples,
      bytes: 0,
      bySeries: new Map(),
    };
    const problems: string[] = [];
    let done = 0;
    let samplesDone = 0;
    try {
      for (const r of encodeEach(checked.request, { timestamps: values.timestamps as TimestampMode })) {
        done++;
        if (r instanceof ConvertError) {
          summary.rejected++;
          problems.push(r.message);
        } else {
          const written = await writeProfileFiles(out, r, await pprofGzipAsync(r), { fsync: !values['no-fsync'] });
          summary.written++;
          summary.bytes += written.bytes;
          const series = `${r.seriesLabels['service.name']}/${r.profileType}`;
          summary.bySeries.set(series, (summary.bySeries.get(series) ?? 0) + 1);
        }
        samplesDone += perProfile[done - 1] ?? 0;
        bar?.update(done, { samples: samplesDone });
      }
    } catch (e) {
      bar?.stop();
      process.stderr.write(`otel-profile-bridge convert: cannot write to ${out}: ${errorMessage(e)}\n`);
      return 1;
    }
    bar?.stop();

    for (const p of problems) process.stderr.write(`${input}: ${p}\n`);
    const lines = [
      // A profile whose samples name several services is written as several files.
      `converted ${summary.profiles - summary.rejected} of ${summary.profiles} profiles (${summary.samples} samples) from ${input} (${loaded.format}${loaded.gzip ? ', gzip' : ''})`,
      `wrote ${summary.written} pprof files and sidecars (${formatBytes(summary.bytes)}) to ${out}`,
      ...[...summary.bySeries].sort().map(([series, n]) => `  ${series}: ${n}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (summary.rejected > 0) {
      process.stderr.write(`otel-profile-bridge convert: ${summary.rejected} profile(s) rejected as bad data (listed above)\n`);
      return 1;
    }
    return 0;
  },
};
