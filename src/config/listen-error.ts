// A server that cannot bind its configured endpoint is a config problem the user fixes by
// stopping the other process or choosing another port, so the message names the endpoint and
// the key rather than quoting the socket error (grpc-js words it "No address added out of
// total 1 resolved errors: [listen EADDRINUSE ...]").
import { ConfigError, errorMessage } from '../errors.js';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is in use by another process; stop that process or choose another port',
  EACCES: 'needs privileges this process does not have (ports below 1024); choose a port from 1024 up',
  EADDRNOTAVAIL: 'names an address this machine does not have; use 127.0.0.1, 0.0.0.0 or one of its own addresses',
};

/** The socket error code behind a failed bind (Node's `code`, or inside grpc-js's message). */
export function listenErrorCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in REASONS) return code;
  const m = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(errorMessage(e));
  return m?.[1];
}

/** A ConfigError `<key>: <endpoint> is in use by another process; ...` for a failed bind; other errors as they are. */
export function listenError(e: unknown, endpoint: string, key: string): unknown {
  const code = listenErrorCode(e);
  return code ? new ConfigError(`${key}: ${endpoint} ${REASONS[code]}`) : e;
}
