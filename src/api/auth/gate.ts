// The access rule of each request, called from the server's handler before routing: which
// resource a path is, whether the credentials open it, and the 401/429 reply when not. Strips
// the pprof `token` parameter from the URL so nothing after this sees (or logs) it.
import type { RequestTarget } from '../../http/target.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from '../routes.js';
import type { Authenticator, Resource } from './authenticator.js';

/** The pprof download, the one place a `?token=` is accepted (go tool pprof sends no headers). */
const PPROF_PATHS = new Set(['/api/v1/pprof', '/debug/pprof/profile']);

/** `X-Requested-With` of the UI's own requests (see Authenticator.challenge). */
export const UI_MARK = 'otel-profile-bridge-ui';

/** What a path serves, for the access rules; undefined: open (health, the UI's static files). */
export function resourceOf(path: string): Resource | undefined {
  if (path === '/metrics') return 'metrics';
  if (PPROF_PATHS.has(path)) return 'pprof';
  if (path.startsWith('/api/') || path.startsWith('/debug/')) return 'api';
  return undefined;
}

function refusal(status: number, code: string, message: string, headers: Record<string, string>): Reply {
  return {
    status,
    body: JSON.stringify({ error: { code, message } }),
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  };
}

/** `denied`: the reply to send instead of routing; `user`: the basic-auth user, for the log. */
export async function authorize(
  auth: Authenticator | undefined,
  headers: IncomingHttpHeaders,
  url: RequestTarget,
): Promise<{ denied?: Reply; user?: string }> {
  const resource = resourceOf(url.pathname);
  const queryToken = resource === 'pprof' ? url.searchParams.get('token') : null;
  url.searchParams.delete('token');
  if (!auth || !resource) return {};
  const d = await auth.check(resource, headers.authorization, queryToken);
  if (d.ok) return { user: d.user };
  if (d.status === 429) return { denied: refusal(429, 'ERR_TOO_MANY_REQUESTS', d.message, { 'retry-after': '1' }) };
  const forUi = headers['x-requested-with'] === UI_MARK;
  return {
    denied: refusal(401, 'ERR_UNAUTHENTICATED', `${d.message} (see docs/api.md#authentication)`, { 'www-authenticate': auth.challenge(forUi) }),
  };
}
