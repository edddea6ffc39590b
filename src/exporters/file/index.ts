export { fileExporterFactory } from './factory.js';
export { fileExporterConfigSchema, type FileExporterConfig } from './config.js';
export { FileExporter } from './exporter.js';
export { FILE_EXPORTER_METRIC } from './metrics.js';
export { profilePaths, safeSegment, fileTimestamp, rfc3339Nano, type ProfilePaths } from './layout.js';
export { profileSidecar, type ProfileSidecar } from './sidecar.js';
export { writeProfileFiles, type WriteOptions, type WrittenProfile } from './writer.js';
