// The `api` extension: serves the store named in its config (a `store` exporter).
import { fileURLToPath } from 'node:url';
import { listenError } from '../config/listen-error.js';
import { ConfigError } from '../errors.js';
import type { Extension, ExtensionFactory } from '../component/factory.js';
import { checkExposure } from '../security/exposure.js';
import { splitHostPort } from '../config/units.js';
import { isStoreExporter } from '../store/exporter.js';
import { Authenticator } from './auth/index.js';
import { apiConfigSchema, type ApiConfig } from './config.js';
import { ApiServer } from './server.js';

/** The built UI: dist/ui, next to dist/src where this module is compiled to. */
export const DEFAULT_UI_DIRECTORY = fileURLToPath(new URL('../../ui/', import.meta.url));

class ApiExtension implements Extension {
  constructor(
    private readonly server: ApiServer,
    private readonly endpoint: string,
    private readonly key: string,
    private readonly onStart: () => void,
  ) {}

  async start(): Promise<void> {
    this.onStart();
    await this.server.start().catch((e: unknown) => Promise.reject(listenError(e, this.endpoint, this.key)));
  }

  endpoints(): Record<string, string> {
    return { http: this.server.address };
  }

  shutdown(): Promise<void> {
    return this.server.stop();
  }
}

export const apiExtensionFactory: ExtensionFactory<ApiConfig> = {
  type: 'api',
  configSchema: apiConfigSchema,
  create(config, ctx) {
    const exporter = ctx.lookup('exporter', config.store);
    if (!isStoreExporter(exporter)) {
      throw new ConfigError(`extensions.${ctx.id}.store: "${config.store}" is not a store exporter`);
    }
    const where = `extensions.${ctx.id}`;
    const warning = checkExposure({
      where,
      host: splitHostPort(config.endpoint).host,
      authenticated: config.auth !== undefined,
      optOut: config.allow_unauthenticated_remote,
      howToAuth: `${where}.auth.bearer_token: \${env:BRIDGE_API_TOKEN} (or auth.basic users)`,
      optOutKey: `${where}.allow_unauthenticated_remote`,
    });
    const server = new ApiServer({
      endpoint: config.endpoint,
      store: exporter.store,
      metrics: ctx.metrics,
      logger: ctx.logger,
      uiDirectory: config.ui_directory ?? DEFAULT_UI_DIRECTORY,
      uiSourceMaps: config.ui_source_maps,
      auth: config.auth ? new Authenticator(config.auth, `${where}.auth`) : undefined,
      tls: config.tls,
      limits: {
        maxConcurrent: config.limits.max_concurrent_queries,
        maxQueued: config.limits.max_queued_queries,
        timeoutMs: config.limits.query_timeout,
        maxUrlBytes: config.limits.max_url_size,
      },
    });
    return new ApiExtension(server, config.endpoint, `${where}.endpoint`, () => {
      if (warning) ctx.logger.warn(warning);
    });
  },
};
