// The API's HTTP server (node:http): JSON API under /api/v1, pprof downloads, /metrics,
// /health and the web UI. Bad requests answer 400 `{ error: { code, reason, message } }`.
// Access (auth/), query bounds (limits.ts), TLS (tls.ts) and headers (headers.ts) live beside.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BadRequestError, BridgeError, errorMessage } from '../errors.js';
import { guardHandler } from '../http/guard.js';
import { requestTarget, type RequestTarget } from '../http/target.js';
import { splitHostPort } from '../config/units.js';
import { QueryError } from '../store/query/errors.js';
import type { Store } from '../store/store.js';
import { authorize, redactedUrl, type Authenticator } from './auth/index.js';
import { securityHeaders } from './headers.js';
import { QueryLimiter, QueryLimitError, type QueryLimits } from './limits.js';
import { API_ROUTES, type Reply } from './routes.js';
import { StaticFiles } from './static.js';
import { createListener, type ApiListener, type ApiTlsConfig } from './tls.js';

const gzipAsync = promisify(gzip);
/** Bodies above this are gzip'd for clients that accept it (flame trees run to megabytes). */
const GZIP_MIN_BYTES = 8 * 1024;

export interface ApiServerOptions {
  endpoint: string;
  /** What the API uses of a store (the inline Store or the one writing in a worker). */
  store: Pick<Store, 'isOpen' | 'profiles' | 'queries'>;
  metrics: Registry;
  logger: Logger;
  uiDirectory: string;
  /** Serve `*.map` files of the UI (off: 404). */
  uiSourceMaps?: boolean;
  /** Credentials required on everything but `/health` and the UI's static files. */
  auth?: Authenticator;
  tls?: ApiTlsConfig;
  limits?: Partial<QueryLimits> & { maxUrlBytes?: number };
  now?: () => number;
}

const DEFAULT_LIMITS: QueryLimits = { maxConcurrent: 4, maxQueued: 32, timeoutMs: 30_000 };

function errorReply(status: number, code: string, message: string, reason?: string): Reply {
  return { status, json: { error: reason === undefined ? { code, message } : { code, reason, message } } };
}

export class ApiServer {
  private readonly server: Server;
  private readonly listener: ApiListener;
  private readonly ui: StaticFiles;
  private readonly now: () => number;
  private readonly limiter: QueryLimiter;
  private readonly headers: Record<string, string>;
  private bound = '';

  constructor(private readonly o: ApiServerOptions) {
    this.ui = new StaticFiles(o.uiDirectory, { sourceMaps: o.uiSourceMaps ?? false });
    this.now = o.now ?? Date.now;
    this.limiter = new QueryLimiter({ ...DEFAULT_LIMITS, ...o.limits });
    this.headers = securityHeaders(o.tls !== undefined);
    // The guard answers whatever escapes handle() (e.g. a failing send) so it never reaches the process.
    this.listener = createListener(
      guardHandler((req, res) => this.handle(req, res), { logger: o.logger, name: 'API' }),
      o.tls,
      o.logger,
    );
    this.server = this.listener.server;
    this.server.keepAliveTimeout = 5000;
  }

  /** The query limiter (its counts show in tests and bench). */
  get queryLimiter(): QueryLimiter {
    return this.limiter;
  }

  async start(): Promise<string> {
    const { host, port } = splitHostPort(this.o.endpoint);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const a = this.server.address() as AddressInfo;
    this.bound = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    return this.bound;
  }

  get address(): string {
    return this.bound;
  }

  async stop(): Promise<void> {
    this.listener.close();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    const raw = req.url ?? '/';
    const maxUrl = this.o.limits?.maxUrlBytes ?? 8 * 1024;
    if (Buffer.byteLength(raw) > maxUrl) {
      await this.send(req, res, errorReply(414, 'ERR_URL_TOO_LONG', `the request URL exceeds ${maxUrl} bytes`));
      this.o.logger.debug({ method: req.method, status: 414 }, 'API request');
      return;
    }
    let url: RequestTarget | undefined;
    let user: string | undefined;
    try {
      url = requestTarget(req);
      const access = await authorize(this.o.auth, req.headers, url);
      user = access.user;
      reply = access.denied ?? (await this.route(req.method ?? 'GET', url));
    } catch (e) {
      reply = this.failure(e, url?.pathname ?? '');
    }
    await this.send(req, res, reply);
    // Never the Authorization header or the pprof token: the URL is logged redacted.
    this.o.logger.debug(
      { method: req.method, url: url ? redactedUrl(url) : '(bad target)', status: reply.status, ...(user ? { user } : {}) },
      'API request',
    );
  }

  private async route(method: string, url: RequestTarget): Promise<Reply> {
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        status: 405,
        body: JSON.stringify({ error: { code: 'ERR_METHOD', message: `${method} is not allowed; use GET` } }),
        headers: { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' },
      };
    }
    const path = url.pathname;
    if (path === '/health') {
      const store = this.o.store;
      return store.isOpen ? { status: 200, json: { status: 'ok', profiles: store.profiles } } : { status: 503, json: { status: 'unavailable' } };
    }
    if (path === '/metrics') {
      return { status: 200, body: await this.o.metrics.metrics(), headers: { 'content-type': this.o.metrics.contentType } };
    }
    for (const r of API_ROUTES) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      const captures = m.slice(1).map((c) => {
        try {
          return decodeURIComponent(c);
        } catch {
          throw new QueryError('param', `path segment "${c}" is not valid URL encoding`);
        }
      });
      return this.limiter.run(() => r.handle({ params: url.searchParams, captures, now: this.now(), queries: this.o.store.queries }));
    }
    if (path.startsWith('/api/') || path.startsWith('/debug/')) {
      return errorReply(404, 'ERR_NOT_FOUND', `no such endpoint: ${path} (see docs/api.md)`, 'path');
    }
    return this.ui.serve(path);
  }

  private failure(e: unknown, path: string): Reply {
    if (e instanceof QueryError) return errorReply(400, e.code, e.message, e.reason);
    if (e instanceof QueryLimitError) {
      return {
        status: e.status,
        body: JSON.stringify({ error: { code: e.code, message: e.message } }),
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(e.retryAfterSeconds) },
      };
    }
    if (e instanceof BadRequestError) return errorReply(400, e.code, e.message, 'target');
    if (e instanceof BridgeError && (e.code === 'ERR_STORE' || e.code === 'ERR_PIPELINE_UNAVAILABLE')) {
      return errorReply(503, 'ERR_STORE', e.message);
    }
    this.o.logger.error({ err: errorMessage(e), path }, 'API request failed');
    return errorReply(500, 'ERR_INTERNAL', `internal error: ${errorMessage(e)}`);
  }

  private async send(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
    let body: Uint8Array | string;
    const headers: Record<string, string> = { ...this.headers };
    if ('json' in reply) {
      body = JSON.stringify(reply.json);
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['cache-control'] = 'no-store';
    } else {
      body = reply.body;
      Object.assign(headers, reply.headers);
    }
    let bytes: Uint8Array = typeof body === 'string' ? Buffer.from(body) : body;
    const compressible = !/octet-stream|image\/png|font\//.test(headers['content-type'] ?? '');
    if (compressible && bytes.byteLength >= GZIP_MIN_BYTES && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      bytes = await gzipAsync(bytes);
      headers['content-encoding'] = 'gzip';
      headers.vary = 'accept-encoding';
    }
    headers['content-length'] = String(bytes.byteLength);
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }
}
