// Config of the `parca` exporter (Parca's ProfileStoreService/WriteRaw over gRPC):
//
//   exporters:
//     parca:
//       endpoint: parca:7070              # host:port or http(s)://host:port
//       insecure: true                    # plaintext gRPC (default false: TLS)
//       ca_file: ca.pem                   # optional, for TLS with a private CA
//       bearer_token: ${env:PARCA_TOKEN}  # sent as `authorization: Bearer ...`
//       labels: { cluster: eu-1 }         # static labels on every series
//       normalized: false                 # WriteRawRequest.normalized
//   plus timeout / sending_queue / retry (src/exporters/shared/config.ts).
import { z } from 'zod';
import { queuedExporterFields } from '../shared/config.js';

export const parcaConfigSchema = z.strictObject({
  endpoint: z
    .string()
    .refine((s) => /^[^\s/:]+:\d{1,5}$/.test(s) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(s) || /^https?:\/\/[^/]+\/?$/.test(s), {
      message: 'expected host:port or http(s)://host:port, e.g. 127.0.0.1:7070',
    })
    .describe("Parca's gRPC address (`ProfileStoreService/WriteRaw`): `host:port` or `http(s)://host:port`."),
  insecure: z.boolean().default(false).describe('Plaintext gRPC (default: TLS).'),
  ca_file: z.string().min(1).optional().describe('PEM CA bundle for TLS with a private CA.'),
  bearer_token: z
    .string()
    .min(1, 'bearer_token must not be empty (use ${env:NAME} to read it from the environment)')
    .optional()
    .describe('Sent as `authorization: Bearer <token>` (e.g. for Polar Signals Cloud).'),
  labels: z.record(z.string(), z.string()).default({}).describe('Static labels added to every series (they win over derived ones).'),
  normalized: z.boolean().default(false).describe('Value of `WriteRawRequest.normalized` (addresses already normalized).'),
  ...queuedExporterFields,
});

export type ParcaConfig = z.output<typeof parcaConfigSchema>;
