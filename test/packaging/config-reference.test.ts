// The README's config reference is generated from the config schemas; these tests fail when
// the two drift apart (run `npm run docs`), when a key has no meaning, and check the walk on
// small schemas whose rows are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildConfigReference, currentReference, spliceReference, START_MARKER, END_MARKER } from '../../src/config/reference/index.js';
import { formatDuration, formatSize, schemaRows, typeName } from '../../src/config/reference/walk.js';
import { byteSize, duration, hostPort } from '../../src/config/units.js';
import { defaultFactories } from '../../src/components.js';
import type { ExporterFactory } from '../../src/component/factory.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = () => readFileSync(`${root}README.md`, 'utf8');

test('the README config reference matches the config schemas (else run `npm run docs`)', () => {
  const r = buildConfigReference();
  const current = currentReference(readme());
  assert.ok(current, `README.md lacks the ${START_MARKER} ... ${END_MARKER} section`);
  assert.equal(current, r.markdown, 'README.md config reference is out of date: run `npm run docs`');
});

test('`npm run docs -- --check` (scripts/gen-config-docs.mjs) agrees that the README is current', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-config-docs.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /up to date/);
});

test('every config key has a meaning', () => {
  const r = buildConfigReference();
  assert.deepEqual(r.undocumented, [], "keys without a meaning: add a .describe('...') on the schema key");
});

test('the reference lists every registered component and the default ports', () => {
  const r = buildConfigReference();
  const factories = defaultFactories();
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    for (const type of Object.keys(factories[kind])) {
      assert.ok(r.markdown.includes(`#### ${kind}: \`${type}\``), `${kind}.${type} is missing`);
    }
  }
  assert.match(r.markdown, /\| `protocols\.grpc\.endpoint` \| host:port \| `127\.0\.0\.1:4317` \|/);
  assert.match(r.markdown, /\| `protocols\.http\.endpoint` \| host:port \| `127\.0\.0\.1:4318` \|/);
});

test('a schema change makes the generated reference differ from the README', () => {
  const factories = defaultFactories();
  const extra: ExporterFactory<unknown> = {
    type: 'zz_extra',
    configSchema: z.strictObject({ answer: z.number().int().default(42).describe('A key only this test has.') }),
    create: () => ({}),
  };
  factories.exporters[extra.type] = extra;
  const r = buildConfigReference(factories);
  assert.notEqual(currentReference(readme()), r.markdown);
  assert.ok(r.markdown.includes('#### exporters: `zz_extra`'));
  assert.ok(r.markdown.includes('| `answer` | integer | `42` | A key only this test has. |'));
});

test('schemaRows: types, defaults in the units users write, required keys, unions, maps', () => {
  const schema = z.strictObject({
    wait: duration().default(90_000).describe('about wait'),
    size: byteSize().default(64 * 2 ** 20),
    endpoint: hostPort().default('127.0.0.1:4317'),
    url: z.url().optional(),
    mode: z.enum(['a', 'b']).default('a'),
    name: z.string(),
    ratio: z.number().max(1).default(0.5),
    tags: z.record(z.string(), z.string()).default({}),
    list: z.array(z.string()).default(['x']),
    auth: z.union([z.strictObject({ token: z.string() }), z.strictObject({ user: z.string() })]).optional(),
    nested: z.strictObject({ deep: z.boolean().default(true) }).prefault({}),
    byName: z.record(z.string(), z.strictObject({ n: z.number().int() })),
  });
  const rows = schemaRows(schema);
  const byPath = new Map(rows.map((r) => [r.path, r]));
  assert.deepEqual(
    rows.map((r) => r.path),
    [
      'wait',
      'size',
      'endpoint',
      'url',
      'mode',
      'name',
      'ratio',
      'tags',
      'list',
      'auth',
      'auth.token',
      'auth.user',
      'nested',
      'nested.deep',
      'byName',
      'byName.<name>.n',
    ],
  );
  assert.deepEqual(byPath.get('wait'), { path: 'wait', type: 'duration', default: '90s', required: false, meaning: 'about wait' });
  assert.equal(byPath.get('size')!.default, '64MiB');
  assert.equal(byPath.get('size')!.type, 'size');
  assert.equal(byPath.get('endpoint')!.type, 'host:port');
  assert.equal(byPath.get('url')!.type, 'URL');
  assert.equal(byPath.get('mode')!.type, '`a` \\| `b`');
  assert.equal(byPath.get('name')!.required, true);
  assert.equal(byPath.get('ratio')!.type, 'number');
  assert.equal(byPath.get('tags')!.default, '{}');
  assert.equal(byPath.get('list')!.default, '[x]');
  assert.equal(byPath.get('auth')!.type, 'object (one of)');
  // A key of one union alternative is not required overall.
  assert.equal(byPath.get('auth.token')!.required, false);
  assert.equal(byPath.get('nested')!.default, undefined);
  assert.equal(byPath.get('nested.deep')!.default, 'true');
  assert.equal(byPath.get('byName.<name>.n')!.type, 'integer');
  assert.equal(byPath.get('byName.<name>.n')!.required, true);
});

test('the meaning of a key is its description, set outside or inside wrappers, by .describe() or .meta()', () => {
  const rows = schemaRows(
    z.strictObject({
      outer: z.string().optional().describe('described outside'),
      inner: z.string().describe('described inside').default('x'),
      meta: duration().default(1000).meta({ description: 'from meta' }),
      none: z.string().optional(),
    }),
  );
  assert.deepEqual(
    rows.map((r) => [r.path, r.meaning]),
    [
      ['outer', 'described outside'],
      ['inner', 'described inside'],
      ['meta', 'from meta'],
      ['none', undefined],
    ],
  );
});

test('typeName and the unit formatting', () => {
  assert.equal(typeName(z.array(z.number().int())), 'list of integer');
  assert.equal(formatDuration(0, false), '0');
  assert.equal(formatDuration(1500, false), '1500ms');
  assert.equal(formatDuration(7 * 86_400_000, true), '7d');
  assert.equal(formatDuration(7 * 86_400_000, false), '168h');
  assert.equal(formatSize(1536), '1536');
  assert.equal(formatSize(2 ** 30), '1GiB');
});

test('spliceReference replaces only the marked section', () => {
  const text = `# t\n\nbefore\n\n${START_MARKER}\nold\n${END_MARKER}\n\nafter\n`;
  const out = spliceReference(text, `${START_MARKER}\nnew\n${END_MARKER}`);
  assert.equal(out, `# t\n\nbefore\n\n${START_MARKER}\nnew\n${END_MARKER}\n\nafter\n`);
  assert.throws(() => spliceReference('no markers', 'x'), /config-reference:start/);
});
