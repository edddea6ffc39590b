// Config of the `pyroscope` exporter:
//
//   exporters:
//     pyroscope:
//       endpoint: http://pyroscope:4040      # base URL of Pyroscope (or Grafana Cloud Profiles)
//       protocol: ingest                     # ingest (POST /ingest, default) | push (Connect Push API)
//       auth: { basic: { username: "123", password: "${env:PYROSCOPE_TOKEN}" } }   # or { bearer_token: ... }
//       tenant: team-a                       # X-Scope-OrgID, for multi-tenant Pyroscope
//       labels: { cluster: eu-1 }            # static labels on every series
//       headers: {}                          # extra request headers
//       timeout / sending_queue / retry      # see src/exporters/shared/config.ts
import { z } from 'zod';
import { queuedExporterFields } from '../shared/config.js';

const nonEmpty = (what: string) => z.string().min(1, `${what} must not be empty (use \${env:NAME} to read it from the environment)`);

const auth = z.union([
  z.strictObject({ basic: z.strictObject({ username: nonEmpty('username'), password: z.string() }) }),
  z.strictObject({ bearer_token: nonEmpty('bearer_token') }),
]);

export const pyroscopeConfigSchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, message: 'endpoint must be an http:// or https:// URL, e.g. http://127.0.0.1:4040' }),
  protocol: z.enum(['ingest', 'push']).default('ingest'),
  auth: auth.optional(),
  tenant: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  ...queuedExporterFields,
});

export type PyroscopeConfig = z.output<typeof pyroscopeConfigSchema>;
