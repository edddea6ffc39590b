// Packing the bridge and the stand-alone SDK plugin, and installing a tarball into a fresh
// app directory without the network: the app gets a package-lock.json cut out of the
// bridge's own lockfile (the same versions, fetched from the npm cache by integrity), so
// `npm install --offline` needs nothing the cache lacks.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

const rootLock = (): Record<string, LockEntry> =>
  (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;

/** The lockfile entries of `names` and everything they depend on, where the bridge's tree has them. */
export function lockClosure(names: string[]): Record<string, LockEntry> {
  const pk = rootLock();
  const resolve = (from: string, name: string): string | undefined => {
    for (let base = from; ;) {
      const p = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (pk[p]) return p;
      if (!base) return undefined;
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
  };
  const out: Record<string, LockEntry> = {};
  const todo = names.map((n) => {
    const p = resolve('', n);
    if (!p) throw new Error(`${n} is not in package-lock.json`);
    return p;
  });
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (out[p]) continue;
    const {
      dev: _dev,
      devOptional: _devOptional,
      peer: _peer,
      ...entry
    } = pk[p]! as LockEntry & { dev?: boolean; devOptional?: boolean; peer?: boolean };
    out[p] = entry;
    for (const n of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const r = resolve(p, n);
      if (r) todo.push(r);
    }
  }
  return out;
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

/** `npm pack` of a package directory into `dest`; returns the tarball's path. */
export function npmPack(packageDir: string, dest: string): string {
  const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest, packageDir], ROOT);
  const [info] = JSON.parse(out) as { filename: string }[];
  return join(dest, info!.filename);
}

/** Builds the plugin package into `dir` (scripts/build-sdk.mjs) and packs it there. */
export function packSdk(dir: string): string {
  run(process.execPath, [join(ROOT, 'scripts', 'build-sdk.mjs'), '--out', join(dir, 'sdk-package')], ROOT);
  return npmPack(join(dir, 'sdk-package'), dir);
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
}

export interface AppInstall {
  /** Wall time of `npm install`. */
  ms: number;
  /** Apparent size of the files under node_modules, and their number. */
  bytes: number;
  files: number;
}

/**
 * Makes `appDir` an app that depends on the tarball (and on `alsoNames` at the bridge's
 * versions, e.g. the peer @opentelemetry/api) and installs it offline (`npm ci`, from the lockfile written here). `allowScripts` lists
 * the packages whose install scripts may run (none by default).
 */
export function installOffline(appDir: string, tarball: string, alsoNames: string[], allowScripts: string[] = []): AppInstall {
  const tarPkg = JSON.parse(run('tar', ['-xOzf', tarball, 'package/package.json'], appDir)) as PackageJson;
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const also = Object.fromEntries(alsoNames.map((n) => [n, rootPkg.dependencies[n] ?? rootPkg.devDependencies[n]!]));
  const dependencies = { [tarPkg.name]: `file:${tarball}`, ...also };
  const allow = allowScripts.length > 0 ? { allowScripts: Object.fromEntries(allowScripts.map((n) => [n, true])) } : {};
  writeFileSync(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies, ...allow }, null, 2),
  );
  const self: LockEntry = {
    version: tarPkg.version,
    resolved: `file:${tarball}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    ...(tarPkg.dependencies ? { dependencies: tarPkg.dependencies } : {}),
    ...(tarPkg.peerDependencies ? { peerDependencies: tarPkg.peerDependencies } : {}),
    ...(tarPkg.peerDependenciesMeta ? { peerDependenciesMeta: tarPkg.peerDependenciesMeta } : {}),
  };
  const packages = {
    '': { name: 'app', version: '1.0.0', dependencies },
    [`node_modules/${tarPkg.name}`]: self,
    ...lockClosure([...Object.keys(tarPkg.dependencies ?? {}), ...alsoNames]),
  };
  writeFileSync(
    join(appDir, 'package-lock.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  const args = ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'];
  const t0 = performance.now();
  run('npm', args, appDir);
  const ms = performance.now() - t0;
  const { bytes, files } = treeSize(join(appDir, 'node_modules'));
  return { ms, bytes, files };
}

export function treeSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const sub = treeSize(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += lstatSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}
