// Writes one converted profile as files (the file exporter and the `convert` command share
// this). The sidecar is written first and the pprof last: a `.pb.gz` that exists always has
// its sidecar, and a crash in between leaves at most a sidecar without data, never the
// reverse. Both writes are atomic (src/exporters/shared/atomic-write.ts).
import { basename } from 'node:path';
import type { ConvertedProfile } from '../../pprof/types.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { profilePaths } from './layout.js';
import { profileSidecar } from './sidecar.js';

export interface WriteOptions {
  /** Flush each file to disk before going on (default true). */
  fsync?: boolean;
  /** Write the JSON sidecar (default true). */
  sidecar?: boolean;
}

export interface WrittenProfile {
  pprofPath: string;
  /** Absent when sidecars are off. */
  sidecarPath?: string;
  /** Bytes written, both files. */
  bytes: number;
}

/** Writes `gzip` (the profile's gzip'd pprof) and its sidecar under `directory`. */
export async function writeProfileFiles(
  directory: string,
  cp: ConvertedProfile,
  gzip: Uint8Array,
  options: WriteOptions = {},
): Promise<WrittenProfile> {
  const paths = profilePaths(directory, cp);
  const fsync = options.fsync ?? true;
  let bytes = 0;
  let sidecarPath: string | undefined;
  if (options.sidecar ?? true) {
    const json = `${JSON.stringify(profileSidecar(cp, basename(paths.pprof)), null, 2)}\n`;
    await writeFileAtomic(paths.sidecar, json, { fsync });
    bytes += Buffer.byteLength(json);
    sidecarPath = paths.sidecar;
  }
  await writeFileAtomic(paths.pprof, gzip, { fsync });
  bytes += gzip.byteLength;
  return sidecarPath === undefined ? { pprofPath: paths.pprof, bytes } : { pprofPath: paths.pprof, sidecarPath, bytes };
}
