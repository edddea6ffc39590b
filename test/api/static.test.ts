// The API serves the built UI: its files, index.html for client-side routes, never a file
// outside the UI directory; /health follows the store's state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProfiler, type Profiler } from './helpers.js';

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string; type: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('UI files', () => {
  let p: Profiler;
  let ui: string;
  let outside: string;

  before(async () => {
    outside = mkdtempSync(join(tmpdir(), 'opb-ui-'));
    ui = join(outside, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>profiler ui</title>');
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(join(ui, 'assets', 'app.js.map'), '{"version":3,"sources":["main.ts"]}');
    writeFileSync(join(outside, 'secret.txt'), 'do not serve');
    p = await startProfiler({ uiDirectory: ui });
  });
  after(async () => {
    await p?.stop();
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves files with their content types and index.html for client routes', async () => {
    const index = await rawGet(p.api, '/');
    assert.equal(index.status, 200);
    assert.match(index.type, /text\/html/);
    assert.match(index.body, /profiler ui/);
    const js = await rawGet(p.api, '/assets/app.js');
    assert.match(js.type, /javascript/);
    assert.equal(js.body, 'console.log("app")');
    const route = await rawGet(p.api, '/hotspots/abc?x=1');
    assert.match(route.body, /profiler ui/);
  });

  it('never serves a file outside the UI directory', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    ]) {
      const r = await rawGet(p.api, path);
      assert.doesNotMatch(r.body, /do not serve/, path);
    }
  });

  it('answers 404 for source maps unless ui_source_maps is on', async () => {
    for (const path of ['/assets/app.js.map', '/assets/APP.JS.MAP', '/missing.map']) {
      const r = await rawGet(p.api, path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /sources/, path);
    }
    const withMaps = await startProfiler({ uiDirectory: ui, api: '    ui_source_maps: true' });
    try {
      const r = await rawGet(withMaps.api, '/assets/app.js.map');
      assert.equal(r.status, 200);
      assert.match(r.body, /"sources"/);
    } finally {
      await withMaps.stop();
    }
  });

  it('keeps API paths out of the UI fallback', async () => {
    const r = await rawGet(p.api, '/api/v2/whatever');
    assert.equal(r.status, 404);
    assert.match(r.type, /json/);
  });

  it('reports 503 on /health once the store is closed', async () => {
    assert.equal((await rawGet(p.api, '/health')).status, 200);
    await p.store.close();
    const h = await rawGet(p.api, '/health');
    assert.equal(h.status, 503);
    const q = await rawGet(p.api, '/api/v1/top');
    assert.equal(q.status, 503);
    assert.match(q.body, /ERR_STORE/);
  });
});
