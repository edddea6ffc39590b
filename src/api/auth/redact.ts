// Request URLs as they may be logged: the pprof `token` parameter (and any other parameter
// that names a secret) replaced, so no log line carries a credential.
import type { RequestTarget } from '../../http/target.js';
const SECRET_PARAMS = /^(token|access_token|password|secret|api_key|apikey)$/i;

export function redactedUrl(url: RequestTarget): string {
  const q = new URLSearchParams();
  for (const [k, v] of url.searchParams) q.append(k, SECRET_PARAMS.test(k) ? '[redacted]' : v);
  const s = q.toString();
  return s ? `${url.pathname}?${s}` : url.pathname;
}
