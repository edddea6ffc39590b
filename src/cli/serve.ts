// `serve`: runs the bridge until SIGINT/SIGTERM, then stops accepting, flushes and exits 0.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfigFile } from '../config/load.js';
import { Bridge } from '../service/bridge.js';
import { isBridgeError, errorMessage } from '../errors.js';
import type { Command } from './commands.js';

export const serveCommand: Command = {
  summary: 'run the bridge (the default command)',
  usage: 'otel-profile-bridge serve [--config <file.yaml>]',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, strict: true });
    let bridge: Bridge;
    try {
      const { config, source } = loadConfigFile(values.config);
      const logger = pino({ level: process.env.OTEL_LOG_LEVEL?.toLowerCase() ?? config.service.telemetry.logs.level });
      logger.info({ config: source }, 'loading configuration');
      bridge = Bridge.create(config, { logger });
      await bridge.start();
    } catch (e) {
      process.stderr.write(`otel-profile-bridge: ${isBridgeError(e) ? e.message : errorMessage(e)}\n`);
      return 1;
    }
    return new Promise<number>((resolve) => {
      let signals = 0;
      const stop = (sig: string) => {
        signals++;
        if (signals > 1) {
          bridge.logger.warn({ signal: sig }, 'second signal: exiting without waiting for the flush');
          resolve(1);
          return;
        }
        bridge.logger.info({ signal: sig }, 'shutting down: no new data accepted, flushing');
        bridge.shutdown().then(
          () => resolve(0),
          (e) => {
            bridge.logger.error({ err: errorMessage(e) }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
  },
};
