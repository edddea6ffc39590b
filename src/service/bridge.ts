// Builds the pipeline graph from a validated config and runs it: exporters start first and
// stop last, receivers start last and stop first, so nothing accepted is left without a
// consumer. Shutdown flushes what processors hold before exporters drain.
import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigError, errorMessage } from '../errors.js';
import { checkComponentTypes } from '../config/component-types.js';
import { validate } from '../config/load.js';
import { signalOf, typeOf, type BridgeConfig } from '../config/schema.js';
import type { ProfilesConsumer, TracesConsumer } from '../component/consumer.js';
import { fanOutProfiles, fanOutTraces } from './fanout.js';
import type { ComponentContext, ComponentKind, Exporter, Extension, Processor, Receiver } from '../component/factory.js';
import { defaultFactories, type FactoryRegistry } from '../components.js';
import { WorkerPool } from '../workers/pool.js';

export interface BridgeOptions {
  logger?: Logger;
  /** Registry for the bridge's metrics; a fresh one by default (so tests don't collide). */
  metrics?: Registry;
  /** Component types; defaults to every built-in type. Tests add sinks here. */
  factories?: FactoryRegistry;
  /**
   * The environment the config was loaded with (what `loadConfigFile` / `parseConfigText`
   * expanded `${env:...}` from); components take variable defaults from it, e.g. the datadog
   * exporter's `DD_API_KEY`. Default: no variables.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

const SECTION: Record<ComponentKind, 'receivers' | 'processors' | 'exporters' | 'extensions'> = {
  receiver: 'receivers',
  processor: 'processors',
  exporter: 'exporters',
  extension: 'extensions',
};

type Built = {
  receiver: Map<string, Receiver>;
  processor: Map<string, Processor>;
  exporter: Map<string, Exporter>;
  extension: Map<string, Extension>;
};

export class Bridge {
  readonly logger: Logger;
  readonly metrics: Registry;
  private readonly built: Built = { receiver: new Map(), processor: new Map(), exporter: new Map(), extension: new Map() };
  private readonly env: Readonly<Record<string, string | undefined>>;
  private started = false;
  private stopping: Promise<void> | undefined;
  private readonly workers: WorkerPool | undefined;

  private constructor(
    private readonly config: BridgeConfig,
    options: BridgeOptions,
  ) {
    this.logger = options.logger ?? pino({ level: config.service.telemetry.logs.level });
    this.metrics = options.metrics ?? new Registry();
    this.env = options.env ?? {};
    const w = config.service.workers;
    // Threads start on first use: a bridge that never gets a request starts none.
    this.workers = w.threads > 0 ? new WorkerPool({ threads: w.threads, maxQueued: w.max_queued }) : undefined;
    this.build(options.factories ?? defaultFactories());
  }

  /** Validates every component's config and builds the graph. Throws ConfigError naming the key. */
  static create(config: BridgeConfig, options: BridgeOptions = {}): Bridge {
    return new Bridge(config, options);
  }

  private context(kind: ComponentKind, id: string): ComponentContext {
    return {
      id,
      logger: this.logger.child({ component: `${SECTION[kind]}.${id}` }),
      metrics: this.metrics,
      env: this.env,
      ...(this.workers ? { workers: this.workers } : {}),
      lookup: (k, other) => {
        const c = this.built[k].get(other);
        if (!c)
          throw new ConfigError(`${SECTION[kind]}.${id}: refers to ${SECTION[k]}.${other}, which is not configured or not used by any pipeline`);
        return c;
      },
    };
  }

  private componentConfig(kind: ComponentKind, id: string, where: string, registry: FactoryRegistry) {
    const section = this.config[SECTION[kind]];
    if (!(id in section)) {
      throw new ConfigError(`${where}: "${id}" is not configured; add it under ${SECTION[kind]}:`);
    }
    const factory = registry[SECTION[kind]][typeOf(id)];
    if (!factory) {
      const known = Object.keys(registry[SECTION[kind]]).sort().join(', ') || '(none)';
      throw new ConfigError(`${SECTION[kind]}.${id}: unknown ${kind} type "${typeOf(id)}"; known types: ${known}`);
    }
    const raw = section[id] ?? {};
    // Every factory kind has the same shape apart from `create`'s arguments.
    return {
      factory: factory as { create(config: unknown, ctx: ComponentContext, sinks?: unknown): any },
      config: validate(factory.configSchema, raw, `${SECTION[kind]}.${id}`) as unknown,
    };
  }

