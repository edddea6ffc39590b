// The `store` exporter: the local store as a pipeline component. It takes both signals:
// profiles (what is explored) and spans (for slow spans and `include_children` hotspots).
import type { ExporterFactory, Exporter } from '../component/factory.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../otlp/model.js';
import type { ConsumeResult } from '../component/consumer.js';
import { storeConfigSchema, type StoreConfig } from './config.js';
import { Store } from './store.js';
import { WorkerStoreExporter } from '../workers/store/exporter.js';
import { WorkerStore } from '../workers/store/worker-store.js';

export class StoreExporter implements Exporter {
  constructor(readonly store: Store) {}

  async start(): Promise<void> {
    this.store.open();
  }

  consumeProfiles(req: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    return this.store.consumeProfiles(req);
  }

  consumeTraces(req: ExportTraceServiceRequest): Promise<ConsumeResult> {
    return this.store.consumeTraces(req);
  }

  shutdown(): Promise<void> {
    return this.store.close();
  }
}

export function isStoreExporter(x: unknown): x is StoreExporter | WorkerStoreExporter {
  return x instanceof StoreExporter || x instanceof WorkerStoreExporter;
}

export const storeExporterFactory: ExporterFactory<StoreConfig> = {
  type: 'store',
  configSchema: storeConfigSchema,
  create(config, ctx) {
    if (config.write_in_worker) return new WorkerStoreExporter(new WorkerStore({ config, logger: ctx.logger, metrics: ctx.metrics, id: ctx.id }));
    return new StoreExporter(new Store({ config, logger: ctx.logger, metrics: ctx.metrics, id: ctx.id }));
  },
};
