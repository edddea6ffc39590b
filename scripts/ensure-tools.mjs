#!/usr/bin/env node
// Installs the Debian packages some tests rely on, when they are missing:
//   golang-go  -> `go tool pprof`, the reference pprof reader
//   chromium   -> the headless browser the UI tests drive with playwright-core
//   openssl    -> self-signed certificates for the receivers' TLS test
// Runs once before the test suite (scripts/run-tests.mjs). Needs root (CI runs as root);
// without it, prints what to install and lets the tests that need the tool fail clearly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = [
  { pkg: 'golang-go', present: () => existsSync('/usr/bin/go') || spawnSync('go', ['version']).status === 0 },
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'openssl', present: () => existsSync('/usr/bin/openssl') },
];

export function ensureTools() {
  const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
  if (missing.length === 0) return true;
  if (process.getuid?.() !== 0) {
    console.error(`ensure-tools: missing Debian packages ${missing.join(', ')}; install them with apt-get (needs root)`);
    return false;
  }
  console.error(`ensure-tools: installing ${missing.join(', ')} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  return r.status === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureTools() ? 0 : 1);
