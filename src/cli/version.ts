import { readFileSync } from 'node:fs';
import type { Command } from './command.js';

export function packageVersion(): string {
  // dist/src/cli -> package root
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const versionCommand: Command = {
  summary: 'print the version',
  usage: 'otel-profile-bridge version',
  help: 'Usage: otel-profile-bridge version (or --version, -v)\n\nPrints the version and exits 0. No options.\n',
  async run() {
    process.stdout.write(`otel-profile-bridge ${packageVersion()}\n`);
    return 0;
  },
};
