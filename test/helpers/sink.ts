// A `sink` exporter type for test pipelines, recording what the pipeline delivers.
import { z } from 'zod';
import { Recorder } from './recorder.js';
import type { Exporter, ExporterFactory } from '../../src/component/factory.js';
import { defaultFactories, type FactoryRegistry } from '../../src/components.js';

/** The recorder as an exporter a pipeline can name (`exporters: { sink: {} }`). */
export class SinkExporter extends Recorder implements Exporter {}

/** Registry with a `sink` exporter type whose instances are collected in `sinks` by id. */
export function factoriesWithSink(): { factories: FactoryRegistry; sinks: Map<string, SinkExporter> } {
  const sinks = new Map<string, SinkExporter>();
  const factory: ExporterFactory<Record<string, never>> = {
    type: 'sink',
    configSchema: z.strictObject({}) as unknown as z.ZodType<Record<string, never>>,
    create: (_c, ctx) => {
      const s = new SinkExporter();
      sinks.set(ctx.id, s);
      return s;
    },
  };
  const factories = defaultFactories();
  factories.exporters.sink = factory;
  return { factories, sinks };
}
