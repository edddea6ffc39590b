// The top-level config, in the OpenTelemetry collector's shape. Component sections hold
// `<type>[/<name>]: <component config>`; each component's own config is validated by its
// factory (src/components.ts), so this file only knows the frame.
import { z } from 'zod';
import { duration } from './units.js';
import { workersConfigSchema } from '../workers/config.js';

/** `type` or `type/name`, as in the collector. */
export const COMPONENT_ID = /^[a-z][a-z0-9_]*(\/[A-Za-z0-9_.-]+)?$/;

const componentSection = z
  .record(z.string().regex(COMPONENT_ID, 'component ids are `type` or `type/name`, e.g. `file/archive`'), z.unknown())
  .default({});

const pipeline = z.strictObject({
  receivers: z.array(z.string()).min(1, 'a pipeline needs at least one receiver').describe('Receiver ids feeding this pipeline.'),
  processors: z
    .array(z.string())
    .default([])
    .describe('Processor ids, applied in order (`join` links profile samples to the spans of the traces pipelines).'),
  exporters: z
    .array(z.string())
    .default([])
    .describe("Exporter ids; each gets every item, with its own queue, so one backend's outage never blocks another."),
});

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const bridgeConfigSchema = z.strictObject({
  receivers: componentSection.describe('Receivers by id: where OTLP comes in.'),
  processors: componentSection.describe('Processors by id.'),
  exporters: componentSection.describe('Exporters by id: where data goes.'),
  extensions: componentSection.describe('Extensions by id: services beside the pipelines (the API and UI).'),
  service: z
    .strictObject({
      extensions: z.array(z.string()).default([]).describe('Extension ids to start.'),
      pipelines: z
        .record(z.string(), pipeline)
        .superRefine((pipelines, ctx) => {
          // Checked here rather than on the record key so the message names the pipeline.
          for (const name of Object.keys(pipelines)) {
            if (!/^(traces|profiles)(\/[A-Za-z0-9_.-]+)?$/.test(name)) {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: 'pipeline names are `traces`, `profiles`, `traces/<name>` or `profiles/<name>`',
              });
            }
          }
        })
        .describe('Pipelines by name: `traces`, `profiles`, `traces/<name>` or `profiles/<name>`.'),
      shutdown_timeout: duration()
        .default(8000)
        .describe(
          "How long a stop (SIGTERM / SIGINT) may take: receivers close, holds and queues flush until then; what is not delivered by then stays on disk where persisted (see docs/delivery.md). Keep it below the container's stop grace period.",
        ),
      workers: workersConfigSchema.describe(
        'Worker threads that decode and check requests, convert, encode and gzip the pprof of the pyroscope, parca, datadog and file exporters (and write the store, see `exporters.store.write_in_worker`) off the main thread.',
      ),
      telemetry: z
        .strictObject({
          logs: z
            .strictObject({
              level: z.enum(LOG_LEVELS).default('info').describe('Log level; the OTEL_LOG_LEVEL environment variable overrides it for `serve`.'),
            })
            .default({ level: 'info' })
            .describe('Structured (JSON) logs on stdout.'),
        })
        .default({ logs: { level: 'info' } })
        .describe("The bridge's own telemetry."),
    })
    .describe('What runs: the extensions and the pipelines that connect components.'),
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
