// The `otlp` receiver: OTLP/gRPC and OTLP/HTTP servers feeding the pipelines' consumers.
import type { Registry } from 'prom-client';
import type { ComponentContext, Receiver, ReceiverFactory, ReceiverSinks } from '../../component/factory.js';
import { otlpReceiverConfigSchema, type OtlpReceiverConfig } from './config.js';
import type { ReceiverMetrics } from './export.js';
import { OtlpGrpcServer } from './grpc.js';
import { OtlpHttpServer } from './http.js';
import { sharedCounter } from '../../component/metrics.js';
import { listenError } from '../../config/listen-error.js';
import { splitHostPort } from '../../config/units.js';
import { checkExposure } from '../../security/exposure.js';
import { workerPoolOf } from '../../workers/pool.js';

function receiverMetrics(registry: Registry, receiver: string): ReceiverMetrics {
  // One set of metrics per registry, labelled by receiver id.
  const items = sharedCounter(
    registry,
    'otel_profile_bridge_receiver_items_total',
    'Spans and profiles received, by outcome (accepted, rejected as bad data, refused with a retryable error)',
    ['receiver', 'signal', 'transport', 'outcome'],
  );
  const requests = sharedCounter(registry, 'otel_profile_bridge_receiver_requests_total', 'OTLP export requests, by result (ok, partial, refused)', [
    'receiver',
    'signal',
    'transport',
    'result',
  ]);
  return {
    items: { inc: (l: Record<string, string>, v?: number) => items.inc({ ...l, receiver }, v) } as ReceiverMetrics['items'],
    requests: { inc: (l: Record<string, string>, v?: number) => requests.inc({ ...l, receiver }, v) } as ReceiverMetrics['requests'],
  };
}

class OtlpReceiver implements Receiver {
  private readonly grpc: OtlpGrpcServer | undefined;
  private readonly http: OtlpHttpServer | undefined;
  private readonly bound: Record<string, string> = {};

  private readonly warnings: string[] = [];

  constructor(
    private readonly config: OtlpReceiverConfig,
    private readonly ctx: ComponentContext,
    sinks: ReceiverSinks,
  ) {
    for (const [name, p] of [
      ['grpc', config.grpc],
      ['http', config.http],
    ] as const) {
      if (!p) continue;
      const where = `receivers.${ctx.id}.protocols.${name}`;
      const w = checkExposure({
        where,
        host: splitHostPort(p.endpoint).host,
        authenticated: p.auth !== undefined || p.tls?.client_ca_file !== undefined,
        optOut: p.allow_unauthenticated_remote,
        howToAuth: `${where}.auth.bearer_token: \${env:BRIDGE_TOKEN} (or tls.client_ca_file)`,
        optOutKey: `${where}.allow_unauthenticated_remote`,
      });
      if (w) this.warnings.push(w);
    }
    const metrics = receiverMetrics(ctx.metrics, ctx.id);
    if (config.grpc) this.grpc = new OtlpGrpcServer(config.grpc, sinks, metrics, ctx.logger, `receivers.${ctx.id}`, workerPoolOf(ctx.workers));
    if (config.http) this.http = new OtlpHttpServer(config.http, sinks, metrics, ctx.logger, `receivers.${ctx.id}`, workerPoolOf(ctx.workers));
  }

  async start(): Promise<void> {
    for (const w of this.warnings) this.ctx.logger.warn(w);
    const key = (p: string) => `receivers.${this.ctx.id}.protocols.${p}.endpoint`;
    if (this.grpc)
      this.bound.grpc = await this.grpc.start().catch((e: unknown) => Promise.reject(listenError(e, this.config.grpc!.endpoint, key('grpc'))));
    if (this.http)
      this.bound.http = await this.http.start().catch((e: unknown) => Promise.reject(listenError(e, this.config.http!.endpoint, key('http'))));
    this.ctx.logger.info({ endpoints: this.bound }, 'OTLP receiver listening');
  }

  endpoints(): Record<string, string> {
    return { ...this.bound };
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.grpc?.stop(), this.http?.stop()]);
  }
}

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  type: 'otlp',
  configSchema: otlpReceiverConfigSchema,
  create: (config, ctx, sinks) => new OtlpReceiver(config, ctx, sinks),
};
