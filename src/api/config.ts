// Config of the `api` extension:
//   api: { endpoint: 127.0.0.1:4380, store: store, auth: {...}, tls: {...}, limits: {...} }
import { z } from 'zod';
import { byteSize, duration, hostPort } from '../config/units.js';
import { DEFAULT_API_PORT } from '../config/default-config.js';
import { apiAuthConfigSchema } from './auth/config.js';

export const apiConfigSchema = z.strictObject({
  endpoint: hostPort()
    .default(`127.0.0.1:${DEFAULT_API_PORT}`)
    .describe('host:port the API, UI and /metrics listen on. Beyond 127.0.0.1 it needs `auth` (or `allow_unauthenticated_remote`).'),
  store: z.string().min(1).default('store').describe('Id of the `store` exporter to serve.'),
  ui_directory: z.string().min(1).optional().describe('Directory of the built web UI; default: the `ui` folder next to the compiled code.'),
  ui_source_maps: z.boolean().default(false).describe("Serve the UI's source maps (`*.map`); off, they answer 404."),
  auth: apiAuthConfigSchema
    .optional()
    .describe("Require credentials on the JSON API, pprof downloads, the UI's data and /metrics (`/health` stays open)."),
  tls: z
    .strictObject({
      cert_file: z.string().min(1).describe('PEM certificate (chain) the server presents.'),
      key_file: z.string().min(1).describe('PEM private key of that certificate.'),
    })
    .optional()
    .describe('Serve HTTPS; the certificate and key are re-read when either file changes.'),
  allow_unauthenticated_remote: z
    .boolean()
    .default(false)
    .describe('Listen beyond loopback without `auth` anyway: anyone who reaches the port reads every profile. Logged as a warning on every start.'),
  limits: z
    .strictObject({
      max_concurrent_queries: z.number().int().min(1).max(256).default(4).describe('Store queries run at once; more wait.'),
      max_queued_queries: z.number().int().min(0).max(10_000).default(32).describe('Queries waiting for a slot; beyond, 429 with Retry-After.'),
      query_timeout: duration().default(30_000).describe('Time budget of a query, waiting included; past it, 503 with Retry-After.'),
      max_url_size: byteSize()
        .default(8 * 1024)
        .describe('Longest request URL (path and query); longer ones get 414 (Node refuses request heads over 16 KiB with 431 before that).'),
    })
    .default({ max_concurrent_queries: 4, max_queued_queries: 32, query_timeout: 30_000, max_url_size: 8 * 1024 })
    .describe('Bounds that keep a flood of requests from piling up.'),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;
