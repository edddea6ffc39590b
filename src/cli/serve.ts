// `serve`: runs the bridge until SIGINT/SIGTERM, then stops accepting, flushes and exits 0.
import { fstatSync } from 'node:fs';
import { format, parseArgs } from 'node:util';
import { setLogger } from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { loadConfigFile, validate } from '../config/load.js';
import { typeOf, type BridgeConfig } from '../config/schema.js';
import { Bridge } from '../service/bridge.js';
import { defaultFactories } from '../components.js';
import { isBridgeError, errorMessage } from '../errors.js';
import { dataLocations, startupBanner } from './banner.js';
import { packageVersion } from '../version.js';
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

/** True when fd 1 is a regular file (`serve > bridge.log`): the banner would only add noise. */
function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

/** grpc-js writes its own errors to stderr ("No address added ..."); they belong in the JSON logs. */
function routeGrpcLogs(logger: Logger): void {
  const log = logger.child({ component: 'grpc-js' });
  setLogger({
    error: (...a: unknown[]) => log.warn(format(...a)),
    info: (...a: unknown[]) => log.info(format(...a)),
    debug: (...a: unknown[]) => log.debug(format(...a)),
  } as unknown as Partial<Console>);
}

/** The directories the pipelines' exporters write, with their defaults filled in. */
function usedExporters(config: BridgeConfig): { id: string; config: unknown }[] {
  const factories = defaultFactories().exporters;
  const ids = [...new Set(Object.values(config.service.pipelines).flatMap((p) => p.exporters))];
  return ids.flatMap((id) => {
    const f = factories[typeOf(id)];
    return f ? [{ id, config: validate(f.configSchema, config.exporters[id] ?? {}, `exporters.${id}`) as unknown }] : [];
  });
}

/** Runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, quiet: { type: 'boolean', short: 'q', default: false } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`otel-profile-bridge serve: ${errorMessage(e)}\nsee: otel-profile-bridge serve --help\n`);
    return 2;
  }
  let bridge: Bridge;
  try {
    const { config, source } = loadConfigFile(values.config, process.env);
    const logger = pino({ level: logLevelOf(process.env.OTEL_LOG_LEVEL) ?? config.service.telemetry.logs.level });
    routeGrpcLogs(logger);
    logger.info({ config: source }, 'loading configuration');
    bridge = Bridge.create(config, { logger, env: process.env });
    // From here on, an error that escapes every handler is logged and counted, not fatal.
    installProcessGuard(logger, bridge.metrics);
    await bridge.start();
    if (!values.quiet && !stdoutIsFile()) {
      process.stderr.write(
        startupBanner({
          version: packageVersion(),
          source,
          endpoints: bridge.endpoints(),
          data: dataLocations(usedExporters(config)),
          pid: process.pid,
        }),
      );
    }
  } catch (e) {
    process.stderr.write(`otel-profile-bridge: ${isBridgeError(e) ? e.message : errorMessage(e)}\n`);
    // 2: the config would expose a listener without authentication (see SECURITY.md).
    return isBridgeError(e) && e.code === 'ERR_INSECURE_BIND' ? 2 : 1;
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
        () => {
          // Whatever a component left behind at the shutdown deadline (a stuck connection)
          // must not keep the process alive past it; the timer itself does not.
          setTimeout(() => process.exit(0), 1000).unref();
          resolve(0);
        },
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
