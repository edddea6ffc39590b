// Runs the example service (examples/service, compiled) as a child process under the
// profiling plugin, drives load at it, and captures what it sends. Shared by the SDK tests
// and the overhead benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** dist/examples/service/server.js, from dist/test/sdk. */
export const EXAMPLE_SERVER = fileURLToPath(new URL('../../examples/service/server.js', import.meta.url));

export interface ShutdownReport {
  event: 'shutdown';
  cpuUserMicros: number;
  cpuSystemMicros: number;
  profiler?: {
    exported: number;
    failed: number;
    dropped: number;
    retries: number;
    requests: number;
    samples: number;
    collectErrors: number;
    spansStarted: number;
    lastError?: string;
  };
}

export interface ExampleChild {
  port: number;
  pid: number;
  /** stderr so far (diag warnings land here). */
  stderr(): string;
  /** SIGTERM, then wait (bounded; SIGKILL after `timeoutMs`) for the exit and the shutdown report. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; report: ShutdownReport | undefined }>;
  /** SIGKILL if still running (for `after` hooks). */
  kill(): void;
}

/** Starts the example with `env` added to this process's environment; resolves once it listens. */
export async function startExample(env: Record<string, string>, nodeArgs: string[] = ['--unhandled-rejections=strict']): Promise<ExampleChild> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, EXAMPLE_SERVER], {
    env: { ...process.env, PORT: '0', EXAMPLE_REPORT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example did not start in time; stderr: ${err}`)), 15_000);
    const onData = (): void => {
      const m = /"event":"listening","port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`example exited (${code}) before listening; stderr: ${err}`));
    });
  });
  const report = (): ShutdownReport | undefined => {
    const line = out.split('\n').find((l) => l.includes('"event":"shutdown"'));
    return line ? (JSON.parse(line) as ShutdownReport) : undefined;
  };
  return {
    port,
    pid: child.pid!,
    stderr: () => err,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, report: report() };
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface LoadResult {
  /** Status code counts. */
  statuses: Map<number, number>;
  errors: number;
  /** Latency of each request, milliseconds. */
  latencies: number[];
}

/**
 * Sends GETs to `paths` in turn, `concurrency` at a time, until `requests` are done (bounded)
 * or, with `ratePerSecond`, paced at that rate. Keep-alive connections, as a real client.
 */
export async function load(
  port: number,
  paths: (i: number) => string,
  options: { requests: number; concurrency?: number; ratePerSecond?: number },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 4 });
  const result: LoadResult = { statuses: new Map(), errors: 0, latencies: [] };
  const one = (path: string): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          result.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          result.statuses.set(res.statusCode ?? 0, (result.statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        result.errors++;
        resolve();
      });
    });
  let next = 0;
  const start = Date.now();
  const worker = async (): Promise<void> => {
    while (next < options.requests) {
      const i = next++;
      if (options.ratePerSecond !== undefined) {
        const due = start + (i * 1000) / options.ratePerSecond;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await one(paths(i));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  agent.destroy();
  return result;
}

export interface Captured {
  path: string;
  contentType: string;
  /** Content-Encoding as sent ('' for none). */
  encoding: string;
  /** Decompressed body. */
  body: Buffer;
}

/** A stand-in OTLP/HTTP endpoint that records every request (bodies gunzipped) and answers 200. */
export async function startCapture(): Promise<{ url: string; requests: Captured[]; close(): Promise<void> }> {
  const requests: Captured[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ path: req.url ?? '', contentType, encoding: req.headers['content-encoding'] ?? '', body });
      if (contentType.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
