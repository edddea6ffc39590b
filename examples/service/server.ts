// A small node:http service with a fast and a slow endpoint, traced by hand (no
// auto-instrumentation here): the handler starts the SERVER span, names it by method, and sets
// `http.route` once the route is known — as HTTP instrumentations do. The slow endpoint burns
// CPU in `computeFibonacciSlowly`, which is what its profiles should show.
//
// Env: PORT (default 8080), HOST (default 127.0.0.1), EXAMPLE_FIB_N (default 27),
// EXAMPLE_PROFILING=off, EXAMPLE_REPORT=1 (print CPU usage and profiler stats as one JSON
// line on shutdown), plus the usual OTEL_* variables.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { startTelemetry } from './telemetry.js';

const telemetry = startTelemetry();
const tracer = trace.getTracer('example-service');
const FIB_N = Number(process.env.EXAMPLE_FIB_N ?? 27);

/** Deliberately exponential: the hotspot the profiles of GET /slow/:id must show. */
export function computeFibonacciSlowly(n: number): number {
  return n < 2 ? n : computeFibonacciSlowly(n - 1) + computeFibonacciSlowly(n - 2);
}

async function loadItem(id: string): Promise<{ id: string }> {
  return tracer.startActiveSpan('load item', async (span) => {
    await sleep(1);
    span.end();
    return { id };
  });
}

type Handler = (params: Record<string, string>, span: Span) => Promise<unknown>;

const routes: { method: string; route: string; pattern: RegExp; handle: Handler }[] = [
  { method: 'GET', route: '/fast', pattern: /^\/fast$/, handle: async () => ({ ok: true }) },
  {
    method: 'GET',
    route: '/slow/:id',
    pattern: /^\/slow\/([^/]+)$/,
    handle: async (params) => {
      const item = await loadItem(params.id!);
      return { ...item, fib: computeFibonacciSlowly(FIB_N) };
    },
  },
];

const server = http.createServer((req, res) => {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parent = propagation.extract(context.active(), req.headers);
  tracer.startActiveSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': url.pathname } },
    parent,
    (span) => {
      const found = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
      const finish = (status: number, body: unknown): void => {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        span.end();
      };
      if (!found) {
        finish(404, { error: 'not found' });
        return;
      }
      // Routing done: the route is known only now, after the span started.
      span.setAttribute('http.route', found.route);
      span.updateName(`${method} ${found.route}`);
      const match = found.pattern.exec(url.pathname)!;
      found
        .handle({ id: match[1] ?? '' }, span)
        .then((body) => finish(200, body))
        .catch((err: Error) => finish(500, { error: err.message }));
    },
  );
});

const port = Number(process.env.PORT ?? 8080);
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: actual })}\n`);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  try {
    await telemetry.shutdown();
  } catch (err) {
    // The trace exporter's last flush fails when the collector is gone; exit cleanly anyway.
    process.stderr.write(`telemetry shutdown: ${(err as Error).message}\n`);
  }
  if (process.env.EXAMPLE_REPORT === '1') {
    const cpu = process.cpuUsage();
    const report = { event: 'shutdown', cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system, profiler: telemetry.profiler?.stats() };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
