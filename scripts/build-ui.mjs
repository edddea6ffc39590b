#!/usr/bin/env node
// Builds the web UI (src/ui) into dist/ui: one minified ES module bundle and one stylesheet,
// both with a content hash in their name, and index.html pointing at them. Nothing is loaded
// from the network at run time. Type-checks src/ui first (esbuild only strips types);
// pass --no-check to skip that.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src', 'ui');
const out = join(root, 'dist', 'ui');

if (!process.argv.includes('--no-check')) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(src, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error('build-ui: type errors in src/ui');
    process.exit(r.status ?? 1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: join(src, 'main.ts') },
  outdir: out,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  platform: 'browser',
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs).filter(([f]) => !f.endsWith('.map'));
const js = outputs.find(([f]) => f.endsWith('.js'));
const css = outputs.find(([f]) => f.endsWith('.css'));
if (!js || !css) throw new Error('build-ui: esbuild produced no app js/css');

const html = readFileSync(join(src, 'index.html'), 'utf8')
  .replace('/app.js', `/${basename(js[0])}`)
  .replace('/app.css', `/${basename(css[0])}`);
writeFileSync(join(out, 'index.html'), html);

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`build-ui: ${basename(js[0])} ${kib(js[1].bytes)}, ${basename(css[0])} ${kib(css[1].bytes)} -> ${out}`);
