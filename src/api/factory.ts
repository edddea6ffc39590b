// The `api` extension: serves the store named in its config (a `store` exporter).
import { fileURLToPath } from 'node:url';
import { listenError } from '../config/listen-error.js';
import { ConfigError } from '../errors.js';
import type { Extension, ExtensionFactory } from '../service/component.js';
import { isStoreExporter } from '../store/exporter.js';
import { apiConfigSchema, type ApiConfig } from './config.js';
import { ApiServer } from './server.js';

/** The built UI: dist/ui, next to dist/src where this module is compiled to. */
export const DEFAULT_UI_DIRECTORY = fileURLToPath(new URL('../../ui/', import.meta.url));

class ApiExtension implements Extension {
  constructor(
    private readonly server: ApiServer,
    private readonly endpoint: string,
    private readonly key: string,
  ) {}

  async start(): Promise<void> {
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
    return new ApiExtension(
      new ApiServer({
        endpoint: config.endpoint,
        store: exporter.store,
        metrics: ctx.metrics,
        logger: ctx.logger,
        uiDirectory: config.ui_directory ?? DEFAULT_UI_DIRECTORY,
      }),
      config.endpoint,
      `extensions.${ctx.id}.endpoint`,
    );
  },
};
