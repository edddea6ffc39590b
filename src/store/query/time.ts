// Times and durations as people type them in a query: RFC 3339, unix milliseconds, or
// relative to now (`now-1h`). Pure: `now` is a parameter.
import { QueryError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Milliseconds of `1h30m` / `250ms` / `7d` / `1500` (a bare number is milliseconds);
 * undefined when unreadable or not finite (`9999…9d` with hundreds of digits).
 */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return finite(Number(t));
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end > 0 && end === t.length ? finite(total) : undefined;
}

function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

/** The times a JavaScript Date can hold (±100 000 000 days around 1970), in unix ms. */
export const MAX_TIME_MS = 8.64e15;

// RFC 3339 with a required zone (Z or ±hh:mm); fractional seconds optional.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Why the fields of an RFC 3339 time are not a real date and time, or undefined. */
function calendarProblem(m: RegExpExecArray): string | undefined {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return `month ${m[2]} does not exist`;
  // Day 0 of the next month is the last day of this one.
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${m[1]}-${m[2]} has no day ${m[3]} (it has ${days} days)`;
  if (hour > 23 || minute > 59 || second > 59) return `${m[4]}:${m[5]}:${m[6]} is not a time of day`;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return `the zone offset ${m[8]}:${m[9]} does not exist`;
  return undefined;
}

/**
 * A point in time in unix ms: always a finite number a Date can hold. `param` names the
 * parameter in the error message.
 */
export function parseTime(text: string, now: number, param: string): number {
  const ms = readTime(text, now, param);
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) {
    throw new QueryError('time_range', `${param}: "${clip(text)}" is out of range; a time must lie within 100 000 000 days of 1970-01-01`);
  }
  return ms;
}

function readTime(text: string, now: number, param: string): number {
  const t = text.trim();
  if (/^\d{1,16}$/.test(t)) return Number(t);
  const rel = /^now(?:\s*([+-])\s*(.+))?$/i.exec(t);
  if (rel) {
    if (!rel[1]) return now;
    const d = parseDurationMs(rel[2]!);
    if (d === undefined)
      throw new QueryError(
        'time_range',
        `${param}: "${clip(text)}" is not a time; the offset after now${rel[1]} must be a finite duration like 15m, 1h30m or 7d`,
      );
    return rel[1] === '-' ? now - d : now + d;
  }
  const m = RFC3339.exec(t);
  if (m) {
    const problem = calendarProblem(m);
    if (problem !== undefined) throw new QueryError('time_range', `${param}: "${clip(text)}" is not a real date: ${problem}`);
    const ms = Date.parse(t.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new QueryError('time_range', `${param}: "${clip(text)}" is not a time; write RFC 3339 (2025-06-01T12:00:00Z), unix milliseconds, or now-1h`);
}

/** Echoed input stays short in messages (a time can be sent with 400 digits). */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
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
