// Test doubles of the backends: a real HTTP server and a real gRPC server on 127.0.0.1 that
// record what they are sent and answer as told. They can go down (connections refused) and
// come back on the same port, to play an outage.
import { createServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import {
  Metadata,
  Server as GrpcServer,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

export interface HttpCall {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** ms since the epoch when fully received. */
  at: number;
}

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Resolves once `pred` holds, polling; rejects after `timeoutMs` so a broken test cannot hang. */
export async function waitUntil(pred: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class HttpBackend {
  /** Every request received, in arrival order. */
  readonly calls: HttpCall[] = [];
  /** Requests answered with a 2xx. */
  readonly accepted: HttpCall[] = [];
  answer: (call: HttpCall) => HttpAnswer = () => ({ status: 200, body: '{}' });
  private server: HttpServer | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  static async start(): Promise<HttpBackend> {
    const b = new HttpBackend();
    await b.up();
    return b;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const call: HttpCall = {
          method: req.method ?? '',
          url: new URL(req.url ?? '/', 'http://backend'),
          headers: req.headers,
          body: Buffer.concat(chunks),
          at: Date.now(),
        };
        this.calls.push(call);
        let a: HttpAnswer;
        try {
          a = this.answer(call);
        } catch (e) {
          a = { status: 500, body: `test backend failed to parse the request: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (a.status >= 200 && a.status < 300) this.accepted.push(call);
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body ?? '');
      });
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and cuts every connection: clients now get ECONNREFUSED. */
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }

  close(): Promise<void> {
    return this.down();
  }
}

export interface GrpcCall {
  method: string;
  body: Buffer;
  metadata: Metadata;
  at: number;
}

export interface GrpcAnswer {
  /** Omit (or 0) for OK. */
  code?: number;
  details?: string;
  metadata?: Record<string, string | Buffer>;
  response?: Buffer;
}

export class GrpcBackend {
  readonly calls: GrpcCall[] = [];
  readonly accepted: GrpcCall[] = [];
  answer: (call: GrpcCall) => GrpcAnswer = () => ({});
  private server: GrpcServer | undefined;
  port = 0;

  private constructor(private readonly methods: string[]) {}

  static async start(methods: string[]): Promise<GrpcBackend> {
    const b = new GrpcBackend(methods);
    await b.up();
    return b;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new GrpcServer({ 'grpc.max_receive_message_length': -1 });
    // One service per distinct service path prefix.
    const byService = new Map<string, string[]>();
    for (const m of this.methods) {
      const svc = m.slice(0, m.lastIndexOf('/'));
      byService.set(svc, [...(byService.get(svc) ?? []), m]);
    }
    for (const methods of byService.values()) {
      const def: Record<string, unknown> = {};
      const impl: UntypedServiceImplementation = {};
      for (const path of methods) {
        const name = path.slice(path.lastIndexOf('/') + 1);
        def[name] = {
          path,
          requestStream: false,
          responseStream: false,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (b: Buffer) => b,
          responseDeserialize: (b: Buffer) => b,
        };
        impl[name] = (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
          const rec: GrpcCall = { method: path, body: call.request, metadata: call.metadata, at: Date.now() };
          this.calls.push(rec);
          let a: GrpcAnswer;
          try {
            a = this.answer(rec);
          } catch (e) {
            a = { code: 13, details: `test backend failed to parse the request: ${e instanceof Error ? e.message : String(e)}` };
          }
          if (!a.code) {
            this.accepted.push(rec);
            cb(null, a.response ?? Buffer.alloc(0));
            return;
          }
          const md = new Metadata();
          for (const [k, v] of Object.entries(a.metadata ?? {})) md.set(k, v);
          cb({ code: a.code, details: a.details ?? '', metadata: md });
        };
      }
      server.addService(def as ServiceDefinition, impl);
    }
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    s?.forceShutdown();
  }

  close(): Promise<void> {
    return this.down();
  }
}
