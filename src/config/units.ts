// Config value types users write by hand: durations ("10s", "250ms", "1m30s" or a number of
// milliseconds) and byte sizes ("64MiB", "512KiB", "1GB" or a number of bytes).
import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** Milliseconds from "1m30s" / "250ms" / 1500; undefined when unreadable. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** Bytes from "64MiB" / "1.5GB" / 1024; undefined when unreadable. */
export function parseByteSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}

/** A duration in the config; parses to milliseconds. */
export function duration() {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; write e.g. 500ms, 10s, 1m30s or a number of milliseconds` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A byte size in the config; parses to bytes. */
export function byteSize() {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const bytes = parseByteSize(v);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a size; write e.g. 64MiB, 512KiB, 1GB or a number of bytes` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** host:port, as the collector writes endpoints. */
export function hostPort() {
  return z.string().refine((s) => /^[^\s:]*:\d{1,5}$/.test(s) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(s), {
    message: 'expected host:port, e.g. 127.0.0.1:4317',
  });
}

export function splitHostPort(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  let host = endpoint.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host: host || '0.0.0.0', port: Number(endpoint.slice(i + 1)) };
}
