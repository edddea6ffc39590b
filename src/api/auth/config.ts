// Config of the API's authentication (`extensions.api.auth`):
//   auth:
//     bearer_token: ${env:BRIDGE_API_TOKEN}
//     basic: { users: [{ name: alice, password_hash: "scrypt$..." }], users_file: /etc/bridge/users }
//     metrics: { open: false, bearer_token: ${env:SCRAPER_TOKEN} }
//     pprof_query_token: true
import { z } from 'zod';
import { parsePasswordHash } from '../../security/password.js';

/** Shorter tokens are guessable by a patient client; 16 characters of `openssl rand -hex 32` is the floor. */
export const MIN_TOKEN_LENGTH = 16;

const token = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty (use \${env:NAME} to read it from the environment, and check NAME is set)`)
    .min(MIN_TOKEN_LENGTH, `${what} must be at least ${MIN_TOKEN_LENGTH} characters (make one with \`openssl rand -hex 32\`)`);

const passwordHash = z.string().superRefine((v, ctx) => {
  const h = parsePasswordHash(v);
  if (typeof h === 'string') ctx.addIssue({ code: 'custom', message: h });
});

const user = z.strictObject({
  /** The user name sent in basic auth. */
  name: z
    .string()
    .min(1)
    .regex(/^[^:\s]+$/, 'user names hold no colon or space'),
  /** `scrypt$N$r$p$salt$hash`, printed by `otel-profile-bridge hash-password`. */
  password_hash: passwordHash,
});

export const apiAuthConfigSchema = z
  .strictObject({
    bearer_token: token('bearer_token').optional().describe('Clients send `Authorization: Bearer <token>`.'),
    basic: z
      .strictObject({
        users: z.array(user).default([]).describe('Users with their scrypt password hashes.'),
        users_file: z.string().min(1).optional().describe('A file of `name:scrypt$...` lines (`#` starts a comment), read at start-up.'),
      })
      .optional()
      .describe('Clients send `Authorization: Basic` with one of these users.'),
    metrics: z
      .strictObject({
        open: z.boolean().default(false).describe('Serve `/metrics` without credentials (for a scraper on a private network).'),
        bearer_token: token('metrics.bearer_token')
          .optional()
          .describe("A token accepted on `/metrics` only (give scrapers this instead of the API's)."),
      })
      .default({ open: false })
      .describe('Who may read `/metrics`.'),
    pprof_query_token: z
      .boolean()
      .default(true)
      .describe(
        'Accept the bearer token as `?token=` on the pprof download (`/debug/pprof/profile`, `/api/v1/pprof`) only, for `go tool pprof`, which cannot send headers. Never logged.',
      ),
  })
  .superRefine((c, ctx) => {
    if (!c.bearer_token && !c.basic) ctx.addIssue({ code: 'custom', message: 'give bearer_token, basic, or both' });
    if (c.basic && c.basic.users.length === 0 && !c.basic.users_file)
      ctx.addIssue({ code: 'custom', path: ['basic'], message: 'give users, users_file, or both' });
  });

export type ApiAuthConfig = z.output<typeof apiAuthConfigSchema>;
