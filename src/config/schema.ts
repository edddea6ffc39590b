// The top-level config, in the OpenTelemetry collector's shape. Component sections hold
// `<type>[/<name>]: <component config>`; each component's own config is validated by its
// factory (src/service/components.ts), so this file only knows the frame.
import { z } from 'zod';
import { duration } from './units.js';
import { workersConfigSchema } from '../workers/config.js';

/** `type` or `type/name`, as in the collector. */
export const COMPONENT_ID = /^[a-z][a-z0-9_]*(\/[A-Za-z0-9_.-]+)?$/;

const componentSection = z
  .record(z.string().regex(COMPONENT_ID, 'component ids are `type` or `type/name`, e.g. `file/archive`'), z.unknown())
  .default({});

const pipeline = z.strictObject({
  /** Receiver ids feeding this pipeline. */
  receivers: z.array(z.string()).min(1, 'a pipeline needs at least one receiver'),
  /** Processor ids, applied in order (`join` links profile samples to the spans of the traces pipelines). */
  processors: z.array(z.string()).default([]),
  /** Exporter ids; each gets every item, with its own queue, so one backend's outage never blocks another. */
  exporters: z.array(z.string()).default([]),
});

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const bridgeConfigSchema = z.strictObject({
  /** Receivers by id: where OTLP comes in. */
  receivers: componentSection,
  /** Processors by id. */
  processors: componentSection,
  /** Exporters by id: where data goes. */
  exporters: componentSection,
  /** Extensions by id: services beside the pipelines (the API and UI). */
  extensions: componentSection,
  /** What runs: the extensions and the pipelines that connect components. */
  service: z.strictObject({
    /** Extension ids to start. */
    extensions: z.array(z.string()).default([]),
    /** Pipelines by name: `traces`, `profiles`, `traces/<name>` or `profiles/<name>`. */
    pipelines: z.record(z.string(), pipeline).superRefine((pipelines, ctx) => {
      // Checked here rather than on the record key so the message names the pipeline.
      for (const name of Object.keys(pipelines)) {
        if (!/^(traces|profiles)(\/[A-Za-z0-9_.-]+)?$/.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'pipeline names are `traces`, `profiles`, `traces/<name>` or `profiles/<name>`' });
        }
      }
    }),
    /**
     * How long a stop (SIGTERM / SIGINT) may take: receivers close, holds and queues flush
     * until then; what is not delivered by then stays on disk where persisted (see
     * docs/delivery.md). Keep it below the container's stop grace period.
     */
    shutdown_timeout: duration().default(8000),
    /** Worker threads that decode and check requests (and write the store, see `exporters.store.write_in_worker`) off the main thread. */
    workers: workersConfigSchema,
    /** The bridge's own telemetry. */
    telemetry: z
      .strictObject({
        /** Structured (JSON) logs on stdout. */
        logs: z
          .strictObject({
            /** Log level; the OTEL_LOG_LEVEL environment variable overrides it for `serve`. */
            level: z.enum(LOG_LEVELS).default('info'),
          })
          .default({ level: 'info' }),
      })
      .default({ logs: { level: 'info' } }),
  }),
});

export type BridgeConfig = z.output<typeof bridgeConfigSchema>;
export type PipelineConfig = z.output<typeof pipeline>;
export type Signal = 'traces' | 'profiles';

export function signalOf(pipelineName: string): Signal {
  return pipelineName.startsWith('traces') ? 'traces' : 'profiles';
}

/** Splits `file/archive` into type `file`. */
export function typeOf(id: string): string {
  const i = id.indexOf('/');
  return i < 0 ? id : id.slice(0, i);
}
