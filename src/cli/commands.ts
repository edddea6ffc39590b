// The CLI's sub-commands, one file each. Each returns the process exit code.
import { convertCommand } from './convert.js';
import { hashPasswordCommand } from './hash-password.js';
import { versionCommand } from './version.js';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

// `serve` loads every pipeline component (SQLite, gRPC, ...); load it only when it runs, so
// `convert`, `version` and `--help` start in a third of the time.
const serveCommand: Command = {
  summary: 'run the bridge (the default command)',
  usage: 'otel-profile-bridge serve [--config <file.yaml>]',
  run: async (argv) => (await import('./serve.js')).runServe(argv),
};

export const commands: Record<string, Command> = {
  serve: serveCommand,
  convert: convertCommand,
  version: versionCommand,
  'hash-password': hashPasswordCommand,
};
