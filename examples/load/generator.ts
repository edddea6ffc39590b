// A small, steady load on the example service: GET /slow/<id> and GET /fast at a fixed rate,
// with bounded concurrency (a request that would exceed it is skipped and counted, so a slow
// service is never buried under a backlog).
import http from 'node:http';

export interface LoadOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:8080. */
  target: string;
  /** Requests per second, over both endpoints. */
  rate: number;
  /** Share of requests that go to the slow endpoint (0..1). */
  slowShare: number;
  /** Requests in flight at most. */
  concurrency: number;
}

export interface LoadStats {
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  slow: number;
  fast: number;
}

export interface Load {
  readonly stats: LoadStats;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

export const DEFAULT_LOAD: Omit<LoadOptions, 'target'> = { rate: 10, slowShare: 0.5, concurrency: 4 };

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export function startLoad(options: LoadOptions): Load {
  const stats: LoadStats = { sent: 0, ok: 0, failed: 0, skipped: 0, slow: 0, fast: 0 };
  const base = options.target.replace(/\/+$/, '');
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  // Deterministic mix: out of every 100 requests, slowShare·100 go to /slow.
  const tick = (): void => {
    if (inFlight.size >= options.concurrency) {
      stats.skipped++;
      return;
    }
    n++;
    const slow = (n * 37) % 100 < options.slowShare * 100;
    const url = slow ? `${base}/slow/${n % 50}` : `${base}/fast`;
    if (slow) stats.slow++;
    else stats.fast++;
    stats.sent++;
    const p = get(url).then(
      (status) => {
        if (status >= 200 && status < 400) stats.ok++;
        else stats.failed++;
      },
      () => {
        stats.failed++;
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const timer = setInterval(tick, Math.max(1, Math.round(1000 / options.rate)));
  return {
    stats,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
