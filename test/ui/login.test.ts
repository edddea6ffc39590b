// The web UI of a bridge that requires credentials, in headless Chromium: the first page asks
// for them once (a token, or a user and password), keeps them for the session (other pages and
// a reload ask nothing), shows the data, downloads pprof with them, and runs under the
// Content-Security-Policy without a violation.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { Profile } from 'pprof-format';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/index.js';
import { defaultFactories } from '../../src/components.js';
import { hashPassword } from '../../src/security/password.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { eventually } from '../api/helpers.js';
import { ensureUiBuilt, launchChromium, uiBridgeConfig } from './browser.js';
import { PROFILES, fixtureT0, profileRequest, tracesRequest } from './fixture.js';

const TOKEN = 'ui-login-token-8a7b6c5d4e3f2a1b';
const USER = { name: 'viewer', password: 'read only, please' };

describe('web UI sign-in', () => {
  let dir: string;
  let bridge: RunningBridge;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    ensureUiBuilt();
    dir = mkdtempSync(join(tmpdir(), 'opb-ui-login-'));
    const hash = await hashPassword(USER.password, { N: 1024, r: 8, p: 1 });
    bridge = await startBridge(
      uiBridgeConfig(
        dir,
        `    auth:
      bearer_token: ${TOKEN}
      basic: { users: [{ name: ${USER.name}, password_hash: "${hash}" }] }`,
      ),
      { factories: defaultFactories() },
    );
    base = `http://${bridge.bridge.endpoints()['extensions.api']!.http}`;
    const t0 = fixtureT0();
    const post = async (path: string, body: Uint8Array) =>
      assert.equal(
        (await fetch(`${bridge.http}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } })).status,
        200,
      );
    await post('/v1/traces', encodeTracesRequest(tracesRequest(t0)));
    for (const p of PROFILES) await post('/v1development/profiles', encodeProfilesRequest(profileRequest(p, t0)));
    await eventually('4 stored profiles', async () => {
      const r = await fetch(`${base}/api/v1/search?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return r.ok && ((await r.json()) as { profileCount: number }).profileCount === 4;
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await bridge?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1300, height: 850 }, acceptDownloads: true });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // A CSP violation is reported on the console as an error.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    return page;
  }

  const ready = (page: Page, name: string) => page.waitForSelector(`main[data-ready="${name}"]`);

  it('asks for a token once, refuses a wrong one, then shows the data for the whole session', async () => {
    const page = await newPage();
    const doc = await page.goto(`${base}/#/search`);
    assert.match(doc!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByTestId('login-form').waitFor();
    // Both schemes offered; the token is the first.
    assert.deepEqual(await page.getByTestId('login-mode').locator('option').allTextContents(), ['Token', 'User and password']);
    await page.getByTestId('login-token').fill(`${TOKEN}-wrong`);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await page.getByTestId('login-token').fill(TOKEN);
    await page.getByTestId('login-submit').click();
    await ready(page, 'search');
    assert.equal(((await page.getByTestId('profile-count').textContent()) ?? '').trim(), '4');
    assert.equal(await page.getByTestId('login-form').count(), 0);

    // Another page and a reload: no second prompt.
    await page.evaluate(`delete document.getElementById('main').dataset.ready`);
    await page.goto(`${base}/#/flame`);
    await ready(page, 'flame');
    await page.locator('[data-testid=flame-graph] g[name="parseCart"]').first().waitFor();
    await page.reload();
    await ready(page, 'flame');
    assert.equal(await page.getByTestId('login-form').count(), 0);

    // The pprof link downloads with the session's credentials (the link holds none).
    const href = (await page.getByTestId('pprof-link').getAttribute('href')) ?? '';
    assert.doesNotMatch(href, /token|authorization/i);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pprof-link').click()]);
    const file = await download.path();
    const prof = Profile.decode(gunzipSync(readFileSync(file)));
    assert.ok(prof.sample.length > 0, 'the downloaded pprof holds samples');
    await page.close();
  });

  it('signs in with a user and password', async () => {
    const page = await newPage();
    await page.goto(`${base}/#/search`);
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('login-mode').selectOption('basic');
    await page.getByTestId('login-user').fill(USER.name);
    await page.getByTestId('login-password').fill(USER.password);
    await page.getByTestId('login-submit').click();
    await ready(page, 'search');
    assert.equal(((await page.getByTestId('profile-count').textContent()) ?? '').trim(), '4');
    await page.goto(`${base}/#/metrics`);
    await ready(page, 'metrics');
    await page.close();
  });

  it('raised no page error and no CSP violation', () => {
    assert.deepEqual(problems, []);
  });
});
