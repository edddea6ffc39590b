// Builds the stand-alone SDK plugin package (otel-profile-bridge-sdk) from src/sdk:
// one ES module bundled by esbuild (the OTLP codec, the OTLP client and the plugin; its
// dependencies stay external) plus the type declarations emitted by tsc.
//
//   node scripts/build-sdk.mjs [--out DIR]     (default DIR: packages/sdk)
//
// DIR receives package.json and README.md from packages/sdk and dist/. The package's
// version and dependency versions must equal the bridge's: the build stops when they drift.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const template = join(root, 'packages', 'sdk');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : template;

const bridge = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sdk = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
const drift = [];
if (sdk.version !== bridge.version) drift.push(`version ${sdk.version} (the bridge is ${bridge.version})`);
for (const [name, version] of Object.entries(sdk.dependencies)) {
  if (bridge.dependencies[name] !== version) drift.push(`${name} ${version} (the bridge has ${bridge.dependencies[name] ?? 'none'})`);
}
if (drift.length > 0) {
  process.stderr.write(`build-sdk: packages/sdk/package.json is out of step with package.json: ${drift.join(', ')}; make them equal.\n`);
  process.exit(1);
}

const external = [...Object.keys(sdk.dependencies), ...Object.keys(sdk.peerDependencies)];
rmSync(join(out, 'dist'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
if (out !== template) {
  copyFileSync(join(template, 'package.json'), join(out, 'package.json'));
  copyFileSync(join(template, 'README.md'), join(out, 'README.md'));
}

const result = await build({
  entryPoints: [join(root, 'src', 'sdk', 'index.ts')],
  outfile: join(out, 'dist', 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
// The bundle must not carry any of the bridge beyond what the plugin uses.
const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p)));
const stray = inputs.filter(
  (p) => !/^src\/(sdk|otlp|otlp-client|protobuf|generated\/otlp|component\/result\.ts|join\/attributes\.ts|errors\.ts|version\.ts)/.test(p),
);
if (stray.length > 0) {
  process.stderr.write(`build-sdk: the bundle pulls in files outside the plugin: ${stray.join(', ')}\n`);
  process.exit(1);
}

// Declarations for the entry point and what it references, laid out as under src/.
const tsconfig = join(out, 'tsconfig.types.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      typeRoots: [join(root, 'node_modules', '@types')],
      rootDir: join(root, 'src'),
      outDir: join(out, 'dist', 'types'),
      declaration: true,
      emitDeclarationOnly: true,
      sourceMap: false,
      declarationMap: false,
    },
    files: [join(root, 'src', 'sdk', 'index.ts')],
    include: [],
  }),
);
try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { stdio: 'inherit' });
} finally {
  rmSync(tsconfig, { force: true });
}
process.stderr.write(`build-sdk: ${relative(root, out) || '.'}/dist (${inputs.length} source files bundled)\n`);
