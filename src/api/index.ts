// The API extension's public pieces.
export { apiExtensionFactory, DEFAULT_UI_DIRECTORY } from './factory.js';
export { apiConfigSchema, type ApiConfig } from './config.js';
export { ApiServer, type ApiServerOptions } from './server.js';
export { API_ROUTES, type Reply, type Route } from './routes.js';
