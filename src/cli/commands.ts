// The CLI's sub-commands, one file each. Each returns the process exit code.
import { serveCommand } from './serve.js';
import { convertCommand } from './convert.js';
import { versionCommand } from './version.js';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  serve: serveCommand,
  convert: convertCommand,
  version: versionCommand,
};
