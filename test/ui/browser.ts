// What the browser tests share: the built UI, headless Chromium started the way this machine
// allows (no sandbox as root, no background connections the closed network would refuse),
// and a bridge config whose API serves the UI from its default directory.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds dist/ui when a filtered test run skipped it. */
export function ensureUiBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'ui', 'index.html'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-ui.mjs'), '--no-check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `building the UI failed:\n${r.stdout}\n${r.stderr}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A 1400×900 page whose uncaught errors and console errors are pushed to `errors`. */
export async function newAppPage(browser: Browser, errors: string[], options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...options });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return page;
}

/** Forgets which page was drawn, so that waiting for `main[data-ready]` waits for the next one. */
export const CLEAR_READY = `delete document.getElementById('main')?.dataset.ready`;

/** Opens a route of the app at `base` and waits until the page has drawn everything it fetched. */
export async function openRoute(page: Page, base: string, hash: string, pageName: string): Promise<void> {
  await page.evaluate(CLEAR_READY).catch(() => undefined);
  const url = `${base}/${hash}`;
  // The same URL again is no navigation at all: reload to draw the page afresh.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.waitForSelector(`main[data-ready="${pageName}"]`);
}

/**
 * The embedded profiler as the browser tests run it: OTLP/HTTP -> join -> store, and the api
 * extension on its default ui_directory (on purpose: it must find dist/ui). `api` holds YAML
 * lines added under `extensions.api` (e.g. auth), indented by the caller to 4 spaces.
 */
export function uiBridgeConfig(dir: string, api = ''): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: 200ms }
exporters:
  store:
    directory: ${JSON.stringify(join(dir, 'data'))}
    batch: { flush_interval: 20ms }
extensions:
  api:
    endpoint: 127.0.0.1:0
${api}
service:
  extensions: [api]
  telemetry: { logs: { level: silent } }
  pipelines:
    traces: { receivers: [otlp], processors: [join], exporters: [store] }
    profiles: { receivers: [otlp], processors: [join], exporters: [store] }
`;
}
