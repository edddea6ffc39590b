// exporters:
//   file:
//     directory: ./profiles     # required; created if missing
//     fsync: true               # flush every file to disk before accepting (durability)
//     sidecar: true             # write <name>.json beside each <name>.pb.gz
//     format: pprof             # or otlp: each request as received, for `convert` to replay
import { z } from 'zod';

export const fileExporterConfigSchema = z.strictObject({
  directory: z
    .string({ error: 'directory is required: where to write the pprof files' })
    .min(1, 'directory must not be empty')
    .describe('Where the files go, as `<service>/<profile type>/<time>-<id>.pb.gz` (created when missing).'),
  fsync: z.boolean().default(true).describe('Flush every file to disk before the data counts as accepted (durability over speed).'),
  sidecar: z.boolean().default(true).describe('Write a `<name>.json` beside each `<name>.pb.gz` with the resource, labels and time window.'),
  format: z
    .enum(['pprof', 'otlp'])
    .default('pprof')
    .describe(
      '`pprof`: the layout above. `otlp`: each profiles request as the exporter receives it, re-encoded as one OTLP protobuf `ExportProfilesServiceRequest`, `<directory>/<time>_<hash>.binpb`, which `otel-profile-bridge convert` reads (no sidecars).',
    ),
});

export type FileExporterConfig = z.output<typeof fileExporterConfigSchema>;
