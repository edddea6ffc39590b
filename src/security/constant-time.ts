// Secret comparison whose duration depends on neither the content nor the length of what the
// client sent: both sides are hashed to 32 bytes first, then compared with timingSafeEqual.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string | Uint8Array): Buffer => createHash('sha256').update(s).digest();

/** True when `given` equals `expected`, in time independent of where (or whether) they differ. */
export function constantTimeEqual(given: string | Uint8Array, expected: string | Uint8Array): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** True when `given` equals any of `expected`; every candidate is compared (no early exit). */
export function matchesAny(given: string, expected: readonly string[]): boolean {
  let ok = false;
  for (const e of expected) ok = constantTimeEqual(given, e) || ok;
  return ok;
}
