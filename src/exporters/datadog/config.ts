// Config of the `datadog` exporter. Two routes:
//
//   exporters:
//     datadog:                              # through a Datadog agent (default)
//       endpoint: http://127.0.0.1:8126     # the agent's trace port; uploads go to /profiling/v1/input
//       tags: { team: payments }            # added to every upload's tags_profiler
//
//     datadog/direct:                       # agentless: straight to the intake
//       site: datadoghq.eu                  # -> https://intake.profile.<site>/api/v2/profile
//       api_key: ${env:DD_API_KEY}          # defaults to the DD_API_KEY variable of the loader's env
//
//   plus timeout / sending_queue / retry (src/exporters/shared/config.ts).
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { queuedExporterFields } from '../shared/config.js';

export const DEFAULT_AGENT_ENDPOINT = 'http://127.0.0.1:8126';

export const datadogConfigSchema = z
  .strictObject({
    endpoint: z
      .url({ protocol: /^https?$/, message: 'endpoint must be an http:// or https:// URL, e.g. http://127.0.0.1:8126' })
      .optional()
      .describe(
        "Agent route (the default, at `http://127.0.0.1:8126`): the agent's base URL; uploads go to `/profiling/v1/input`. Not together with `site`.",
      ),
    site: z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'site is a Datadog site name such as datadoghq.com or datadoghq.eu')
      .optional()
      .describe(
        'Agentless route: the Datadog site (`datadoghq.com`, `datadoghq.eu`, ...); uploads go to `https://intake.profile.<site>/api/v2/profile`.',
      ),
    api_key: z
      .string()
      .optional()
      .describe('API key sent as `DD-API-KEY`; needed for agentless upload, where it defaults to the `DD_API_KEY` environment variable.'),
    tags: z
      .record(z.string(), z.string())
      .default({})
      .describe("Extra tags added to every upload's `tags_profiler` (service, env, version and host come from the resource)."),
    ...queuedExporterFields,
  })
  .transform((c, ctx) => {
    if (c.site !== undefined && c.endpoint !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['site'], message: 'set either endpoint (agent) or site (agentless), not both' });
      return z.NEVER;
    }
    if (c.site === undefined) {
      return {
        ...c,
        mode: 'agent' as const,
        url: `${(c.endpoint ?? DEFAULT_AGENT_ENDPOINT).replace(/\/+$/, '')}/profiling/v1/input`,
        api_key: c.api_key,
      };
    }
    // The DD_API_KEY default is the loader's env, which a schema cannot see: withApiKey.
    return { ...c, mode: 'agentless' as const, url: `https://intake.profile.${c.site}/api/v2/profile`, api_key: c.api_key };
  });

export type DatadogConfig = z.output<typeof datadogConfigSchema>;

/**
 * The config with the agentless route's API key filled in from `env` (the environment the
 * config was loaded with) when `api_key` is left out. Throws a ConfigError naming
 * `<where>.api_key` when agentless upload has no key from either.
 */
export function withApiKey(config: DatadogConfig, env: Readonly<Record<string, string | undefined>>, where: string): DatadogConfig {
  if (config.mode !== 'agentless') return config;
  const apiKey = config.api_key ?? env.DD_API_KEY;
  if (apiKey === undefined || apiKey === '') {
    throw new ConfigError(
      `invalid config:\n  ${where}.api_key: agentless upload (site) needs an API key: set api_key or the DD_API_KEY environment variable`,
    );
  }
  return { ...config, api_key: apiKey };
}
