// Request headers for backend credentials. Built from the config at send time, never stored
// with queued items (a persisted queue holds no secrets).

export type AuthConfig = { basic: { username: string; password: string } } | { bearer_token: string };

export function authorizationHeader(auth: AuthConfig | undefined): string | undefined {
  if (auth === undefined) return undefined;
  if ('basic' in auth) return `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`, 'utf8').toString('base64')}`;
  return `Bearer ${auth.bearer_token}`;
}
