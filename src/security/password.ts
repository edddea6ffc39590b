// Password hashes for basic auth: scrypt from node:crypto (no native dependency), stored as
//   scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>
// `otel-profile-bridge hash-password` prints one for a password read from stdin.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, o, (e, key) => (e ? reject(e) : resolve(key))));

/** OWASP's scrypt minimum (N=2^17, r=8, p=1) costs 128 MiB; this is 16 MiB and ~50 ms a check. */
export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export interface PasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** The parsed hash, or a sentence saying what is wrong with it (for config messages). */
export function parsePasswordHash(text: string): PasswordHash | string {
  const m = FORMAT.exec(text.trim());
  if (!m) return 'expected scrypt$N$r$p$salt$hash (make one with `otel-profile-bridge hash-password`)';
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || (N & (N - 1)) !== 0) return `scrypt N must be a power of two, got ${N}`;
  if (N < 1024 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16)
    return `scrypt parameters out of range (N 1024..1048576, r 1..32, p 1..16): N=${N} r=${r} p=${p}`;
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (salt.length < 8) return 'salt must be at least 8 bytes';
  if (hash.length < 16) return 'hash must be at least 16 bytes';
  return { N, r, p, salt, hash };
}

export async function hashPassword(password: string, o: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { ...o, maxmem: 256 * o.N * o.r });
  return `scrypt$${o.N}$${o.r}$${o.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Runs scrypt in libuv's thread pool (the event loop stays free) and compares in constant time. */
export async function verifyPassword(password: string, h: PasswordHash): Promise<boolean> {
  const key = await scrypt(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r });
  return timingSafeEqual(key, h.hash);
}
