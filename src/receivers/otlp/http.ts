// OTLP/HTTP: POST /v1/traces and /v1development/profiles, protobuf or JSON, gzip or not.
// The response uses the request's Content-Type; errors carry a google.rpc.Status body.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { encodeRpcStatus, rpcStatusToJson } from '../../otlp/index.js';
import { BridgeError } from '../../errors.js';
import { splitHostPort } from '../../config/units.js';
import type { ReceiverSinks } from '../../component/factory.js';
import { readBody } from './body.js';
import { handleExport, type BodyFormat, type ReceiverMetrics, type Signal } from './export.js';
import type { HttpConfig } from './config.js';
import { answerFor } from './status.js';
import { bearerTokenMatches } from './auth.js';
import { guardHandler } from '../../http/guard.js';
import { requestTarget } from '../../http/target.js';
import type { WorkerPool } from '../../workers/pool.js';

const ROUTES: Record<string, Signal> = {
  '/v1/traces': 'traces',
  '/v1development/profiles': 'profiles',
};

const CONTENT_TYPES: Record<string, BodyFormat> = {
  'application/x-protobuf': 'proto',
  'application/protobuf': 'proto',
  'application/json': 'json',
};

export class OtlpHttpServer {
  private server: Server | undefined;
  private accepting = true;

  constructor(
    private readonly config: HttpConfig,
    private readonly sinks: ReceiverSinks,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
    /** Config key of this receiver, e.g. `receivers.otlp`, for messages that name a key to change. */
    private readonly configKey = 'receivers.otlp',
    /** The bridge's worker threads, where requests are checked when the pipeline allows (see export.ts). */
    private readonly workers?: WorkerPool,
  ) {}

  async start(): Promise<string> {
    // Whatever escapes handle() is answered in OTLP's Status format and never reaches the process.
    const handler = guardHandler((req, res) => this.handle(req, res), {
      logger: this.logger,
      name: 'OTLP/HTTP',
      answer: (req, res, status, message) => this.fail(req, res, formatOf(req) ?? 'proto', status, message),
    });
    const tls = this.config.tls;
    this.server = tls
      ? createHttpsServer(
          {
            cert: readFileSync(tls.cert_file),
            key: readFileSync(tls.key_file),
            ...(tls.client_ca_file ? { ca: readFileSync(tls.client_ca_file), requestCert: true, rejectUnauthorized: true } : {}),
          },
          handler,
        )
      : createHttpServer(handler);
    // Slow senders of huge bodies must not hold sockets forever.
    this.server.requestTimeout = 120_000;
    const { host, port } = splitHostPort(this.config.endpoint);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }

  async stop(): Promise<void> {
    this.accepting = false;
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const format = formatOf(req);
    const replyFormat: BodyFormat = format ?? 'proto';
    let path: string;
    try {
      path = requestTarget(req).pathname;
    } catch (e) {
      return this.fail(req, res, replyFormat, 400, (e as Error).message);
    }
    const signal = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    if (signal === undefined || !this.sinks[signal]) {
      return this.fail(req, res, replyFormat, 404, `no OTLP endpoint at ${path}; use POST /v1/traces or POST /v1development/profiles`);
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.fail(req, res, replyFormat, 405, `${req.method} is not allowed on ${path}; use POST`);
    }
    if (this.config.auth && !bearerTokenMatches(req.headers.authorization, this.config.auth.bearer_token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.fail(req, res, replyFormat, 401, 'missing or wrong bearer token');
    }
    if (!format) {
      return this.fail(
        req,
        res,
        'proto',
        415,
        `Content-Type "${req.headers['content-type'] ?? ''}" is not supported; use application/x-protobuf or application/json`,
      );
    }
    if (!this.accepting) {
      res.setHeader('Retry-After', String(Math.ceil(this.config.retry_after / 1000)));
      return this.fail(req, res, format, 503, 'the bridge is shutting down');
    }
    try {
      const body = await readBody(req, this.config.max_request_body_size);
      const outcome = await handleExport(
        signal,
        body,
        format,
        this.sinks,
        this.metrics,
        'http',
        {
          values: this.config.limits,
          configKey: `${this.configKey}.protocols.http.limits`,
        },
        { workers: this.workers, order: `${req.socket.remoteAddress}:${req.socket.remotePort}` },
      );
      res.writeHead(200, { 'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf' });
      res.end(outcome.body);
    } catch (e) {
      const a = answerFor(e, Math.ceil(this.config.retry_after / 1000));
      if (a.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(a.retryAfterSeconds));
      if (a.httpStatus >= 500 || !(e instanceof BridgeError)) this.logger.warn({ err: a.message, path }, 'OTLP/HTTP request refused');
      else this.logger.debug({ err: a.message, path, status: a.httpStatus }, 'OTLP/HTTP request refused');
      this.fail(req, res, format, a.httpStatus, a.message);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, format: BodyFormat, status: number, message: string): void {
    // gRPC-style code in the Status body, as the collector does (e.g. 3 = INVALID_ARGUMENT).
    const code = GRPC_CODE_OF_HTTP[status] ?? 2;
    const body =
      format === 'json'
        ? Buffer.from(JSON.stringify(rpcStatusToJson({ code, message, details: [] })))
        : encodeRpcStatus({ code, message, details: [] });
    if (!req.complete) {
      // The body was not read (refused up front): close the connection rather than read it.
      res.setHeader('Connection', 'close');
    }
    res.writeHead(status, { 'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf' });
    res.end(body);
    if (!req.complete) req.resume();
  }
}

function formatOf(req: IncomingMessage): BodyFormat | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, type) ? CONTENT_TYPES[type] : undefined;
}

const GRPC_CODE_OF_HTTP: Record<number, number> = {
  400: 3,
  401: 16,
  404: 12,
  405: 12,
  413: 8,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};
