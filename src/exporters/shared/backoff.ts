// Exponential backoff with jitter, and the "retry later" hints servers send. Pure: the
// clock and the random source are parameters.
import type { RetryPolicy } from './config.js';

/**
 * Delay before retry number `attempt` (0 = the first retry): initial * multiplier^attempt,
 * capped at max, then spread by ±randomization_factor so that many clients that failed
 * together do not come back together.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * policy.multiplier ** Math.max(0, attempt));
  const spread = base * policy.randomizationFactor;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/**
 * Milliseconds from an HTTP `Retry-After` value: delay-seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `nowMs`). Undefined when absent or unreadable;
 * a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
