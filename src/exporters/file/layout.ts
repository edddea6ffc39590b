// Where the file exporter puts a profile:
//
//   <directory>/<service.name>/<profileType>/<start>_<profileId>.pb.gz   gzip'd pprof
//   <directory>/<service.name>/<profileType>/<start>_<profileId>.json    its sidecar
//
// <start> is the profile's start time in UTC with nanoseconds, `20251125T101500.123000000Z`:
// fixed width, so names sort by time, and free of `:` so it is valid on every filesystem.
// Path components are sanitized: a service name can never climb out of the directory or
// hide a file.
import { createHash } from 'node:crypto';
import { join, resolve, sep } from 'node:path';
import type { ConvertedProfile } from '../../pprof/types.js';

const MAX_SEGMENT = 100;

/**
 * One safe path segment for any string: characters outside `[A-Za-z0-9._-]` become `_`,
 * a leading dot is prefixed (no `.`, `..` or hidden names), empty becomes `fallback`, and
 * long names are cut with a hash of the original so distinct names stay distinct.
 */
export function safeSegment(s: string, fallback: string): string {
  let out = s.replace(/[^A-Za-z0-9._-]+/g, '_');
  if (out === '') out = fallback;
  if (out.startsWith('.')) out = `_${out}`;
  if (out.length > MAX_SEGMENT) out = `${out.slice(0, MAX_SEGMENT - 17)}_${createHash('sha256').update(s).digest('hex').slice(0, 16)}`;
  return out;
}

/** `20251125T101500.123456789Z` for a time in ns since the epoch. */
export function fileTimestamp(unixNano: bigint): string {
  const ns = unixNano < 0n ? 0n : unixNano;
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const iso = new Date(Number(seconds) * 1000).toISOString(); // 2025-11-25T10:15:00.000Z
  const ymd = iso.slice(0, 10).replace(/-/g, '');
  const hms = iso.slice(11, 19).replace(/:/g, '');
  return `${ymd}T${hms}.${fraction}Z`;
}

/** RFC 3339 in UTC with nanoseconds, for the sidecar. */
export function rfc3339Nano(unixNano: bigint): string {
  const ns = unixNano < 0n ? 0n : unixNano;
  const iso = new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  return `${iso}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

export interface ProfilePaths {
  /** The directory both files go in. */
  dir: string;
  pprof: string;
  sidecar: string;
}

export function profilePaths(directory: string, cp: ConvertedProfile): ProfilePaths {
  const service = safeSegment(cp.seriesLabels['service.name'] ?? '', 'unknown_service');
  const type = safeSegment(cp.profileType, 'unknown');
  const base = `${fileTimestamp(cp.startUnixNano)}_${safeSegment(cp.profileId, 'noid')}`;
  const dir = join(directory, service, type);
  const paths = { dir, pprof: join(dir, `${base}.pb.gz`), sidecar: join(dir, `${base}.json`) };
  // Defence in depth: the segments above cannot hold a separator, but check the result.
  const root = resolve(directory) + sep;
  if (!resolve(paths.pprof).startsWith(root) || !resolve(paths.sidecar).startsWith(root)) {
    throw new Error(`refusing to write outside ${directory}: ${paths.pprof}`);
  }
  return paths;
}
