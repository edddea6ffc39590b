// The API's listener: plain HTTP, or HTTPS whose certificate and key are re-read when either
// file changes (a renewed certificate is served without a restart; connections already open
// keep theirs). A file caught half-written is retried on its next change; the old pair stays.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { ConfigError, errorMessage } from '../errors.js';

export interface ApiTlsConfig {
  cert_file: string;
  key_file: string;
}

/** How often the certificate files are stat'ed for a change. */
const WATCH_INTERVAL_MS = 1000;

export interface ApiListener {
  server: Server;
  /** Stops watching the certificate files. */
  close(): void;
}

function readPair(tls: ApiTlsConfig): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) };
}

export function createListener(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls: ApiTlsConfig | undefined,
  logger: Logger,
): ApiListener {
  if (!tls) return { server: createHttpServer(handler), close: () => undefined };
  let pair: { cert: Buffer; key: Buffer };
  try {
    pair = readPair(tls);
  } catch (e) {
    throw new ConfigError(`extensions.api.tls: cannot read the certificate or key: ${errorMessage(e)}`);
  }
  const server: HttpsServer = createHttpsServer({ ...pair, minVersion: 'TLSv1.2' }, handler);
  const reload = () => {
    try {
      const next = readPair(tls);
      server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
      logger.info({ cert_file: tls.cert_file }, 'API TLS certificate reloaded');
    } catch (e) {
      logger.warn({ err: errorMessage(e), cert_file: tls.cert_file }, 'API TLS certificate not reloaded; still serving the previous one');
    }
  };
  const files = [tls.cert_file, tls.key_file];
  for (const f of files)
    watchFile(f, { interval: WATCH_INTERVAL_MS, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) reload();
    });
  return {
    server: server as unknown as Server,
    close: () => {
      for (const f of files) unwatchFile(f);
    },
  };
}
