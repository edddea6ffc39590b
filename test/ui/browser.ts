// What the browser tests share: the built UI, headless Chromium started the way this machine
// allows (no sandbox as root, no background connections the closed network would refuse),
// and a bridge config whose API serves the UI from its default directory.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

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
