// Whole-or-nothing file writes: the bytes go to a temporary file in the same directory,
// are flushed to disk, and the file is renamed over the final name. A reader (or a restart
// after a crash) sees either the old file, the complete new one, or nothing; never a
// truncated file under the final name. Temporary files are dot-files ending in
// `.tmp-<hex>`, so globs such as `*.pb.gz` never pick one up, and `removeTempFiles` can
// clear what a crash left behind.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /**
   * Flush the file and its directory entry to disk before returning (default true). Off, a
   * crash may lose the file, but still never leaves a partial one under the final name.
   */
  fsync?: boolean;
  /** File mode for a new file (default 0o644). */
  mode?: number;
  /** Create missing parent directories (default true). */
  mkdirs?: boolean;
}

const TEMP_RE = /^\..+\.tmp-[0-9a-f]{12}$/;

/** The temporary name used for `path`: a hidden sibling. */
function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
}

/** True for names this module uses for temporary files. */
export function isTempFileName(name: string): boolean {
  return TEMP_RE.test(name);
}

/** Writes `bytes` to `path` atomically (temporary file in the same directory + fsync + rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const fsync = options.fsync ?? true;
  const dir = dirname(path);
  if (options.mkdirs ?? true) await mkdir(dir, { recursive: true });
  const temp = tempPathOf(path);
  // 'wx': never follow or reuse something already at the temporary name.
  const fh = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    await fh.writeFile(bytes);
    if (fsync) await fh.sync();
    await fh.close();
    await rename(temp, path);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  if (fsync) await syncDirectory(dir);
}

/** Makes a rename in `dir` durable. Not every platform can open a directory; that is not an error. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch {
    // EINVAL / EISDIR / EPERM on platforms without directory fsync.
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Deletes temporary files left by interrupted writes in `dir` and, up to `depth` levels,
 * below it. Returns how many were removed. Missing directories are fine.
 */
export async function removeTempFiles(dir: string, depth = 0): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isFile() && isTempFileName(e.name)) {
      await rm(p, { force: true });
      n++;
    } else if (e.isDirectory() && depth > 0) {
      n += await removeTempFiles(p, depth - 1);
    }
  }
  return n;
}
