#!/usr/bin/env node
// Regenerates the config reference in README.md (between the config-reference markers) from
// the config schemas. Run through `npm run docs`, which builds first.
//   --check   change nothing; exit 1 when README.md is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readmePath = `${root}README.md`;
const check = process.argv.includes('--check');

let reference;
try {
  reference = await import(new URL('../dist/src/config/reference/index.js', import.meta.url).href);
} catch (e) {
  console.error(`cannot load the compiled reference generator (run \`npm run build\` first): ${e.message}`);
  process.exit(1);
}

const r = reference.buildConfigReference();
for (const path of r.undocumented) console.warn(`warning: ${path} has no meaning: add a .describe('...') to the key in its schema`);

const readme = readFileSync(readmePath, 'utf8');
const next = reference.spliceReference(readme, r.markdown);
if (next === readme) {
  console.log('README.md: config reference is up to date');
} else if (check) {
  console.error('README.md: config reference is out of date; run `npm run docs`');
  process.exit(1);
} else {
  writeFileSync(readmePath, next);
  console.log('README.md: config reference regenerated');
}
