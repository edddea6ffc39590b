// Compact map keys for lists of ids. A Map keyed by a short flat string is the fastest
// general lookup V8 offers for a tuple; building it from numbers must not go through
// decimal text (Array#join was most of the cost of resolving a stack).

const CHUNK = 4096;

/**
 * Non-negative 32-bit integers as a string of two UTF-16 units each (low half, high half):
 * fixed width, so distinct lists give distinct keys, and no number is formatted.
 */
export function idsKey(ids: ArrayLike<number>): string {
  const n = ids.length;
  const units = new Array<number>(Math.min(n, CHUNK) * 2);
  let out = '';
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    units.length = (end - start) * 2;
    for (let i = start, j = 0; i < end; i++, j += 2) {
      const v = ids[i]!;
      units[j] = v & 0xffff;
      units[j + 1] = v >>> 16;
    }
    out += String.fromCharCode.apply(null, units);
  }
  return out;
}

/** Any number as key text, ended by ';' (which no number's text holds). */
export function numKey(v: number | bigint): string {
  return `${v};`;
}
