// Dependencies point one way, down (docs/architecture.md): the contracts in src/component/
// import nothing of ours but the OTLP model, and components never reach up into the
// service, the CLI or the distribution list. Type-only imports count too. (Import cycles are
// caught by scripts/check-import-cycles.mjs, part of `npm run lint`.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Module (path relative to src/, `/`-separated) -> the modules of ours it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      deps.push(relative(src, target).split(sep).join('/'));
    }
    graph.set(relative(src, file).split(sep).join('/'), deps);
  }
  return graph;
}

describe('module layers', () => {
  const graph = importGraph();

  it('reads the whole source tree', () => {
    assert.ok(graph.size > 100, `only ${graph.size} modules found under src/`);
    assert.ok(graph.has('component/consumer.ts') && graph.has('components.ts'));
  });

  it('the contracts in component/ import only each other and the OTLP model', () => {
    const bad: string[] = [];
    for (const [from, deps] of graph) {
      if (!from.startsWith('component/')) continue;
      for (const d of deps) if (!d.startsWith('component/') && d !== 'otlp/model.ts') bad.push(`${from} -> ${d}`);
    }
    assert.deepEqual(bad, []);
  });

  it('components never import the service, the CLI or the distribution list', () => {
    const top = (m: string) => m.split('/')[0]!;
    const above = new Set(['service', 'cli', 'components.ts']);
    // The config reference documents every built-in component, so it sits above them too.
    const allowed = new Set(['service', 'cli', 'index.ts', 'components.ts', 'config/reference']);
    const bad: string[] = [];
    for (const [from, deps] of graph) {
      if (allowed.has(top(from)) || [...allowed].some((a) => from.startsWith(`${a}/`))) continue;
      for (const d of deps) if (above.has(top(d))) bad.push(`${from} -> ${d}`);
    }
    assert.deepEqual(bad, []);
  });
});
