// What a request presents: the Authorization header parsed (Bearer or Basic). Pure.

export type Presented =
  { kind: 'none' } | { kind: 'bearer'; token: string } | { kind: 'basic'; name: string; password: string } | { kind: 'malformed' };

export function parseAuthorization(header: string | undefined): Presented {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header.trim());
  if (!m) return { kind: 'malformed' };
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'bearer') return { kind: 'bearer', token: m[2]! };
  if (scheme === 'basic') {
    const text = Buffer.from(m[2]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return { kind: 'malformed' };
    return { kind: 'basic', name: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return { kind: 'malformed' };
}
