// The CLI's sub-commands, one file each. Each returns the process exit code and has its own
// help (`<command> --help`, `help <command>`), listing every option with its default.
import type { Command } from './command.js';
import { convertCommand } from './convert.js';
import { hashPasswordCommand } from './hash-password.js';
import { versionCommand } from './version.js';

const SERVE_USAGE = 'otel-profile-bridge serve [--config <file.yaml>] [--quiet]';

// `serve` loads every pipeline component (SQLite, gRPC, ...); load it only when it runs, so
// `convert`, `version` and `--help` start in a third of the time.
const serveCommand: Command = {
  summary: 'run the bridge (the default command)',
  usage: SERVE_USAGE,
  help: `Usage: ${SERVE_USAGE}

Runs the bridge until Ctrl-C (SIGINT) or SIGTERM: then it stops accepting, flushes the
profiles it holds and the exporters' queues, and exits 0 (a second signal exits at once, 1).

Options:
  -c, --config <file.yaml>  The config (the collector's shape; \${env:NAME} expanded).
                            Default: the embedded one: OTLP/gRPC on 127.0.0.1:4317,
                            OTLP/HTTP on 127.0.0.1:4318, spans joined to profile samples,
                            everything kept in the store in ./data, and the UI, JSON API
                            and /metrics on http://127.0.0.1:4380/.
  -q, --quiet               Default: off. Do not write the start-up banner (endpoints,
                            UI address, data directories, how to stop) to stderr. It is
                            also left out when stdout, where the JSON logs go, is a file.
  -h, --help                Show this help.

Environment:
  OTEL_LOG_LEVEL            none | error | warn | info | debug | verbose | all; overrides
                            service.telemetry.logs.level (default: info).

Exit codes: 0 stopped cleanly; 1 bad config (the message names the key and what to write),
a port in use, or a failed flush; 2 bad command line.

Examples:
  otel-profile-bridge serve
  otel-profile-bridge serve --config examples/config/pyroscope-ingest.yaml
  otel-profile-bridge serve --config examples/config/capture.yaml   # save requests for convert
`,
  run: async (argv) => (await import('./serve.js')).runServe(argv),
};

export const commands: Record<string, Command> = {
  serve: serveCommand,
  convert: convertCommand,
  version: versionCommand,
  'hash-password': hashPasswordCommand,
};
