// Hostile request lines and headers against every HTTP port of a running bridge (the OTLP/HTTP
// receiver and the API): each gets an answer below 500 or a closed connection, and the next
// good request is served. The request bytes go out over raw sockets, so nothing in between
// cleans them up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rawRequest } from '../helpers/raw-http.js';
import { startProfiler, type Profiler } from '../api/helpers.js';

interface Port {
  name: string;
  address: () => string;
  /** A good request and the status it must get. */
  good: string;
  goodStatus: number;
}

let p: Profiler;
const PORTS: Port[] = [
  { name: 'API', address: () => p.api, good: 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n', goodStatus: 200 },
  {
    name: 'OTLP/HTTP',
    address: () => p.running.http,
    good: 'POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    goodStatus: 200,
  },
];

async function assertServes(port: Port): Promise<void> {
  const a = await rawRequest(port.address(), port.good);
  assert.equal(a.status, port.goodStatus, `${port.name} stopped serving good requests: ${a.text.slice(0, 200)}`);
}

/** An answer is fine when it is a client error (or success), or when the server just closed. */
function assertSane(port: Port, sent: string, status: number | undefined): void {
  if (status === undefined) return;
  assert.ok(status < 500, `${port.name} answered ${status} to ${JSON.stringify(sent.slice(0, 300))}`);
}

// Targets that broke or could break naive parsing: URL syntax errors, ports out of range,
// bad percent-encoding, prototype keys, control and non-ASCII bytes.
const NASTY_TARGETS = [
  'http://[/',
  'http://a:99999/health',
  'http://a:99999/v1/traces',
  'https://[::1/',
  'http://:/',
  'http://a b/',
  'http:///',
  'http://%zz/',
  '//evil/health',
  '/%',
  '/%zz%',
  '/api/v1/labels/%E0%A4%A/values',
  '/api/v1/labels/%/values',
  '/health?%zz=%',
  '/__proto__',
  '/constructor',
  '*',
  'health',
  'ftp://a/health',
  `/${'a'.repeat(20_000)}`,
  '/\u00ff\u00fe',
  '/v1/traces?x=\u0080',
];

const NASTY_HOSTS = ['[', 'a:99999', 'a:-1', 'a b', '[::1', 'a/b', '%', '\u00ff', 'a:1:2', ''];

const methodArb = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'DELETE', 'PATCH', 'CONNECT', 'TRACE', 'G@T', 'get');
const byteString = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((b) => Buffer.from(b).toString('latin1'));
const targetArb = fc.oneof(
  fc.constantFrom(...NASTY_TARGETS),
  fc
    .constantFrom('/health', '/v1/traces', '/v1development/profiles', '/api/v1/labels', '/api/v1/labels/x/values')
    .chain((base) => fc.tuple(fc.constant(base), byteString(40)).map(([b, s]) => b + s)),
  fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'HTTP://'),
      byteString(12),
      fc.oneof(fc.integer({ min: -5, max: 200_000 }).map(String), byteString(4)),
      byteString(20),
    )
    .map(([scheme, host, port, path]) => `${scheme}${host}:${port}/${path}`),
  fc
    .array(fc.constantFrom('%', '%0', '%zz', '%E0%A4', '%00', '%ff', '/', 'a', '?', '#', '[', ']', '@', ':'), { maxLength: 20 })
    .map((a) => `/${a.join('')}`),
  byteString(30),
);
const headerArb = fc.oneof(
  fc.constantFrom(...NASTY_HOSTS).map((h) => `Host: ${h}`),
  fc
    .constantFrom('application/json', 'application/x-protobuf', 'text/plain', ';;;', 'application/json; charset=\u00ff')
    .map((t) => `Content-Type: ${t}`),
  fc.oneof(fc.integer({ min: -10, max: 2 ** 40 }).map(String), fc.constantFrom('abc', '1, 2', '')).map((n) => `Content-Length: ${n}`),
  fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-gzip, gzip', '\u0000').map((e) => `Content-Encoding: ${e}`),
  fc.constantFrom('chunked', 'gzip, chunked', 'bogus').map((e) => `Transfer-Encoding: ${e}`),
  fc.tuple(byteString(10), byteString(30)).map(([k, v]) => `${k}: ${v}`),
  byteString(40),
);
const requestArb = fc
  .record({
    method: methodArb,
    target: targetArb,
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', ''),
    host: fc.option(fc.oneof(fc.constantFrom(...NASTY_HOSTS), fc.constant('localhost')), { nil: undefined }),
    headers: fc.array(headerArb, { maxLength: 5 }),
    body: byteString(64),
  })
  .map(({ method, target, version, host, headers, body }) => {
    const lines = [`${method} ${target} ${version}`.trimEnd(), ...(host === undefined ? [] : [`Host: ${host}`]), ...headers];
    return `${lines.join('\r\n')}\r\n\r\n${body}`;
  });

describe('hostile HTTP requests', () => {
  before(async () => {
    p = await startProfiler();
  });
  after(async () => {
    await p.stop();
  });

  for (const port of PORTS) {
    it(`${port.name}: the two targets that used to end the process get 400, and the port keeps serving`, async () => {
      for (const target of ['http://[/', 'http://a:99999/health']) {
        const a = await rawRequest(port.address(), `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
        assert.equal(a.status, 400, a.text);
        if (port.name === 'API') assert.match(a.text, /"code":"ERR_BAD_REQUEST","reason":"target"/);
        else assert.match(a.text, /is not a valid URL/); // the OTLP Status message
        await assertServes(port);
      }
    });

    it(`${port.name}: every listed nasty target and Host gets a client error, never a 5xx`, async () => {
      for (const target of NASTY_TARGETS) {
        for (const method of ['GET', 'POST']) {
          const sent = `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
          const a = await rawRequest(port.address(), sent);
          assertSane(port, sent, a.status);
        }
      }
      for (const host of NASTY_HOSTS.filter((h) => h !== '')) {
        const sent = `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
        const a = await rawRequest(port.address(), sent);
        assert.ok(a.status === undefined || a.status === 400, `${port.name}: Host ${JSON.stringify(host)} answered ${a.status}`);
      }
      await assertServes(port);
    });

    it(`${port.name}: fuzzed request lines and headers never end or break the server`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArb, async (sent) => {
          const a = await rawRequest(port.address(), sent);
          assertSane(port, sent, a.status);
          await assertServes(port);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('absolute-form targets are routed by their path', async () => {
    const a = await rawRequest(p.api, 'GET http://bridge.example:4380/health HTTP/1.1\r\nHost: bridge.example:4380\r\n\r\n');
    assert.equal(a.status, 200, a.text);
    const b = await rawRequest(
      p.running.http,
      'POST http://bridge.example:4318/v1/traces HTTP/1.1\r\nHost: bridge.example\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
    assert.equal(b.status, 200, b.text);
  });
});
