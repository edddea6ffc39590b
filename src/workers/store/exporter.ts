// The `store` exporter when `write_in_worker` is on: the same component, with its writes in
// the writer thread (worker-store.ts). It takes encoded requests, so a receiver feeding only
// such consumers checks requests in the worker pool and the main thread never decodes them.
import type { Exporter } from '../../component/factory.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../otlp/model.js';
import type { ConsumeResult, EncodedRequest } from '../../component/consumer.js';
import { WorkerStore } from './worker-store.js';

export class WorkerStoreExporter implements Exporter {
  constructor(readonly store: WorkerStore) {}

  start(): Promise<void> {
    return this.store.open();
  }

  consumeProfiles(req: ExportProfilesServiceRequest): Promise<ConsumeResult> {
    return this.store.consumeProfiles(req);
  }

  consumeEncodedProfiles(req: EncodedRequest): Promise<ConsumeResult> {
    return this.store.consumeEncodedProfiles(req);
  }

  consumeTraces(req: ExportTraceServiceRequest): Promise<ConsumeResult> {
    return this.store.consumeTraces(req);
  }

  consumeEncodedTraces(req: EncodedRequest): Promise<ConsumeResult> {
    return this.store.consumeEncodedTraces(req);
  }

  shutdown(): Promise<void> {
    return this.store.close();
  }
}
