// Times and durations as people type them in a query: RFC 3339, unix milliseconds, or
// relative to now (`now-1h`). Pure: `now` is a parameter.
import { QueryError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of `1h30m` / `250ms` / `7d` / `1500` (a bare number is milliseconds); undefined when unreadable. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end > 0 && end === t.length ? total : undefined;
}

// RFC 3339 with a required zone (Z or ±hh:mm); fractional seconds optional.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A point in time in unix ms. `param` names the parameter in the error message. */
export function parseTime(text: string, now: number, param: string): number {
  const t = text.trim();
  if (/^\d{1,16}$/.test(t)) return Number(t);
  const rel = /^now(?:\s*([+-])\s*(.+))?$/i.exec(t);
  if (rel) {
    if (!rel[1]) return now;
    const d = parseDurationMs(rel[2]!);
    if (d === undefined) throw new QueryError('time_range', `${param}: "${text}" is not a time; the offset after now${rel[1]} must be a duration like 15m, 1h30m or 7d`);
    return rel[1] === '-' ? now - d : now + d;
  }
  if (RFC3339.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new QueryError('time_range', `${param}: "${text}" is not a time; write RFC 3339 (2025-06-01T12:00:00Z), unix milliseconds, or now-1h`);
}

export interface TimeRange {
  /** Unix ms, inclusive. */
  from: number;
  /** Unix ms, inclusive. */
  to: number;
}

/**
 * The range from the `from`/`to` texts, each defaulting when absent (`defaultFrom` may be
 * relative, e.g. 'now-1h'). Throws a QueryError when `from` is after `to`.
 */
export function parseTimeRange(
  from: string | undefined,
  to: string | undefined,
  now: number,
  defaults: { from: string; to: string } = { from: 'now-1h', to: 'now' },
  prefix = '',
): TimeRange {
  const f = parseTime(from ?? defaults.from, now, `${prefix}from`);
  const t = parseTime(to ?? defaults.to, now, `${prefix}to`);
  if (f > t) {
    throw new QueryError('time_range', `${prefix}from (${iso(f)}) is after ${prefix}to (${iso(t)})`);
  }
  return { from: f, to: t };
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(ms);
}
