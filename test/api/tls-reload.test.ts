// The API over TLS picks up a renewed certificate without a restart, and keeps serving the
// old one when the new files are unreadable or do not match (a half-finished rotation).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ApiServer } from '../../src/api/server.js';
import { rawGet, selfSigned } from '../helpers/tls.js';
import { eventually, startProfiler, type Profiler } from './helpers.js';

const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

describe('API TLS certificate reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opb-tls-reload-'));
  const logs: string[] = [];
  let p: Profiler;
  let server: ApiServer;
  let base: string;
  const live = { cert: join(dir, 'live.pem'), key: join(dir, 'live-key.pem') };
  let a: { cert: string; key: string };
  let b: { cert: string; key: string };

  before(async () => {
    a = selfSigned(dir, 'a');
    b = selfSigned(dir, 'b');
    copyFileSync(a.cert, live.cert);
    copyFileSync(a.key, live.key);
    p = await startProfiler();
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) });
    server = new ApiServer({
      endpoint: '127.0.0.1:0',
      store: p.store,
      metrics: new Registry(),
      logger: pino({ level: 'info' }, sink),
      uiDirectory: dir,
      tls: { cert_file: live.cert, key_file: live.key },
    });
    base = `https://${await server.start()}`;
  });
  after(async () => {
    await server?.stop();
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Certificates a and b are self-signed: trusting both lets the test see which one is served.
  const ca = () => Buffer.concat([readFileSync(a.cert), readFileSync(b.cert)]);
  const served = async () => (await rawGet(`${base}/health`, {}, ca())).fingerprint;

  it('serves the new certificate after the files change, keeping the old one meanwhile', async () => {
    assert.equal(await served(), fingerprint(a.cert));
    // A broken certificate file: not loaded, the old pair stays.
    writeFileSync(live.cert, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    await eventually('the failed reload is logged', async () => logs.some((l) => l.includes('not reloaded')), 400, 50);
    assert.equal(await served(), fingerprint(a.cert));
    // The renewal: the key first (a mismatch for a moment), then the certificate.
    copyFileSync(b.key, live.key);
    copyFileSync(b.cert, live.cert);
    await eventually('certificate b is served', async () => (await served()) === fingerprint(b.cert), 400, 50);
    assert.ok(logs.some((l) => l.includes('API TLS certificate reloaded')));
    const r = await rawGet(`${base}/health`, {}, ca());
    assert.equal(r.status, 200);
  });
});
