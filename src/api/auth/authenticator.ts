// Decides whether a request may read what it asks for. Secrets are compared in constant
// time; password checks (scrypt, ~50 ms) run in libuv's pool, a bounded number at once, and a
// verified user:password pair is remembered (by its SHA-256, never in clear) for a while so
// the UI's many requests do not each pay for scrypt.
import { createHash } from 'node:crypto';
import { constantTimeEqual, matchesAny } from '../../security/constant-time.js';
import { parsePasswordHash, verifyPassword, type PasswordHash } from '../../security/password.js';
import type { ApiAuthConfig } from './config.js';
import { parseAuthorization } from './credentials.js';
import { readUsersFile } from './users-file.js';

export const REALM = 'otel-profile-bridge';

/** What a path serves, for the access rules: `/metrics` and the pprof download differ. */
export type Resource = 'api' | 'pprof' | 'metrics';

export type AuthDecision =
  | { ok: true; user?: string }
  /** 401: no or wrong credentials. */
  | { ok: false; status: 401; message: string }
  /** 429: too many password checks at once. */
  | { ok: false; status: 429; message: string };

/** Password checks in flight at once; more answer 429 (a flood of guesses cannot pile up). */
const MAX_PASSWORD_CHECKS = 4;
const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 1024;
/** Checked for unknown user names, so a reply's timing does not tell which names exist. */
const DUMMY = parsePasswordHash('scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=') as PasswordHash;

export class Authenticator {
  private readonly users = new Map<string, PasswordHash>();
  private readonly verified = new Map<string, { user: string; until: number }>();
  private checking = 0;

  constructor(
    private readonly config: ApiAuthConfig,
    where = 'extensions.api.auth',
    private readonly now: () => number = Date.now,
  ) {
    for (const u of config.basic?.users ?? []) this.users.set(u.name, parsePasswordHash(u.password_hash) as PasswordHash);
    if (config.basic?.users_file) {
      for (const [name, h] of readUsersFile(config.basic.users_file, `${where}.basic.users_file`)) this.users.set(name, h);
    }
  }

  /** Whether `/metrics` needs no credentials. */
  get metricsOpen(): boolean {
    return this.config.metrics.open;
  }

  /** The `WWW-Authenticate` value of a 401. `forUi`: the UI's own requests (see below). */
  challenge(forUi: boolean): string {
    const out: string[] = [];
    if (this.config.bearer_token) out.push(`Bearer realm="${REALM}"`);
    // A `Basic` challenge makes browsers open their own login dialog over the UI's form; the
    // UI marks its requests, and gets the scheme under a name browsers do not act on.
    if (this.config.basic) out.push(`${forUi ? 'UI-Basic' : 'Basic'} realm="${REALM}", charset="UTF-8"`);
    return out.join(', ');
  }

  async check(resource: Resource, authorization: string | undefined, queryToken: string | null): Promise<AuthDecision> {
    if (resource === 'metrics' && this.config.metrics.open) return { ok: true };
    const presented = parseAuthorization(authorization);
    if (presented.kind === 'bearer') {
      const tokens = [this.config.bearer_token, resource === 'metrics' ? this.config.metrics.bearer_token : undefined].filter(
        (t): t is string => !!t,
      );
      if (tokens.length > 0 && matchesAny(presented.token, tokens)) return { ok: true };
      return deny('wrong bearer token');
    }
    if (presented.kind === 'basic') return this.checkBasic(presented.name, presented.password);
    if (presented.kind === 'malformed') return deny('the Authorization header is neither "Bearer <token>" nor "Basic <base64 user:password>"');
    if (queryToken !== null && resource === 'pprof' && this.config.pprof_query_token && this.config.bearer_token) {
      if (constantTimeEqual(queryToken, this.config.bearer_token)) return { ok: true };
      return deny('wrong token');
    }
    return deny('authentication required');
  }

  private async checkBasic(name: string, password: string): Promise<AuthDecision> {
    if (!this.config.basic) return deny('basic auth is not enabled; send a bearer token');
    const key = createHash('sha256').update(name).update('\0').update(password).digest('base64');
    const hit = this.verified.get(key);
    const t = this.now();
    if (hit && hit.until > t) return { ok: true, user: hit.user };
    if (this.checking >= MAX_PASSWORD_CHECKS) return { ok: false, status: 429, message: 'too many password checks at once; retry shortly' };
    this.checking++;
    let ok: boolean;
    try {
      const h = this.users.get(name);
      ok = await verifyPassword(password, h ?? DUMMY);
      ok = ok && h !== undefined;
    } finally {
      this.checking--;
    }
    if (!ok) return deny('wrong user name or password');
    if (this.verified.size >= CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, { user: name, until: t + CACHE_TTL_MS });
    return { ok: true, user: name };
  }
}

function deny(message: string): AuthDecision {
  return { ok: false, status: 401, message };
}
