// The README's Quick start on a clean copy of the repository (the files git tracks, as a clone
// has them): `npm install` from the lockfile, `npm start`, `/health` answers 200, Ctrl-C stops
// it. `--strict-allow-scripts` turns an install script missing from package.json's
// `allowScripts` into a failed install, so the approvals are checked by npm itself.
//
// Kept fast for CI: packages come from npm's cache where it has them (`--prefer-offline`), and
// better-sqlite3's install script (prebuild-install) is handed the binary of the current
// install as a local prebuild, so it unpacks that instead of compiling SQLite for a minute.
// Everything else (resolution from the lockfile, every install script, the build) runs as a
// user's would.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'opb-quickstart-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a user's shell: none of the outer npm's `npm_*` settings leak in. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Copies what `git clone` would check out (tracked files, plus new ones not ignored). */
function cleanCopy(to: string): void {
  const ls = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  assert.equal(ls.status, 0, `git ls-files failed: ${ls.stderr}`);
  const files = ls.stdout.split('\0').filter((f) => f && existsSync(join(root, f)) && lstatSync(join(root, f)).isFile());
  assert.ok(files.includes('package-lock.json') && files.includes('README.md'));
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    copyFileSync(join(root, f), join(to, f));
  }
}

/** better-sqlite3's binary from this install, packed as the prebuild prebuild-install looks for. */
function localPrebuild(dir: string): string | undefined {
  const pkgDir = join(root, 'node_modules', 'better-sqlite3');
  if (!existsSync(join(pkgDir, 'build', 'Release', 'better_sqlite3.node'))) return undefined;
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
  const libc = process.platform === 'linux' && !glibc ? 'musl' : '';
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('tar', ['-czf', join(dir, name), '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  return tar.status === 0 ? dir : undefined;
}

test('the Quick start works on a clean copy: npm install from the lockfile, npm start, /health, Ctrl-C', { timeout: 600_000 }, async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes('```sh\nnpm install && npm start\n```'), "the README's first command changed; update this test");

  const repo = join(work, 'otel-profile-bridge');
  cleanCopy(repo);
  const lockBefore = readFileSync(join(repo, 'package-lock.json'), 'utf8');
  const pkgBefore = readFileSync(join(repo, 'package.json'), 'utf8');
  // prebuild-install reads `.prebuild-installrc` from the directories above its package (an
  // environment variable would not survive the `sh` npm runs scripts with: its name has a `-`).
  const prebuilds = localPrebuild(join(work, 'prebuilds'));
  if (prebuilds) writeFileSync(join(work, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`);

  const install = spawnSync('npm', ['install', '--prefer-offline', '--strict-allow-scripts', '--no-audit', '--no-fund'], {
    cwd: repo,
    encoding: 'utf8',
    env: userEnv(),
    timeout: 540_000,
  });
  const output = `${install.stdout}\n${install.stderr}`;
  assert.equal(install.status, 0, `npm install failed:\n${output}`);
  assert.match(install.stdout, /added \d+ packages/);
  // Nothing for the user to act on: no unapproved install scripts, no other warnings.
  assert.ok(!/install scripts not yet covered by allowScripts/.test(output), output);
  assert.deepEqual(
    output.split('\n').filter((l) => /^npm (warn|WARN|error|ERR)/.test(l)),
    [],
    output,
  );
  // From the lockfile: it is unchanged, and so is package.json.
  assert.equal(readFileSync(join(repo, 'package-lock.json'), 'utf8'), lockBefore, 'npm install rewrote package-lock.json');
  assert.equal(readFileSync(join(repo, 'package.json'), 'utf8'), pkgBefore);
  assert.ok(
    existsSync(join(repo, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')),
    'the SQLite binding was not installed',
  );
  const compiled = existsSync(join(repo, 'node_modules', 'better-sqlite3', 'build', 'Release', 'obj.target'));
  t.diagnostic(compiled ? 'better-sqlite3 was compiled from source' : 'better-sqlite3 used the local prebuild');

  // `npm start`, on ephemeral ports (other tests and bridges may hold 4317/4318/4380).
  const config = join(work, 'ports.yaml');
  writeFileSync(config, DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:0'));
  const start = spawn('npm', ['start', '--', '--config', config], { cwd: repo, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const group = -start.pid!;
  const killer = setTimeout(() => process.kill(group, 'SIGKILL'), 300_000);
  let out = '';
  let err = '';
  start.stdout.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const ui = await new Promise<string>((resolve, reject) => {
      start.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /Open (http:\/\/127\.0\.0\.1:\d+\/) for the flame graphs\./.exec(err);
        if (m) resolve(m[1]!);
      });
      start.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}\n${err}`)));
    });
    const health = await fetch(`${ui}health`);
    assert.equal(health.status, 200);
    assert.match(err, new RegExp(`Data +${join(repo, 'data').replace(/[./]/g, '\\$&')} +store`));
  } finally {
    // Ctrl-C: the terminal sends SIGINT to the whole foreground group (npm and the bridge).
    // (The group may be gone already when npm start failed: the error above is the one to see.)
    if (start.exitCode === null && start.signalCode === null) {
      process.kill(group, 'SIGINT');
      await once(start, 'exit');
    }
    clearTimeout(killer);
  }
  assert.match(out, /shutting down: no new data accepted, flushing/);
  assert.match(out, /otel-profile-bridge stopped/);
});

test('allowScripts approves exactly the locked packages that have install scripts', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }>;
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const withScripts = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .sort();
  assert.deepEqual(withScripts, ['better-sqlite3', 'esbuild', 'protobufjs']);
  assert.deepEqual(pkg.allowScripts, Object.fromEntries(withScripts.map((n) => [n, true])));
});
