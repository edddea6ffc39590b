// Importing the package root (the library API) does not load better-sqlite3, a native addon:
// it loads when a store is first opened. Checked in a fresh process, through the CommonJS
// module cache that holds every require()'d module.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/sdk-package.js';

function runModule(source: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', source], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

const LOADED = `Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/better-sqlite3/'))`;

describe('the package root', () => {
  it('imports without loading better-sqlite3; opening a store loads it', async () => {
    const root = JSON.stringify(join(ROOT, 'dist', 'src', 'index.js'));
    const schema = JSON.stringify(join(ROOT, 'dist', 'src', 'store', 'schema.js'));
    const out = await runModule(`
      import { createRequire } from 'node:module';
      import { mkdtempSync, rmSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const api = await import(${root});
      const afterImport = ${LOADED};
      const dir = mkdtempSync(join(tmpdir(), 'opb-lazy-'));
      const { openWriteDatabase } = await import(${schema});
      openWriteDatabase(join(dir, 'db.sqlite')).close();
      rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({ bridge: typeof api.Bridge, afterImport, afterOpen: ${LOADED} }));
    `);
    assert.deepEqual(JSON.parse(out), { bridge: 'function', afterImport: false, afterOpen: true });
  });
});
