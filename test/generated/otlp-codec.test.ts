// src/generated/otlp/ must be exactly what scripts/gen-otlp-codec.mjs writes from proto/ now:
// a schema or generator change without `npm run gen:codec` fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const generated = join(root, 'src', 'generated', 'otlp');
const check = (...args: string[]) => spawnSync(process.execPath, ['scripts/gen-otlp-codec.mjs', '--check', ...args], { cwd: root, encoding: 'utf8' });

test('the generated OTLP codec is current (else run `npm run gen:codec`)', () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
});

test('the check names a generated file that was edited or is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opb-gen-'));
  try {
    cpSync(generated, dir, { recursive: true });
    assert.equal(check('--dir', dir).status, 0, 'a faithful copy is current');

    const file = join(dir, 'decode.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('case 10:', 'case 11:'));
    unlinkSync(join(dir, 'json-encode.ts'));
    const r = check('--dir', dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /stale: .*decode\.ts/);
    assert.match(r.stderr, /stale: .*json-encode\.ts/);
    assert.equal(r.stderr.trim().split('\n').length, 2, 'only the two changed files are named');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
