// Every component type the bridge knows, by kind. A new receiver, processor, exporter or
// extension is one import and one line here.
import type { ExporterFactory, ExtensionFactory, ProcessorFactory, ReceiverFactory } from './component/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { joinProcessorFactory } from './join/processor.js';
import { fileExporterFactory } from './exporters/file/factory.js';
import { pyroscopeExporterFactory } from './exporters/pyroscope/factory.js';
import { datadogExporterFactory } from './exporters/datadog/factory.js';
import { otlpExporterFactory } from './exporters/otlp/factory.js';
import { parcaExporterFactory } from './exporters/parca/factory.js';
import { storeExporterFactory } from './store/exporter.js';
import { apiExtensionFactory } from './api/factory.js';

export interface FactoryRegistry {
  receivers: Record<string, ReceiverFactory<any>>;
  processors: Record<string, ProcessorFactory<any>>;
  exporters: Record<string, ExporterFactory<any>>;
  extensions: Record<string, ExtensionFactory<any>>;
}

export function defaultFactories(): FactoryRegistry {
  return {
    receivers: { [otlpReceiverFactory.type]: otlpReceiverFactory },
    processors: { [joinProcessorFactory.type]: joinProcessorFactory },
    exporters: {
      [fileExporterFactory.type]: fileExporterFactory,
      [pyroscopeExporterFactory.type]: pyroscopeExporterFactory,
      [datadogExporterFactory.type]: datadogExporterFactory,
      [otlpExporterFactory.type]: otlpExporterFactory,
      [parcaExporterFactory.type]: parcaExporterFactory,
      [storeExporterFactory.type]: storeExporterFactory,
    },
    extensions: { [apiExtensionFactory.type]: apiExtensionFactory },
  };
}
