// `file` exporter: gzip'd pprof files (plus JSON sidecars) in a directory tree.
import type { ExporterFactory } from '../../component/factory.js';
import { fileExporterConfigSchema, type FileExporterConfig } from './config.js';
import { FileExporter } from './exporter.js';

export const fileExporterFactory: ExporterFactory<FileExporterConfig> = {
  type: 'file',
  configSchema: fileExporterConfigSchema,
  create: (config, ctx) => new FileExporter(config, ctx),
};
