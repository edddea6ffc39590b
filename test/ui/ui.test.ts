// The web UI end to end: a real bridge (OTLP receiver -> join -> store, api extension serving
// dist/ui), fixture data sent through the OTLP/HTTP receiver, and headless Chromium driven by
// playwright-core through every page. Screenshots go to $OPB_TEST_OUTPUT/ui/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/index.js';
import { defaultFactories } from '../../src/components.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { eventually } from '../api/helpers.js';
import { CLEAR_READY, ensureUiBuilt, launchChromium, newAppPage, openRoute, uiBridgeConfig } from './browser.js';
import { PROFILES, fixtureT0, profileRequest, tracesRequest } from './fixture.js';

const OUT = resolve(process.env.OPB_TEST_OUTPUT ?? 'test-output', 'ui');
// Browser-side snippets are strings: this file is compiled without the DOM library.

async function post(url: string, body: Uint8Array): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  await res.arrayBuffer();
  assert.equal(res.status, 200, `POST ${url}`);
}

describe('web UI', () => {
  let dir: string;
  let bridge: RunningBridge;
  let base: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    ensureUiBuilt();
    mkdirSync(OUT, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'opb-ui-'));
    bridge = await startBridge(uiBridgeConfig(dir), { factories: defaultFactories() });
    base = `http://${bridge.bridge.endpoints()['extensions.api']!.http}`;
    browser = await launchChromium();
    // bypassCSP: waitForFunction evaluates its string predicates with eval, which the UI's
    // Content-Security-Policy forbids; login.test.ts runs the UI under its policy.
    page = await newAppPage(browser, pageErrors, { bypassCSP: true });
  });

  after(async () => {
    await browser?.close();
    await bridge?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = (hash: string, pageName: string) => openRoute(page, base, hash, pageName);

  /** Runs an action that navigates inside the app, and waits for the new page to be drawn. */
  async function navigating(pageName: string, action: () => Promise<void>): Promise<void> {
    await page.evaluate(CLEAR_READY);
    await action();
    await page.waitForSelector(`main[data-ready="${pageName}"]`);
  }

  const text = async (sel: string) => ((await page.locator(sel).first().textContent()) ?? '').trim();
  // Frames grow in with a short transition; let it finish so the picture shows the graph.
  const shot = async (name: string) => {
    await page.waitForTimeout(700);
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  };
  const frame = (name: string) => page.locator(`[data-testid=flame-graph] g[name="${name}"]`);

  it('shows how to send data while the store is empty', async () => {
    await open('#/search', 'search');
    const empty = await text('[data-testid=empty-state]');
    assert.match(empty, /No profiles yet/);
    assert.match(empty, /127\.0\.0\.1:4317/);
    assert.match(empty, /http:\/\/127\.0\.0\.1:4318/);
    assert.match(empty, /POST \/v1development\/profiles/);
    assert.match(empty, /otlp_grpc\/bridge:\s+# `otlp\/bridge` on collectors before v0\.144/);
    assert.match(empty, /exporters: \[otlp_grpc\/bridge\]/);
    await shot('empty');
  });

  it('ingests traces and linked profiles through the OTLP receiver', async () => {
    const t0 = fixtureT0();
    await post(`${bridge.http}/v1/traces`, encodeTracesRequest(tracesRequest(t0)));
    for (const p of PROFILES) await post(`${bridge.http}/v1development/profiles`, encodeProfilesRequest(profileRequest(p, t0)));
    await eventually('4 stored profiles and 8 profiled spans', async () => {
      const s = (await (await fetch(`${base}/api/v1/search?limit=1`)).json()) as { profileCount: number };
      const spans = (await (await fetch(`${base}/api/v1/spans/slow?profiled=true`)).json()) as { spans: unknown[] };
      return s.profileCount === 4 && spans.spans.length === 8;
    });
  });

  it('search: filters by a tag picked from autocomplete, and by a clicked tag', async () => {
    await open('#/search', 'search');
    assert.equal(await text('[data-testid=profile-count]'), '4');
    assert.equal(await text('[data-testid=total]'), '2.8 s');

    // A time range without data, and a query the API refuses, both say so.
    await navigating('search', () =>
      page
        .getByTestId('range')
        .selectOption('now-15m')
        .then(() => undefined),
    );
    assert.match(page.url(), /from=now-15m/);
    assert.match(await text('[data-testid=no-match]'), /No profiles match/);
    await navigating('search', () =>
      page
        .getByTestId('range')
        .selectOption('now-1h')
        .then(() => undefined),
    );
    assert.equal(await text('[data-testid=profile-count]'), '4');
    const input = page.getByTestId('query');
    await input.fill('version');
    await input.press('Escape');
    await navigating('search', () => input.press('Enter'));
    assert.match(await text('[data-testid=error]'), /reason: syntax/);

    await input.fill('');
    await input.pressSequentially('vers');
    await page.locator('[data-testid=query-suggestions] li[data-value="version"]').click();
    assert.equal(await input.inputValue(), 'version:');
    const v14 = page.locator('[data-testid=query-suggestions] li[data-value="1.4"]');
    await v14.waitFor();
    assert.match((await v14.textContent()) ?? '', /2 profiles/);
    await v14.click();
    assert.equal(await input.inputValue(), 'version:1.4 ');
    await navigating('search', () => input.press('Enter'));
    assert.match(page.url(), /query=version%3A1\.4/);
    assert.equal(await text('[data-testid=profile-count]'), '2');
    assert.equal(await text('[data-testid=total]'), '1.6 s');
    assert.equal(await page.locator('[data-testid=profiles-table] tbody tr').count(), 2);
    await frame('applyDiscount').waitFor();
    await shot('search');

    await navigating('search', () => page.locator('[data-testid=profiles-table] button.chip', { hasText: 'web-1' }).first().click());
    assert.equal(await page.getByTestId('query').inputValue(), 'version:1.4 host.name:web-1');
    assert.equal(await text('[data-testid=profile-count]'), '1');
    assert.equal(await text('[data-testid=total]'), '800 ms');
  });

  it('flame graph: zooms on click, highlights a searched function, sorts the top table, links the pprof', async () => {
    await open('#/flame?query=version%3A1.4', 'flame');
    await frame('handleCheckout').waitFor();
    assert.equal(await frame('renderReceipt').count(), 1);

    await frame('handleCheckout').click();
    assert.equal(await text('[data-testid=zoom-info]'), 'Zoomed: handleCheckout');
    await page.waitForFunction(`document.querySelectorAll('[data-testid=flame-graph] g[name="renderReceipt"]').length === 0`);
    await page.getByTestId('reset-zoom').click();
    await frame('renderReceipt').waitFor();

    await page.getByTestId('flame-search').fill('discount');
    assert.equal(await text('[data-testid=search-info]'), '1 frame, 800 ms (50.0%)');
    assert.equal(await frame('applyDiscount').locator('rect').getAttribute('fill'), '#d946ef');
    assert.notEqual(await frame('computeTax').locator('rect').getAttribute('fill'), '#d946ef');

    const rows = page.locator('[data-testid=top-table] tbody tr');
    const cells = async (i: number) => (await rows.nth(i).locator('td').allTextContents()).map((s) => s.trim());
    assert.deepEqual(await cells(0), ['applyDiscount', 'src/discount.ts:3', '800 ms', '50.0%', '800 ms', '50.0%']);
    const tax = (await rows.allTextContents()).find((r) => r.includes('computeTax'));
    assert.match(tax ?? '', /src\/tax\.ts:20.*200 ms/);

    await page.locator('[data-testid=top-table] th[data-key=total]').click();
    await page.waitForFunction(`document.querySelector('[data-testid=top-table] tbody tr td')?.textContent === 'main'`);
    assert.deepEqual((await cells(0)).slice(0, 5), ['main', 'src/main.ts:10', '0 s', '0.0%', '1.6 s']);
    assert.deepEqual((await cells(1)).slice(0, 1), ['handleCheckout']);

    await rows.filter({ hasText: 'parseCart' }).click();
    assert.equal(await page.getByTestId('flame-search').inputValue(), 'parseCart');
    assert.equal(await text('[data-testid=search-info]'), '1 frame, 400 ms (25.0%)');

    const href = await page.getByTestId('pprof-link').getAttribute('href');
    assert.match(href ?? '', /^\/api\/v1\/pprof\?.*query=version%3A1\.4/);
    const pprof = await page.request.get(`${base}${href}`);
    assert.equal(pprof.status(), 200);
    const body = await pprof.body();
    assert.deepEqual([...body.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
    await shot('flame');
  });

  it('code hotspots: from a span id, a trace id, a slow span and an endpoint to its code', async () => {
    await open('#/hotspots', 'hotspots');
    assert.equal(await page.locator('[data-testid=slow-spans] tbody tr').count(), 8);
    const slowest = (await page.locator('[data-testid=slow-spans] tbody tr').first().locator('td').allTextContents()).map((s) => s.trim());
    assert.equal(slowest[0], 'POST /checkout');
    assert.equal(slowest[4], '900 ms');

    // A 1.4 request's discount.apply span: only applyDiscount ran in it.
    await page.getByTestId('span-input').fill('1400000000000002');
    await navigating('hotspots', () => page.getByTestId('show-hotspots').click());
    assert.match(await text('[data-testid=target-heading]'), /Span 1400000000000002/);
    assert.equal(await text('[data-testid=total]'), '400 ms');
    await frame('applyDiscount').waitFor();
    assert.equal(await frame('computeTax').count(), 0);
    await shot('hotspots-span');

    // The request's root span alone, then with its child span.
    await page.getByTestId('span-input').fill('1400000000000001');
    await navigating('hotspots', () => page.getByTestId('show-hotspots').click());
    assert.equal(await text('[data-testid=total]'), '400 ms');
    assert.equal(await frame('applyDiscount').count(), 0);
    await page.getByTestId('include-children').check();
    await navigating('hotspots', () => page.getByTestId('show-hotspots').click());
    assert.match(page.url(), /include_children=true/);
    assert.equal(await text('[data-testid=total]'), '800 ms');
    await frame('applyDiscount').waitFor();

    // A whole 1.3 trace, and its spans to pick from.
    await page.getByTestId('span-input').fill('13000000000000000000000000000001');
    await navigating('hotspots', () => page.getByTestId('span-input').press('Enter'));
    assert.equal(await text('[data-testid=total]'), '600 ms');
    const traceSpans = await page.locator('[data-testid=trace-spans]').textContent();
    assert.match(traceSpans ?? '', /POST \/checkout/);
    assert.match(traceSpans ?? '', /tax\.compute/);

    // A slow span picked from the list.
    await navigating('hotspots', () => page.locator('[data-testid=slow-spans] tbody tr', { hasText: 'tax.compute' }).first().click());
    assert.match(page.url(), /span_id=13000000000000/);
    assert.equal(await text('[data-testid=total]'), '300 ms');
    await frame('computeTax').waitFor();
    assert.equal(await frame('parseCart').count(), 0);

    // An endpoint: every sample of every request to it.
    const endpoint = page.getByTestId('endpoint-select');
    const options = (await endpoint.locator('option').allTextContents()).slice(1);
    assert.equal(options.length, 1, `one endpoint, got ${options.join(', ')}`);
    await navigating('hotspots', () => endpoint.selectOption(options[0]!).then(() => undefined));
    assert.equal(await text('[data-testid=total]'), '2.8 s');
    await shot('hotspots');
  });

  it('compare: version 1.3 vs 1.4 as a diff flame graph and a table of changes', async () => {
    await open('#/compare', 'compare');
    await page.waitForFunction(`document.querySelector('[data-testid=quick-b]')?.value === '1.4'`);
    assert.equal(await page.getByTestId('quick-a').inputValue(), '1.3');
    await page.getByTestId('quick-use').click();
    assert.equal(await page.getByTestId('a-query').inputValue(), 'version:1.3');
    assert.equal(await page.getByTestId('b-query').inputValue(), 'version:1.4');
    await navigating('compare', () => page.getByTestId('compare').click());
    assert.equal(await text('[data-testid=a-total]'), '1.2 s');
    assert.equal(await text('[data-testid=b-total]'), '1.6 s');

    const rows = page.locator('[data-testid=compare-table] tbody tr');
    const first = (await rows.first().locator('td').allTextContents()).map((s) => s.trim());
    assert.equal(first[0], 'applyDiscount');
    assert.equal(first[4], '+800 ms');
    assert.equal(first[5], '+50.00 pts');
    const tax = (await rows.filter({ hasText: 'computeTax' }).locator('td').allTextContents()).map((s) => s.trim());
    assert.equal(tax[5], '−37.50 pts');
    assert.equal(tax[2], '600 ms (50.0%)');
    assert.equal(tax[3], '200 ms (12.5%)');

    // A row of the table highlights its function in the diff graph.
    await rows.filter({ hasText: 'parseCart' }).click();
    assert.equal(await frame('parseCart').locator('rect').getAttribute('fill'), '#d946ef');
    assert.equal(await text('[data-testid=search-info]'), '1 frame, 29.2% of the width');
    await page.getByTestId('flame-search').fill('');

    // New in B: fully red; shrank: green.
    await frame('applyDiscount').waitFor();
    assert.equal(await frame('applyDiscount').locator('rect').getAttribute('fill'), 'rgb(220, 38, 38)');
    const taxFill = (await frame('computeTax').locator('rect').getAttribute('fill')) ?? '';
    const [r, g] = (taxFill.match(/\d+/g) ?? []).map(Number);
    assert.ok(g! > r!, `computeTax shrank, so it is green-ish: ${taxFill}`);
    await shot('compare');
  });

  it('metrics: CPU by version and top functions over time, with the Prometheus names', async () => {
    await open('#/metrics', 'metrics');
    const byVersion = page.getByTestId('chart-by-label');
    assert.deepEqual((await byVersion.locator('.legend-name').allTextContents()).sort(), ['1.3', '1.4']);
    assert.equal(await byVersion.locator('path.series').count(), 2);
    // Functions with self time only (main and handleCheckout have none).
    const fns = await page.getByTestId('chart-top-functions').locator('.legend-name').allTextContents();
    assert.deepEqual(fns.sort(), ['applyDiscount', 'computeTax', 'parseCart', 'renderReceipt']);
    assert.equal(await page.getByTestId('chart-top-functions').locator('path.series').count(), 4);
    const prom = await text('[data-testid=prometheus]');
    for (const name of [
      'otel_profile_bridge_profile_cpu_seconds_total',
      'otel_profile_bridge_profile_function_cpu_seconds_total',
      'otel_profile_bridge_profile_alloc_bytes_total',
    ]) {
      assert.ok(prom.includes(name), name);
    }
    await shot('metrics');
  });

  it('logged no errors in the browser but the one refused query', () => {
    // Chromium logs every 4xx fetch; the search test sends exactly one bad query on purpose.
    const refused = pageErrors.filter((e) => /status of 400/.test(e));
    assert.equal(refused.length, 1, pageErrors.join('\n'));
    assert.deepEqual(
      pageErrors.filter((e) => !refused.includes(e)),
      [],
    );
  });
});
