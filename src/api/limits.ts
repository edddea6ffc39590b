// Bounds on the API's store queries: at most `maxConcurrent` run at once, at most `maxQueued`
// wait behind them (more answer 429), and each has a time budget, queueing included (past it:
// 503). A query past its budget keeps its slot until it really ends, so a flood of slow
// queries is refused instead of piling up in the query workers.

export class QueryLimitError extends Error {
  constructor(
    readonly status: 429 | 503,
    readonly code: 'ERR_TOO_MANY_QUERIES' | 'ERR_QUERY_TIMEOUT',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'QueryLimitError';
  }
}

export interface QueryLimits {
  maxConcurrent: number;
  maxQueued: number;
  timeoutMs: number;
}

export class QueryLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: QueryLimits) {}

  /** Queries running now (including any past their budget and still running). */
  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    const { maxConcurrent, maxQueued, timeoutMs } = this.limits;
    if (this.active >= maxConcurrent && this.waiting.length >= maxQueued) {
      return Promise.reject(
        new QueryLimitError(
          429,
          'ERR_TOO_MANY_QUERIES',
          `too many queries at once (${maxConcurrent} running, ${maxQueued} waiting); retry shortly`,
          1,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        const i = this.waiting.indexOf(start);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(
          new QueryLimitError(
            503,
            'ERR_QUERY_TIMEOUT',
            `the query did not finish within its budget of ${timeoutMs} ms; narrow the selection (time range, tags)`,
            Math.max(1, Math.ceil(timeoutMs / 1000)),
          ),
        );
      }, timeoutMs);
      timer.unref();
      const start = () => {
        this.active++;
        // The slot is freed before the caller hears back, so the next query can start at once.
        const release = () => {
          clearTimeout(timer);
          this.active--;
          this.waiting.shift()?.();
        };
        fn().then(
          (v) => {
            release();
            if (!settled) resolve(v);
            settled = true;
          },
          (e: unknown) => {
            release();
            if (!settled) reject(e);
            settled = true;
          },
        );
      };
      if (this.active < maxConcurrent) start();
      else this.waiting.push(start);
    });
  }
}
