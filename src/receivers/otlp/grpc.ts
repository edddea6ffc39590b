// OTLP/gRPC on @grpc/grpc-js: the two Export methods plus the standard health service.
// Messages travel as raw bytes through grpc-js and are decoded by our codec inside the
// handler, so a bad message becomes INVALID_ARGUMENT with our message (a throwing
// deserializer would surface as INTERNAL).
import { readFileSync } from 'node:fs';
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ReceiverSinks } from '../../component/factory.js';
import type { GrpcConfig } from './config.js';
import { handleExport, type ReceiverMetrics, type Signal } from './export.js';
import { answerFor } from './status.js';
import { bearerTokenMatches } from './auth.js';
import { encodeRetryInfoStatus } from '../../otlp/retry-info.js';
import { Reader } from '../../protobuf/reader.js';
import { DecodeError } from '../../errors.js';
import type { WorkerPool } from '../../workers/pool.js';

const raw = (b: Buffer) => b;
const rawOut = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function unaryDefinition(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: rawOut,
      requestDeserialize: raw,
      responseSerialize: rawOut,
      responseDeserialize: raw,
    },
  } as ServiceDefinition;
}

export const TRACE_SERVICE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const PROFILES_SERVICE_PATH = '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export';

// grpc.health.v1 — hand-encoded: the messages are one field each.
const HEALTH_DEFINITION = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: rawOut,
    requestDeserialize: raw,
    responseSerialize: rawOut,
    responseDeserialize: raw,
  },
  Watch: {
    path: '/grpc.health.v1.Health/Watch',
    requestStream: false,
    responseStream: true,
    requestSerialize: rawOut,
    requestDeserialize: raw,
    responseSerialize: rawOut,
    responseDeserialize: raw,
  },
} as ServiceDefinition;

export enum ServingStatus {
  UNKNOWN = 0,
  SERVING = 1,
  NOT_SERVING = 2,
  SERVICE_UNKNOWN = 3,
}

/**
 * HealthCheckRequest.service (field 1, string): '' when absent, undefined when the bytes are
 * not a HealthCheckRequest. Read with the codec's wire reader (unknown fields skipped, a
 * repeated field's last value wins, as protobuf specifies).
 */
function healthService(buf: Buffer): string | undefined {
  const r = new Reader(buf);
  let service = '';
  try {
    while (r.pos < r.limit) {
      const tag = r.tag();
      if (tag === 10) service = r.string();
      else r.skip(tag);
    }
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
  return service;
}

const healthResponse = (s: ServingStatus) => Buffer.from([0x08, s]);

export class OtlpGrpcServer {
  private server: Server | undefined;
  private serving = ServingStatus.NOT_SERVING;
  private readonly watchers = new Set<ServerWritableStream<Buffer, Buffer>>();
  private readonly services: Set<string>;

  constructor(
    private readonly config: GrpcConfig,
    private readonly sinks: ReceiverSinks,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
    /** Config key of this receiver, e.g. `receivers.otlp`, for messages that name a key to change. */
    private readonly configKey = 'receivers.otlp',
    /** The bridge's worker threads, where requests are checked when the pipeline allows (see export.ts). */
    private readonly workers?: WorkerPool,
  ) {
    this.services = new Set(['']);
    if (sinks.traces) this.services.add('opentelemetry.proto.collector.trace.v1.TraceService');
    if (sinks.profiles) this.services.add('opentelemetry.proto.collector.profiles.v1development.ProfilesService');
  }

  async start(): Promise<string> {
    const server = new Server({
      'grpc.max_receive_message_length': this.config.max_recv_msg_size,
      'grpc.max_send_message_length': 4 * 2 ** 20,
    });
    if (this.sinks.traces) server.addService(unaryDefinition(TRACE_SERVICE_PATH), this.exportHandler('traces'));
    if (this.sinks.profiles) server.addService(unaryDefinition(PROFILES_SERVICE_PATH), this.exportHandler('profiles'));
    server.addService(HEALTH_DEFINITION, {
      Check: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
        const svc = healthService(call.request);
        if (svc === undefined) return cb({ code: GrpcStatus.INVALID_ARGUMENT, details: 'malformed HealthCheckRequest' });
        if (!this.services.has(svc)) return cb({ code: GrpcStatus.NOT_FOUND, details: `unknown service "${svc}"` });
        cb(null, healthResponse(this.serving));
      },
      Watch: (call: ServerWritableStream<Buffer, Buffer>) => {
        const svc = healthService(call.request);
        call.write(healthResponse(svc !== undefined && this.services.has(svc) ? this.serving : ServingStatus.SERVICE_UNKNOWN));
        this.watchers.add(call);
        call.on('cancelled', () => this.watchers.delete(call));
      },
    } as UntypedServiceImplementation);

    const tls = this.config.tls;
    const creds = tls
      ? ServerCredentials.createSsl(
          tls.client_ca_file ? readFileSync(tls.client_ca_file) : null,
          [{ cert_chain: readFileSync(tls.cert_file), private_key: readFileSync(tls.key_file) }],
          Boolean(tls.client_ca_file),
        )
      : ServerCredentials.createInsecure();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(this.config.endpoint, creds, (err, p) => (err ? reject(err) : resolve(p)));
    });
    this.server = server;
    this.setServing(ServingStatus.SERVING);
    const host = this.config.endpoint.slice(0, this.config.endpoint.lastIndexOf(':'));
    return `${host}:${port}`;
  }

  private setServing(s: ServingStatus): void {
    this.serving = s;
    for (const w of this.watchers) w.write(healthResponse(s));
  }

  private exportHandler(signal: Signal): UntypedServiceImplementation {
    return {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
        if (this.config.auth) {
          const header = call.metadata.get('authorization')[0];
          if (!bearerTokenMatches(typeof header === 'string' ? header : undefined, this.config.auth.bearer_token)) {
            cb({ code: GrpcStatus.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
            return;
          }
        }
        if (this.serving !== ServingStatus.SERVING) {
          cb({ code: GrpcStatus.UNAVAILABLE, details: 'the bridge is shutting down' });
          return;
        }
        handleExport(
          signal,
          call.request,
          'proto',
          this.sinks,
          this.metrics,
          'grpc',
          {
            values: this.config.limits,
            configKey: `${this.configKey}.protocols.grpc.limits`,
          },
          { workers: this.workers, order: call.getPeer() },
        ).then(
          (outcome) => cb(null, Buffer.from(outcome.body.buffer, outcome.body.byteOffset, outcome.body.byteLength)),
          (e: unknown) => {
            const a = answerFor(e, 1);
            const metadata = new Metadata();
            if (a.retryAfterSeconds !== undefined) {
              // Both forms: RetryInfo is what OTLP gRPC clients read, `retry-after` is simpler to see.
              metadata.set('grpc-status-details-bin', Buffer.from(encodeRetryInfoStatus(a.grpcCode, a.message, a.retryAfterSeconds * 1000)));
              metadata.set('retry-after', String(a.retryAfterSeconds));
            }
            if (a.retryable) this.logger.warn({ err: a.message, signal }, 'OTLP/gRPC export refused');
            else this.logger.debug({ err: a.message, signal }, 'OTLP/gRPC export refused');
            cb({ code: a.grpcCode, details: a.message, metadata });
          },
        );
      },
    };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.setServing(ServingStatus.NOT_SERVING);
    for (const w of this.watchers) w.end();
    this.watchers.clear();
    // Let in-flight calls finish, but do not wait forever on a stuck client.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 10_000);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
