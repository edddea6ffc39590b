// Safe by default: a server that listens beyond the loopback interface must authenticate its
// clients, unless the config opts out by name (logged as a warning on every start).
import { isIP } from 'node:net';
import { BridgeError } from '../errors.js';

/** Hosts that only this machine can reach. `localhost` counts; any other name does not. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return false;
}

/** A non-loopback listener without authentication; the CLI exits with code 2 on it. */
export class ExposureError extends BridgeError {
  constructor(message: string) {
    super('ERR_INSECURE_BIND', message);
  }
}

export interface ExposureCheck {
  /** Config path of the listener, e.g. `extensions.api`. */
  where: string;
  host: string;
  authenticated: boolean;
  /** The named opt-out is set. */
  optOut: boolean;
  /** What to add to the config to turn authentication on. */
  howToAuth: string;
  /** The opt-out setting's full path. */
  optOutKey: string;
}

/**
 * Throws ExposureError for an unauthenticated non-loopback listener; returns a warning to log
 * when the opt-out allowed one, undefined when nothing is exposed without authentication.
 */
export function checkExposure(c: ExposureCheck): string | undefined {
  if (c.authenticated || isLoopbackHost(c.host)) return undefined;
  if (c.optOut) {
    return `${c.where} listens on ${c.host} without authentication because ${c.optOutKey} is true: anyone who can reach the port can use it`;
  }
  throw new ExposureError(
    `${c.where}: refusing to listen on ${c.host} (reachable from other hosts) without authentication. ` +
      `Turn it on with ${c.howToAuth}, bind 127.0.0.1, or accept the risk explicitly with ${c.optOutKey}: true`,
  );
}
