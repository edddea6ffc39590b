import { packageVersion } from '../version.js';
import type { Command } from './command.js';

export const versionCommand: Command = {
  summary: 'print the version',
  usage: 'otel-profile-bridge version',
  help: 'Usage: otel-profile-bridge version (or --version, -v)\n\nPrints the version and exits 0. No options.\n',
  async run() {
    process.stdout.write(`otel-profile-bridge ${packageVersion()}\n`);
    return 0;
  },
};
