import { packageVersion } from '../version.js';
import type { Command } from './commands.js';

export const versionCommand: Command = {
  summary: 'print the version',
  usage: 'otel-profile-bridge version',
  async run() {
    process.stdout.write(`otel-profile-bridge ${packageVersion()}\n`);
    return 0;
  },
};
