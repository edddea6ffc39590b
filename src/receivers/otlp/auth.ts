import { constantTimeEqual } from '../../security/constant-time.js';

/** Compares `Authorization: Bearer <token>` in constant time (whatever the length sent). */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  return constantTimeEqual(m[1]!, expected);
}
