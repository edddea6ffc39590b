// src/ has no import cycles, type-only imports included: scripts/check-import-cycles.mjs (part
// of `npm run lint`) passes on this checkout and fails on a tree that has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const check = (...args: string[]) => spawnSync(process.execPath, ['scripts/check-import-cycles.mjs', ...args], { cwd: root, encoding: 'utf8' });

/** A throwaway checkout whose src/ holds `files`. */
function checkoutWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'opb-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  return dir;
}

test('src/ has no import cycles (type-only imports included)', () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no import cycles among \d+ modules/);
});

test('a cycle through a type-only import and a re-export fails the check and is named', () => {
  const dir = checkoutWith({
    'a.ts': "import type { B } from './sub/b.js';\nexport type A = B;\n",
    'sub/b.ts': "export { c } from './c.js';\nexport type B = string;\n",
    'sub/c.ts': "import { type A } from '../a.js';\nexport const c: A | undefined = undefined;\n",
    'chain.ts': "import { c } from './sub/c.js';\nexport const d = c;\n",
  });
  try {
    const r = check('--root', dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /import cycles in src\/ \(1\)/);
    assert.match(r.stderr, /src\/a\.ts <-> src\/sub\/b\.ts <-> src\/sub\/c\.ts/);
    assert.doesNotMatch(r.stderr, /chain\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lazy import() does not make a cycle', () => {
  const dir = checkoutWith({
    'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'b.ts': "export const b = 1;\nexport const later = () => import('./a.js');\n",
  });
  try {
    const r = check('--root', dir);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
