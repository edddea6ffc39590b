// The real CLI as a child process: the requests that used to end `serve` (a target that is
// not a URL, an absolute-form target with a port out of range) get 400 on every HTTP port,
// the process stays up, and nothing reaches the process guard.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from '../helpers/raw-http.js';
import { SERVE_STORE_CONFIG, startServe, type ServeChild } from '../helpers/cli-serve.js';

// What `curl --request-target T http://127.0.0.1:PORT/` sends.
const curlLike = (target: string, port: string) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`;

describe('serve survives hostile request targets', () => {
  let s: ServeChild;
  before(async () => {
    s = await startServe(SERVE_STORE_CONFIG);
  });
  after(async () => {
    assert.equal(await s.stop(), 0, s.output());
  });

  for (const port of ['API', 'OTLP/HTTP']) {
    it(`${port}: http://[/ and http://a:99999/health get 400 and the process keeps serving`, async () => {
      const address = port === 'API' ? s.endpoints['extensions.api']!.http! : s.endpoints['receivers.otlp']!.http!;
      const portNumber = address.slice(address.lastIndexOf(':') + 1);
      for (const target of ['http://[/', 'http://a:99999/health']) {
        const a = await rawRequest(address, curlLike(target, portNumber));
        assert.equal(a.status, 400, a.text);
        assert.equal(s.child.exitCode, null, `serve exited: ${s.output()}`);
        const health = await fetch(`http://${s.endpoints['extensions.api']!.http}/health`);
        assert.equal(health.status, 200);
      }
    });
  }

  it('nothing escaped to the process guard', async () => {
    const metrics = await (await fetch(`http://${s.endpoints['extensions.api']!.http}/metrics`)).text();
    assert.match(metrics, /^otel_profile_bridge_uncaught_errors_total\{kind="uncaught_exception"\} 0$/m);
    assert.match(metrics, /^otel_profile_bridge_uncaught_errors_total\{kind="unhandled_rejection"\} 0$/m);
  });
});
