// File exporter metrics, labelled by exporter id (several file exporters share a registry):
//
//   otel_profile_bridge_file_exporter_profiles_written_total{exporter}   pprof files written
//   otel_profile_bridge_file_exporter_bytes_written_total{exporter}      bytes written (pprof + sidecar)
//   otel_profile_bridge_file_exporter_write_errors_total{exporter}       failed writes (the request is retried)
//   otel_profile_bridge_file_exporter_rejected_profiles_total{exporter}  profiles that could not be converted
import type { Counter, Registry } from 'prom-client';
import { sharedCounter } from '../../component/metrics.js';

export const FILE_EXPORTER_METRIC = {
  written: 'otel_profile_bridge_file_exporter_profiles_written_total',
  bytes: 'otel_profile_bridge_file_exporter_bytes_written_total',
  writeErrors: 'otel_profile_bridge_file_exporter_write_errors_total',
  rejected: 'otel_profile_bridge_file_exporter_rejected_profiles_total',
} as const;

export interface FileExporterMetrics {
  written(bytes: number): void;
  writeError(): void;
  rejected(n: number): void;
}

function counter(registry: Registry, name: string, help: string): Counter<'exporter'> {
  return sharedCounter(registry, name, help, ['exporter']);
}

export function fileExporterMetrics(registry: Registry, exporter: string): FileExporterMetrics {
  const written = counter(registry, FILE_EXPORTER_METRIC.written, 'pprof files written by the file exporter');
  const bytes = counter(registry, FILE_EXPORTER_METRIC.bytes, 'Bytes written by the file exporter (pprof and sidecar)');
  const writeErrors = counter(registry, FILE_EXPORTER_METRIC.writeErrors, 'Writes that failed (the request is refused as retryable)');
  const rejected = counter(registry, FILE_EXPORTER_METRIC.rejected, 'Profiles that could not be converted to pprof');
  // Zero-initialise so the series exist before the first event.
  for (const c of [written, bytes, writeErrors, rejected]) c.inc({ exporter }, 0);
  return {
    written: (n) => {
      written.inc({ exporter });
      bytes.inc({ exporter }, n);
    },
    writeError: () => writeErrors.inc({ exporter }),
    rejected: (n) => rejected.inc({ exporter }, n),
  };
}
