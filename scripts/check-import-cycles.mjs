#!/usr/bin/env node
// Fails when the modules under src/ import each other in a cycle. Dependencies run one way
// (contracts below, components above, the CLI on top). Every static import and re-export
// counts, `import type` too: a type-only cycle still ties the modules' designs together. A
// lazy `await import()` does not count. Part of `npm run lint`.
//   --root <dir>   check <dir>/src instead of this checkout's
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

function tsFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative modules `file` imports statically, as absolute `.ts` paths. */
function staticImports(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out = [];
  for (const s of sf.statements) {
    const spec =
      (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)
        ? s.moduleSpecifier.text
        : undefined;
    if (spec === undefined || !spec.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return out;
}

/** Strongly connected components (Tarjan) of more than one module, or a module importing itself. */
function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

const args = process.argv.slice(2);
const at = args.indexOf('--root');
const root = at >= 0 ? resolve(args[at + 1] ?? '.') : fileURLToPath(new URL('..', import.meta.url));
const files = tsFiles(join(root, 'src'));
const graph = new Map(files.map((f) => [f, staticImports(f, readFileSync(f, 'utf8'))]));
const found = cycles(graph);
if (found.length > 0) {
  console.error(`import cycles in src/ (${found.length}); move what both sides need into a module below them:`);
  for (const scc of found) console.error(`  ${scc.map((f) => relative(root, f)).join(' <-> ')}`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} modules under ${relative(process.cwd(), join(root, 'src')) || 'src'}`);
