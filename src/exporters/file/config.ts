// exporters:
//   file:
//     directory: ./profiles     # required; created if missing
//     fsync: true               # flush every file to disk before accepting (durability)
//     sidecar: true             # write <name>.json beside each <name>.pb.gz
import { z } from 'zod';

export const fileExporterConfigSchema = z.strictObject({
  directory: z.string({ error: 'directory is required: where to write the pprof files' }).min(1, 'directory must not be empty'),
  fsync: z.boolean().default(true),
  sidecar: z.boolean().default(true),
});

export type FileExporterConfig = z.output<typeof fileExporterConfigSchema>;
