// The service of examples/service (GET /fast, GET /slow/:id burning CPU), traced and profiled
// by dd-trace instead of the OpenTelemetry SDK and our plugin: the reference side of the
// Datadog upload comparison. dd-trace is configured by its DD_* variables; the route is set on
// the web span as a framework's router would, so dd-trace names the endpoint `GET /slow/:id`.
// Prints {"event":"listening","port":N} once it listens; exits on SIGTERM.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Loaded through require, before node:http, so that dd-trace's hooks see the module load.
const tracer = (require('dd-trace') as typeof import('dd-trace')).init();
const http = require('node:http') as typeof import('node:http');

const FIB_N = Number(process.env.EXAMPLE_FIB_N ?? 22);

function computeFibonacciSlowly(n: number): number {
  return n < 2 ? n : computeFibonacciSlowly(n - 1) + computeFibonacciSlowly(n - 2);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const span = tracer.scope().active();
  let body: unknown;
  if (url.pathname === '/fast') {
    span?.setTag('http.route', '/fast');
    body = { ok: true };
  } else if (/^\/slow\/[^/]+$/.test(url.pathname)) {
    span?.setTag('http.route', '/slow/:id');
    body = { fib: computeFibonacciSlowly(FIB_N) };
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
