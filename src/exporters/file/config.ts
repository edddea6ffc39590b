// exporters:
//   file:
//     directory: ./profiles     # required; created if missing
//     fsync: true               # flush every file to disk before accepting (durability)
//     sidecar: true             # write <name>.json beside each <name>.pb.gz
//     format: pprof             # or otlp: each request as received, for `convert` to replay
import { z } from 'zod';

export const fileExporterConfigSchema = z.strictObject({
  directory: z.string({ error: 'directory is required: where to write the pprof files' }).min(1, 'directory must not be empty'),
  fsync: z.boolean().default(true),
  sidecar: z.boolean().default(true),
  format: z
    .enum(['pprof', 'otlp'])
    .default('pprof')
    .describe(
      '`pprof`: the layout above. `otlp`: each profiles request as the exporter receives it, re-encoded as one OTLP protobuf `ExportProfilesServiceRequest`, `<directory>/<time>_<hash>.binpb`, which `otel-profile-bridge convert` reads (no sidecars).',
    ),
});

export type FileExporterConfig = z.output<typeof fileExporterConfigSchema>;
