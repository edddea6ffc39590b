// A child's memory figures from /proc/<pid>/status (Linux), for the tests and benches that
// watch a real bridge process.
import { readFileSync } from 'node:fs';

/** A `VmRSS` / `VmHWM` / … line of /proc/<pid>/status in bytes; NaN when the line is missing. */
export function procStatusBytes(pid: number, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
}