  private build(registry: FactoryRegistry): void {
    const { pipelines } = this.config.service;
    if (Object.keys(pipelines).length === 0) throw new ConfigError('service.pipelines: define at least one pipeline (traces or profiles)');
    checkComponentTypes(this.config, {
      receivers: Object.keys(registry.receivers),
      processors: Object.keys(registry.processors),
      exporters: Object.keys(registry.exporters),
      extensions: Object.keys(registry.extensions),
    });
    if (this.config.service.telemetry.logs.level !== 'silent')
      collectDefaultMetrics({ register: this.metrics, prefix: 'otel_profile_bridge_process_' });

    // Exporters and processors first: receivers and extensions may refer to them.
    for (const [name, p] of Object.entries(pipelines)) {
      for (const id of p.exporters) {
        if (this.built.exporter.has(id)) continue;
        const { factory, config } = this.componentConfig('exporter', id, `service.pipelines.${name}.exporters`, registry);
        this.built.exporter.set(id, factory.create(config, this.context('exporter', id)));
      }
      for (const id of p.processors) {
        if (this.built.processor.has(id)) continue;
        const { factory, config } = this.componentConfig('processor', id, `service.pipelines.${name}.processors`, registry);
        this.built.processor.set(id, factory.create(config, this.context('processor', id)));
      }
    }

    const heads = { traces: new Map<string, TracesConsumer[]>(), profiles: new Map<string, ProfilesConsumer[]>() };
    for (const [name, p] of Object.entries(pipelines)) {
      const signal = signalOf(name);
      if (signal === 'traces') {
        let consumer = fanOutTraces(
          p.exporters.map((id) => ({ id, consumer: this.asConsumer(id, 'traces', name) as TracesConsumer })),
          this.logger,
        );
        for (const id of [...p.processors].reverse()) {
          const proc = this.built.processor.get(id)!;
          if (!proc.wrapTraces) throw new ConfigError(`service.pipelines.${name}.processors: "${id}" does not process traces`);
          consumer = proc.wrapTraces(consumer);
        }
        for (const r of p.receivers) push(heads.traces, r, consumer);
      } else {
        let consumer = fanOutProfiles(
          p.exporters.map((id) => ({ id, consumer: this.asConsumer(id, 'profiles', name) as ProfilesConsumer })),
          this.logger,
        );
        for (const id of [...p.processors].reverse()) {
          const proc = this.built.processor.get(id)!;
          if (!proc.wrapProfiles) throw new ConfigError(`service.pipelines.${name}.processors: "${id}" does not process profiles`);
          consumer = proc.wrapProfiles(consumer);
        }
        for (const r of p.receivers) push(heads.profiles, r, consumer);
      }
    }

    const receiverIds = new Set(Object.values(pipelines).flatMap((p) => p.receivers));
    for (const id of receiverIds) {
      const { factory, config } = this.componentConfig('receiver', id, 'service.pipelines.*.receivers', registry);
      const traces = heads.traces.get(id);
      const profiles = heads.profiles.get(id);
      const sinks = {
        traces:
          traces &&
          fanOutTraces(
            traces.map((c, i) => ({ id: `traces#${i}`, consumer: c })),
            this.logger,
          ),
        profiles:
          profiles &&
          fanOutProfiles(
            profiles.map((c, i) => ({ id: `profiles#${i}`, consumer: c })),
            this.logger,
          ),
      };
      this.built.receiver.set(id, factory.create(config, this.context('receiver', id), sinks) as Receiver);
    }

    for (const id of this.config.service.extensions) {
      const { factory, config } = this.componentConfig('extension', id, 'service.extensions', registry);
      this.built.extension.set(id, factory.create(config, this.context('extension', id)));
    }
  }

  private asConsumer(id: string, signal: 'traces' | 'profiles', pipeline: string): unknown {
    const e = this.built.exporter.get(id)!;
    const ok = signal === 'traces' ? typeof e.consumeTraces === 'function' : typeof e.consumeProfiles === 'function';
    if (!ok) throw new ConfigError(`service.pipelines.${pipeline}.exporters: "${id}" cannot export ${signal}`);
    return e;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      for (const e of this.built.exporter.values()) await e.start?.();
      for (const p of this.built.processor.values()) await p.start?.();
      for (const x of this.built.extension.values()) await x.start();
      for (const r of this.built.receiver.values()) await r.start();
    } catch (e) {
      await this.shutdown().catch(() => undefined);
      throw e;
    }
    this.logger.info({ endpoints: this.endpoints() }, 'otel-profile-bridge started');
  }

  /** Endpoints by component id, e.g. `{ otlp: { grpc: '127.0.0.1:4317', http: '127.0.0.1:4318' } }`. */
  endpoints(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [id, r] of this.built.receiver) out[`receivers.${id}`] = r.endpoints();
    for (const [id, x] of this.built.extension) if (x.endpoints) out[`extensions.${id}`] = x.endpoints();
    return out;
  }

  component<K extends ComponentKind>(kind: K, id: string): Built[K] extends Map<string, infer T> ? T | undefined : never {
    return this.built[kind].get(id) as never;
  }

  /**
   * Stop accepting, flush holds and queues, then release everything, within
   * `service.shutdown_timeout`: processors get the first half of it to hand their holds on,
   * exporters the rest to drain; a component still busy at its deadline is left behind
   * (logged) so the process can exit. Idempotent.
   */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      const started = Date.now();
      const deadline = started + this.config.service.shutdown_timeout;
      const processorsDeadline = started + Math.floor(this.config.service.shutdown_timeout / 2);
      const steps: [string, Iterable<{ shutdown?(deadline?: number): Promise<void> }>, number][] = [
        ['receivers', this.built.receiver.values(), processorsDeadline],
        ['processors', this.built.processor.values(), processorsDeadline],
        // After the receivers: what they handed to the threads has come back by then.
        ['worker threads', this.workers ? [this.workers] : [], processorsDeadline],
        ['exporters', this.built.exporter.values(), deadline],
        ['extensions', this.built.extension.values(), deadline],
      ];
      for (const [what, list, until] of steps) {
        for (const c of list) {
          try {
            const finished = await withDeadline(c.shutdown?.(until), deadline);
            if (!finished)
              this.logger.error({ timeout_ms: this.config.service.shutdown_timeout }, `${what}: not stopped by the shutdown deadline; leaving it`);
          } catch (e) {
            this.logger.error({ err: errorMessage(e) }, `error while stopping ${what}`);
          }
        }
      }
      this.logger.info({ duration_ms: Date.now() - started }, 'otel-profile-bridge stopped');
    })();
    return this.stopping;
  }
}

/** Resolves true when `p` settles by `deadline`, false otherwise (rejections pass through). */
async function withDeadline(p: Promise<void> | undefined, deadline: number): Promise<boolean> {
  if (p === undefined) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
