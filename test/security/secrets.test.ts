// Secrets are compared in constant time: every comparison, whatever the length or content of
// what the client sent, goes through crypto.timingSafeEqual on two 32-byte digests, and every
// configured token is compared (no early exit). Checked structurally, by watching the calls,
// not by timing. Also: password hashes, the users file, and URL redaction for logs.
import { describe, it, mock, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { Authenticator } from '../../src/api/auth/authenticator.js';
import { apiAuthConfigSchema } from '../../src/api/auth/config.js';
import { redactedUrl } from '../../src/api/auth/redact.js';
import { parseUsersText } from '../../src/api/auth/users-file.js';
import { bearerTokenMatches } from '../../src/receivers/otlp/auth.js';
import { constantTimeEqual, matchesAny } from '../../src/security/constant-time.js';
import { isLoopbackHost } from '../../src/security/exposure.js';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../src/security/password.js';

const TOKEN = 'a-token-of-some-length-0123456789';
const SCRAPE = 'a-scraper-token-0123456789';

/** Records the lengths of the buffers every timingSafeEqual call gets. */
function watchCompare(): { calls: [number, number][]; restore(): void } {
  const calls: [number, number][] = [];
  const real = crypto.timingSafeEqual;
  const m = mock.method(crypto, 'timingSafeEqual', (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls.push([a.byteLength, b.byteLength]);
    return real(a, b);
  });
  syncBuiltinESMExports();
  return {
    calls,
    restore() {
      m.mock.restore();
      syncBuiltinESMExports();
    },
  };
}

describe('constant-time comparison', () => {
  let w: ReturnType<typeof watchCompare> | undefined;
  afterEach(() => w?.restore());

  it('compares digests of equal length whatever was sent', () => {
    w = watchCompare();
    const given = ['', 'x', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN, 'x'.repeat(10_000), 'ünïcødé'];
    const results = given.map((g) => constantTimeEqual(g, TOKEN));
    assert.deepEqual(
      results,
      given.map((g) => g === TOKEN),
    );
    assert.equal(w.calls.length, given.length);
    for (const c of w.calls) assert.deepEqual(c, [32, 32]);
  });

  it('compares every candidate, also after a match', () => {
    w = watchCompare();
    assert.equal(matchesAny(TOKEN, [TOKEN, SCRAPE, 'third-token-000000000']), true);
    assert.equal(w.calls.length, 3);
    assert.equal(matchesAny('nope', [TOKEN, SCRAPE]), false);
    assert.equal(w.calls.length, 5);
  });

  it('is what the API and the receivers use for bearer tokens and the pprof token', async () => {
    const auth = new Authenticator(apiAuthConfigSchema.parse({ bearer_token: TOKEN, metrics: { bearer_token: SCRAPE } }));
    w = watchCompare();
    for (const sent of ['x', TOKEN.slice(0, 5), `${TOKEN}${'y'.repeat(500)}`, TOKEN]) {
      const n0: number = w.calls.length;
      const d = await auth.check('api', `Bearer ${sent}`, null);
      assert.equal(d.ok, sent === TOKEN);
      assert.equal(w.calls.length - n0, 1, 'one comparison on API paths');
      const m = await auth.check('metrics', `Bearer ${sent}`, null);
      assert.equal(m.ok, sent === TOKEN);
      assert.equal(w.calls.length - n0, 3, 'both tokens compared on /metrics');
      const q = await auth.check('pprof', undefined, sent);
      assert.equal(q.ok, sent === TOKEN);
      assert.equal(bearerTokenMatches(`Bearer ${sent}`, TOKEN), sent === TOKEN);
      assert.equal(w.calls.length - n0, 5);
    }
    for (const c of w.calls) assert.deepEqual(c, [32, 32]);
  });

  it('checks a password for an unknown user too (timing tells no user names)', async () => {
    const hash = await hashPassword('pw-0123', { N: 1024, r: 8, p: 1 });
    const auth = new Authenticator(apiAuthConfigSchema.parse({ basic: { users: [{ name: 'ann', password_hash: hash }] } }));
    w = watchCompare();
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    assert.equal((await auth.check('api', basic('nobody', 'pw-0123'), null)).ok, false);
    assert.equal((await auth.check('api', basic('ann', 'wrong'), null)).ok, false);
    assert.equal((await auth.check('api', basic('ann', 'pw-0123'), null)).ok, true);
    assert.equal(w.calls.length, 3, 'one scrypt comparison each, unknown user included');
    assert.equal((await auth.check('api', `Bearer ${TOKEN}`, null)).ok, false, 'no bearer token configured');
  });
});

describe('password checks', () => {
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('remembers a verified user:password for 5 minutes, and only that pair', async () => {
    let now = 1_000_000;
    const hash = await hashPassword('pw-0123', { N: 1024, r: 8, p: 1 });
    const auth = new Authenticator(apiAuthConfigSchema.parse({ basic: { users: [{ name: 'ann', password_hash: hash }] } }), 'auth', () => now);
    const w = watchCompare();
    try {
      assert.equal((await auth.check('api', basic('ann', 'pw-0123'), null)).ok, true);
      assert.equal(w.calls.length, 1);
      now += 5 * 60_000 - 1;
      assert.deepEqual(await auth.check('api', basic('ann', 'pw-0123'), null), { ok: true, user: 'ann' });
      assert.equal(w.calls.length, 1, 'remembered: no scrypt');
      assert.equal((await auth.check('api', basic('ann', 'pw-01234'), null)).ok, false);
      assert.equal(w.calls.length, 2, 'another password is checked');
      now += 2;
      assert.equal((await auth.check('api', basic('ann', 'pw-0123'), null)).ok, true);
      assert.equal(w.calls.length, 3, 'checked again after 5 minutes');
    } finally {
      w.restore();
    }
  });

  it('runs at most 4 password checks at once; the fifth answers 429', async () => {
    const hash = await hashPassword('pw', { N: 1024, r: 8, p: 1 });
    const auth = new Authenticator(apiAuthConfigSchema.parse({ basic: { users: [{ name: 'ann', password_hash: hash }] } }));
    // All five start before any scrypt finishes (each runs up to its first await at once).
    const all = await Promise.all([1, 2, 3, 4, 5].map((i) => auth.check('api', basic('ann', `guess-${i}`), null)));
    assert.deepEqual(
      all.map((d) => (d.ok ? 200 : d.status)),
      [401, 401, 401, 401, 429],
    );
    assert.equal((await auth.check('api', basic('ann', 'pw'), null)).ok, true, 'free again afterwards');
  });
});

describe('passwords and users', () => {
  it('hashes with scrypt, verifies, and refuses malformed hashes with a reason', async () => {
    const h = await hashPassword('s3cret', { N: 1024, r: 8, p: 1 });
    assert.match(h, /^scrypt\$1024\$8\$1\$/);
    const parsed = parsePasswordHash(h);
    assert.ok(typeof parsed !== 'string');
    assert.equal(await verifyPassword('s3cret', parsed), true);
    assert.equal(await verifyPassword('s3cret ', parsed), false);
    assert.match(parsePasswordHash('plain-text') as string, /hash-password/);
    assert.match(parsePasswordHash('scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==') as string, /power of two/);
    assert.throws(() => apiAuthConfigSchema.parse({ basic: { users: [{ name: 'a', password_hash: 'x' }] } }), /scrypt\$N\$r\$p\$salt\$hash/);
    assert.throws(() => apiAuthConfigSchema.parse({ bearer_token: 'short' }), /at least 16 characters/);
    assert.throws(() => apiAuthConfigSchema.parse({}), /give bearer_token, basic, or both/);
  });

  it('reads a users file and names the line of a bad entry', async () => {
    const h = await hashPassword('pw', { N: 1024, r: 8, p: 1 });
    const users = parseUsersText(`# team\n\nann:${h}\n  bob:${h}  \n`, 'users');
    assert.deepEqual([...users.keys()], ['ann', 'bob']);
    assert.throws(() => parseUsersText(`ann:${h}\nbob:plain\n`, 'users'), /users:2: user "bob"/);
    assert.throws(() => parseUsersText('just a line\n', 'users'), /users:1: expected name:scrypt/);
  });
});

describe('what logs and bind checks see', () => {
  it('redacts secret-named parameters from logged URLs', () => {
    const u = new URL('http://x/api/v1/top?type=cpu&token=abc&api_key=k&Password=p');
    const text = redactedUrl(u);
    assert.equal(text, '/api/v1/top?type=cpu&token=%5Bredacted%5D&api_key=%5Bredacted%5D&Password=%5Bredacted%5D');
    for (const s of ['abc', '=k', '=p&', '=p']) assert.ok(!text.endsWith(s) && !text.includes(`${s}&`), s);
  });

  it('tells loopback hosts from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '::', '[::]', '10.0.0.5', 'bridge', '192.168.1.2', '::ffff:10.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
  });
});
