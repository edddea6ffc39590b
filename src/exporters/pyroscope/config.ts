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
  z.strictObject({
    basic: z
      .strictObject({
        username: nonEmpty('username').describe('Basic auth user.'),
        password: z.string().describe('Basic auth password; write `${env:NAME}` to read it from the environment.'),
      })
      .describe("HTTP basic auth (Grafana Cloud: the stack's user id and an access token)."),
  }),
  z.strictObject({ bearer_token: nonEmpty('bearer_token').describe('Sent as `Authorization: Bearer <token>`.') }),
]);

export const pyroscopeConfigSchema = z.strictObject({
  endpoint: z
    .url({ protocol: /^https?$/, message: 'endpoint must be an http:// or https:// URL, e.g. http://127.0.0.1:4040' })
    .describe('Base URL of Pyroscope (or Grafana Cloud Profiles), e.g. `http://pyroscope:4040`.'),
  protocol: z
    .enum(['ingest', 'push'])
    .default('ingest')
    .describe('`ingest`: `POST /ingest` with the pprof; `push`: the `push.v1.PusherService/Push` API.'),
  auth: auth.optional().describe('Either `basic` or `bearer_token`.'),
  tenant: z.string().min(1).optional().describe('Sent as `X-Scope-OrgID`, for multi-tenant Pyroscope.'),
  labels: z.record(z.string(), z.string()).default({}).describe('Static labels added to every series (they win over derived ones).'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers.'),
  ...queuedExporterFields,
});

export type PyroscopeConfig = z.output<typeof pyroscopeConfigSchema>;
