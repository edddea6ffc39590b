// Authentication against the running bridge: every path of the API, pprof downloads and
// /metrics answers 401 without credentials and with wrong ones, 200 with right ones, for a
// bearer token and for basic users (in the config and in a users file), over HTTP and over
// TLS. `go tool pprof` reads a protected download in both documented forms. /health stays
// open; the UI's security headers and source-map rule hold on every answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ROUTES } from '../../src/api/routes.js';
import { CONTENT_SECURITY_POLICY } from '../../src/api/headers.js';
import { hashPassword } from '../../src/security/password.js';
import { PROFILES, SPAN, TRACE, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { rawGet, selfSigned, type RawReply } from '../helpers/tls.js';
import { eventually, sendProfiles, sendTraces, startProfiler, type Profiler } from './helpers.js';
import { goPprofAsync, parseTop } from './go-pprof-url.js';

const TOKEN = 'api-token-5f0c1d2e3b4a69788796a5b4';
const SCRAPE_TOKEN = 'scrape-token-00112233445566778899';
const USERS = { alice: 'correct horse battery', bob: 'pa:ss wörd' };
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The paths of every API route, each with parameters that make it answer 200 on the fixture. */
function apiPaths(t0: number): string[] {
  const range = `from=${t0}&to=${t0 + 4 * 60_000 - 1}`;
  return [
    '/api/v1/profile-types',
    `/api/v1/labels?${range}`,
    `/api/v1/labels/version/values?${range}`,
    `/api/v1/search?${range}&type=cpu`,
    `/api/v1/flame?${range}&type=cpu`,
    `/api/v1/top?${range}&type=cpu`,
    `/api/v1/hotspots?span_id=${SPAN.S1}`,
    `/api/v1/spans/slow?${range}`,
    `/api/v1/traces/${TRACE.T1}`,
    `/api/v1/compare?${range}&type=cpu&a.query=version:1.3&b.query=version:1.4`,
    `/api/v1/timeseries?${range}&type=cpu&step=1m`,
    `/api/v1/pprof?${range}&type=cpu`,
    `/debug/pprof/profile?${range}&type=cpu`,
  ];
}

interface Target {
  name: string;
  p: Profiler;
  ca?: Buffer;
}

async function fill(p: Profiler, t0: number): Promise<void> {
  await sendTraces(p, tracesRequest(t0));
  for (const pr of PROFILES) await sendProfiles(p, profileRequest(pr, t0));
}

describe('API authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opb-auth-'));
  const t0 = fixtureT0();
  const targets: Target[] = [];
  let certs: { cert: string; key: string };

  before(async () => {
    certs = selfSigned(dir);
    // alice in the config, bob in a users file: both sources are read.
    const usersFile = join(dir, 'users');
    writeFileSync(usersFile, `# users of the test bridge\nbob:${await hashPassword(USERS.bob, FAST_SCRYPT)}\n`);
    process.env.OPB_TEST_API_TOKEN = TOKEN;
    const auth = `    auth:
      bearer_token: \${env:OPB_TEST_API_TOKEN}
      basic:
        users: [{ name: alice, password_hash: ${JSON.stringify(await hashPassword(USERS.alice, FAST_SCRYPT))} }]
        users_file: ${JSON.stringify(usersFile)}
      metrics: { bearer_token: ${SCRAPE_TOKEN} }`;
    const tls = `    tls: { cert_file: ${JSON.stringify(certs.cert)}, key_file: ${JSON.stringify(certs.key)} }`;
    const plain = await startProfiler({ api: auth });
    targets.push({ name: 'HTTP', p: plain });
    const secure = await startProfiler({ api: `${auth}\n${tls}`, tls: true });
    targets.push({ name: 'TLS', p: secure, ca: readFileSync(certs.cert) });
    for (const t of targets) await fill(t.p, t0);
    for (const t of targets) {
      await eventually('the fixture is stored', async () =>
        (await rawGet(`${t.p.api}/api/v1/profile-types`, { authorization: `Bearer ${TOKEN}` }, t.ca)).body.toString().includes('"cpu"'),
      );
    }
  });
  after(async () => {
    for (const t of targets) await t.p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a path for every API route', () => {
    const paths = apiPaths(t0).map((p) => p.split('?')[0]!);
    for (const r of API_ROUTES)
      assert.ok(
        paths.some((p) => r.pattern.test(p)),
        `no test path for ${r.pattern}`,
      );
  });

  const modes = {
    bearer: { right: [`Bearer ${TOKEN}`], wrong: [`Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}x`, 'Bearer short', basic('alice', TOKEN)] },
    basic: {
      right: [basic('alice', USERS.alice), basic('bob', USERS.bob)],
      wrong: [basic('alice', USERS.bob), basic('bob', `${USERS.bob} `), basic('carol', USERS.alice), 'Basic !!!notbase64', `Digest ${TOKEN}`],
    },
  };

  for (const transport of ['HTTP', 'TLS']) {
    for (const [mode, creds] of Object.entries(modes)) {
      it(`${transport}, ${mode}: every API path answers 401 without / with wrong credentials and 200 with right ones`, async () => {
        const t = targets.find((x) => x.name === transport)!;
        assert.equal(t.p.api.startsWith('https://'), transport === 'TLS');
        for (const path of [...apiPaths(t0), '/metrics']) {
          const url = `${t.p.api}${path}`;
          const none = await rawGet(url, {}, t.ca);
          assert.equal(none.status, 401, `${path} without credentials`);
          assert.match(String(none.headers['www-authenticate']), /^Bearer realm="otel-profile-bridge", Basic realm="otel-profile-bridge"/, path);
          assert.equal(JSON.parse(none.body.toString()).error.code, 'ERR_UNAUTHENTICATED');
          for (const w of creds.wrong) assert.equal((await rawGet(url, { authorization: w }, t.ca)).status, 401, `${path} with ${w}`);
          for (const r of creds.right) {
            const ok = await rawGet(url, { authorization: r }, t.ca);
            assert.equal(ok.status, 200, `${path} with ${mode}: ${ok.body.toString().slice(0, 200)}`);
            assert.ok(ok.body.length > 0, path);
          }
        }
      });
    }
  }

  it('keeps /health and the UI shell open, names Basic so browsers open no dialog over the UI', async () => {
    for (const t of targets) {
      const h = await rawGet(`${t.p.api}/health`, {}, t.ca);
      assert.equal(h.status, 200);
      assert.equal(JSON.parse(h.body.toString()).status, 'ok');
      assert.equal((await rawGet(`${t.p.api}/`, {}, t.ca)).status, 200);
      const ui = await rawGet(`${t.p.api}/api/v1/profile-types`, { 'x-requested-with': 'otel-profile-bridge-ui' }, t.ca);
      assert.equal(ui.status, 401);
      assert.doesNotMatch(String(ui.headers['www-authenticate']), /(^|, )Basic /);
      assert.match(String(ui.headers['www-authenticate']), /UI-Basic realm=/);
    }
  });

  it("accepts the scrapers' token on /metrics only", async () => {
    const t = targets[0]!;
    assert.equal((await rawGet(`${t.p.api}/metrics`, { authorization: `Bearer ${SCRAPE_TOKEN}` })).status, 200);
    assert.match((await rawGet(`${t.p.api}/metrics`, { authorization: `Bearer ${SCRAPE_TOKEN}` })).body.toString(), /otel_profile_bridge_/);
    assert.equal((await rawGet(`${t.p.api}/api/v1/profile-types`, { authorization: `Bearer ${SCRAPE_TOKEN}` })).status, 401);
  });

  it('accepts ?token= on the pprof download only, and a wrong one not at all', async () => {
    const t = targets[0]!;
    const range = `from=${t0}&to=${t0 + 4 * 60_000 - 1}`;
    assert.equal((await rawGet(`${t.p.api}/debug/pprof/profile?type=cpu&${range}&token=${TOKEN}`)).status, 200);
    assert.equal((await rawGet(`${t.p.api}/api/v1/pprof?type=cpu&${range}&token=${TOKEN}`)).status, 200);
    assert.equal((await rawGet(`${t.p.api}/debug/pprof/profile?type=cpu&${range}&token=${TOKEN}0`)).status, 401);
    assert.equal((await rawGet(`${t.p.api}/api/v1/top?type=cpu&${range}&token=${TOKEN}`)).status, 401);
    assert.equal((await rawGet(`${t.p.api}/metrics?token=${TOKEN}`)).status, 401);
  });

  async function goTop(url: string, env: Record<string, string> = {}): Promise<Map<string, string>> {
    return new Map(parseTop(await goPprofAsync(['-top', url], undefined, env)).map((r) => [r.name, r.flat]));
  }

  it('go tool pprof reads a protected download: ?token= (bearer) and user:password@ in the URL (basic)', async () => {
    const plain = targets[0]!;
    const range = `from=${t0}&to=${t0 + 4 * 60_000 - 1}`;
    const viaToken = await goTop(`${plain.p.api}/debug/pprof/profile?type=cpu&${range}&token=${TOKEN}`);
    assert.ok(viaToken.has('parse') && viaToken.has('handle'), [...viaToken.keys()].join(','));
    const u = new URL(`${plain.p.api}/debug/pprof/profile?type=cpu&${range}`);
    u.username = 'alice';
    u.password = USERS.alice;
    assert.deepEqual(await goTop(u.href), viaToken);
    // Without credentials the tool fails: it really was protected.
    await assert.rejects(goTop(`${plain.p.api}/debug/pprof/profile?type=cpu&${range}`), /401|Unauthorized/);
    // Over TLS, trusting the bridge's certificate the way Go programs do (SSL_CERT_FILE).
    const secure = targets[1]!;
    assert.deepEqual(await goTop(`${secure.p.api}/debug/pprof/profile?type=cpu&${range}&token=${TOKEN}`, { SSL_CERT_FILE: certs.cert }), viaToken);
  });

  it('sends the security headers on every answer, and no source maps', async () => {
    const check = (r: RawReply, what: string, tls: boolean) => {
      assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY, what);
      assert.doesNotMatch(CONTENT_SECURITY_POLICY, /script-src[^;]*unsafe-inline/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
      assert.equal(r.headers['x-frame-options'], 'DENY', what);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
      assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', what);
      assert.match(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
      assert.equal(r.headers['strict-transport-security'] !== undefined, tls, what);
    };
    // docs/api.md quotes the policy as sent.
    assert.ok(
      readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8').includes(`Content-Security-Policy: ${CONTENT_SECURITY_POLICY}\``),
    );
    for (const t of targets) {
      for (const path of ['/', '/health', '/api/v1/profile-types', '/nothing.js.map'])
        check(await rawGet(`${t.p.api}${path}`, {}, t.ca), path, t.ca !== undefined);
      check(await rawGet(`${t.p.api}/api/v1/profile-types`, { authorization: `Bearer ${TOKEN}` }, t.ca), 'authorized', t.ca !== undefined);
    }
  });
});
