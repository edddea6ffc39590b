// What an app that only wants the SDK plugin installs: the stand-alone package
// (otel-profile-bridge-sdk) against the whole bridge package, each packed as published and
// installed with `npm ci --offline` into a fresh app (a lockfile cut from the bridge's, so
// the npm cache serves every tarball and no network time is counted). Installing the bridge
// runs better-sqlite3's install script, which compiles SQLite from source when no prebuilt
// binary can be downloaded (as here, offline); with one, that step is a download instead.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installOffline, npmPack, packSdk, ROOT, type AppInstall } from '../test/helpers/sdk-package.js';
import { fmt, table, type BenchSuite } from './harness.js';

const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(
  dir: string,
  name: string,
  tarball: string,
  also: string[],
  allowScripts: string[] = [],
  runs = RUNS,
): AppInstall & { msAll: number[] } {
  const all: AppInstall[] = [];
  for (let i = 0; i < runs; i++) {
    const app = join(dir, `${name}-${i}`);
    mkdirSync(app);
    all.push(installOffline(app, tarball, also, allowScripts));
    rmSync(app, { recursive: true, force: true });
  }
  return { ...all[0]!, ms: median(all.map((a) => a.ms)), msAll: all.map((a) => a.ms) };
}

export const suite: BenchSuite = {
  title: 'SDK plugin install (stand-alone package vs the bridge)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'opb-bench-install-'));
    try {
      const sdk = measure(dir, 'sdk', packSdk(dir), ['@opentelemetry/api']);
      const bridgeTgz = npmPack(ROOT, dir);
      // One run: the native build takes minutes on a small machine.
      const bridge = measure(dir, 'bridge', bridgeTgz, [], [], 1);
      const row = (what: string, a: AppInstall & { msAll: number[] }) => [
        what,
        fmt(a.bytes / 2 ** 20),
        a.files,
        fmt(a.ms / 1000, 2),
        a.msAll.map((m) => fmt(m / 1000, 2)).join(' / '),
      ];
      return [
        `Fresh app, \`npm ci --offline\` from a warm npm cache; size is the apparent size of node_modules. Plugin: median of ${RUNS} installs; bridge: one install, which compiles better-sqlite3 from source (no prebuilt binary reachable offline). Times depend on the machine's load (other work ran beside it): compare sizes first.`,
        '',
        table(
          ['app depends on', 'node_modules MiB', 'files', 'install s (median)', 'runs (s)'],
          [row('otel-profile-bridge-sdk (+ peer @opentelemetry/api)', sdk), row('otel-profile-bridge (better-sqlite3 compiled)', bridge)],
        ),
      ].join('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
