#!/usr/bin/env node
// Runs the compiled node:test suites under dist/test. Arguments narrow the run to files whose
// path contains one of them, e.g. `npm test -- receivers join`.
// Set OPB_TEST_CONCURRENCY to change how many test files run at once (default: 2).
// A full run (no arguments) runs `npm run lint` first and stops when it fails.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureTools } from './ensure-tools.mjs';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect(testRoot, [])
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under ${relative(root, testRoot)} (did the build run?)`);
  process.exit(1);
}
if (filters.length === 0) {
  const lint = spawnSync('npm', ['run', '--silent', 'lint'], { stdio: 'inherit', cwd: root });
  if (lint.status !== 0) {
    console.error('lint failed (`npm run lint`); fix it before the tests run');
    process.exit(lint.status ?? 1);
  }
}
ensureTools();
const concurrency = process.env.OPB_TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, OPB_TEST_OUTPUT: process.env.OPB_TEST_OUTPUT ?? join(root, 'test-output') },
});
process.exit(result.status ?? 1);
