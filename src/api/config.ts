// Config of the `api` extension:
//   api: { endpoint: 127.0.0.1:4380, store: store }
import { z } from 'zod';
import { hostPort } from '../config/units.js';
import { DEFAULT_API_PORT } from '../config/default-config.js';

export const apiConfigSchema = z.strictObject({
  /** host:port the API, UI and /metrics listen on. */
  endpoint: hostPort().default(`127.0.0.1:${DEFAULT_API_PORT}`),
  /** Id of the `store` exporter to serve. */
  store: z.string().min(1).default('store'),
  /** Directory of the built web UI; default: the `ui` folder next to the compiled code. */
  ui_directory: z.string().min(1).optional(),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;
