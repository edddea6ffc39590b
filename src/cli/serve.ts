// `serve`: runs the bridge until SIGINT/SIGTERM, then stops accepting, flushes and exits 0.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfigFile } from '../config/load.js';
import { Bridge } from '../service/bridge.js';
import { isBridgeError, errorMessage } from '../errors.js';
import { installProcessGuard } from '../service/process-guard.js';

/** OTEL_LOG_LEVEL (the SDKs' names) as a pino level; undefined when unset or unknown. */
export function logLevelOf(otel: string | undefined): string | undefined {
  const map: Record<string, string> = {
    none: 'silent',
    error: 'error',
    warn: 'warn',
    info: 'info',
    debug: 'debug',
    verbose: 'trace',
    all: 'trace',
  };
  return otel ? map[otel.trim().toLowerCase()] : undefined;
}

/** Runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, strict: true });
  let bridge: Bridge;
  try {
    const { config, source } = loadConfigFile(values.config);
    const logger = pino({ level: logLevelOf(process.env.OTEL_LOG_LEVEL) ?? config.service.telemetry.logs.level });
    logger.info({ config: source }, 'loading configuration');
    bridge = Bridge.create(config, { logger });
    // From here on, an error that escapes every handler is logged and counted, not fatal.
    installProcessGuard(logger, bridge.metrics);
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
}
