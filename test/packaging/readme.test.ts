// The README's promises that can rot: the quick start's two commands, the scripts it tells
// people to run, the files it links to, and the ports and label names it documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_API_PORT } from '../../src/config/default-config.js';
import { PPROF_LABELS } from '../../src/pprof/labels.js';
import { DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT } from '../../src/receivers/otlp/config.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no "## ${title}" section`);
  const next = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, next < 0 ? undefined : next);
}

test('the quick start has exactly its two commands', () => {
  const blocks = [...section('Quick start').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  assert.deepEqual(blocks.slice(0, 2), ['npm install && npm start', 'npm test']);
  assert.equal(blocks.length, 2);
});

test('every `npm run <script>` the README mentions exists', () => {
  const named = new Set([...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]!));
  for (const s of ['example', 'docs', 'build', 'bench']) assert.ok(named.has(s), `README does not mention npm run ${s}`);
  for (const s of named) assert.ok(pkg.scripts[s], `package.json has no "${s}" script`);
  assert.match(pkg.scripts.example!, /npm run build && node dist\/examples\/run-example\.js/);
  assert.match(pkg.scripts.docs!, /npm run build && node scripts\/gen-config-docs\.mjs/);
});

test('every relative link in the README points at a file in the repository', () => {
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.length > 5);
  for (const l of links) assert.ok(existsSync(join(root, l)), `README links to ${l}, which does not exist`);
});

test('the ports table and the label table match the code', () => {
  const ports = section('Ports');
  for (const endpoint of [DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT, `127.0.0.1:${DEFAULT_API_PORT}`]) {
    assert.ok(ports.includes(`\`${endpoint}\``), `the ports table lacks ${endpoint}`);
  }
  const labels = section('Span labels: two conventions');
  for (const key of ['TRACE_ID', 'SPAN_ID', 'SPAN_NAME', 'SPAN_ID_DECIMAL', 'LOCAL_ROOT_SPAN_ID', 'TRACE_ENDPOINT'] as const) {
    assert.ok(labels.includes(`| \`${PPROF_LABELS[key]}\` |`), `the label table lacks ${PPROF_LABELS[key]}`);
  }
});

test('the collector feature gate the README names is the one compose passes', () => {
  const compose = readFileSync(join(root, 'docker', 'compose.yaml'), 'utf8');
  const gate = /--feature-gates=([\w.]+)/.exec(compose)![1]!;
  assert.ok(readme.includes(`--feature-gates=${gate}`));
});

test("the README and the UI's empty state spell the collector exporter the same, with the note for older collectors", () => {
  const ui = readFileSync(join(root, 'src', 'ui', 'components', 'empty-state.ts'), 'utf8');
  assert.match(readme, /otlp_grpc\/bridge: +# `otlp\/bridge` on collectors before v0\.144/);
  assert.ok(ui.includes("const COLLECTOR_EXPORTER = 'otlp_grpc/bridge';"));
  assert.ok(ui.includes("const COLLECTOR_OLDER_NOTE = '`otlp/bridge` on collectors before v0.144';"));
  // No other spelling anywhere in either.
  assert.ok(!/exporters: \[otlp\/bridge\]/.test(readme) && !/exporters: \[otlp\/bridge\]/.test(ui));
});

test('the README tells the user to stop the first bridge before npm run example', () => {
  assert.match(section('Quick start'), /stop the first bridge \(Ctrl-C\) before, or run it with\n`npm run example -- --ephemeral-ports`/);
  assert.match(readme, /Stop a bridge started with `npm start` first: the example's bridge takes the same ports/);
});
