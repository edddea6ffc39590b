// The package's version, read once from its package.json: the bridge's (`otel-profile-bridge`,
// two levels above dist/src/version.js, one above src/ when run from sources) or the
// stand-alone SDK plugin's (`otel-profile-bridge-sdk`, one above its bundled dist/).
import { readFileSync } from 'node:fs';

const NAMES = new Set(['otel-profile-bridge', 'otel-profile-bridge-sdk']);
let cached: string | undefined;

export function packageVersion(): string {
  cached ??= findVersion();
  return cached;
}

function findVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name !== undefined && NAMES.has(pkg.name) && pkg.version) return pkg.version;
    } catch {
      // not there: try the next level up
    }
  }
  return '0.0.0';
}
