// Wraps a request handler so that nothing it throws, synchronously or as a rejected promise,
// leaves the request unanswered or reaches the process: a BadRequestError becomes 400, any
// other error 500 (or, when the response has already started, the connection is cut so the
// client sees a broken response rather than a truncated "success").
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BadRequestError, errorMessage } from '../errors.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface GuardOptions {
  logger: Logger;
  /** Server name for the log line, e.g. "API" or "OTLP/HTTP". */
  name: string;
  /** Writes the error response in the server's own format; plain text when left out. */
  answer?: (req: IncomingMessage, res: ServerResponse, status: number, message: string) => void;
}

export function guardHandler(handler: RequestHandler, o: GuardOptions): RequestHandler {
  const fail = (req: IncomingMessage, res: ServerResponse, e: unknown) => {
    const bad = e instanceof BadRequestError;
    if (bad) o.logger.debug({ err: errorMessage(e) }, `${o.name} request refused`);
    else o.logger.error({ err: errorMessage(e) }, `${o.name} request failed`);
    try {
      if (res.headersSent || res.writableEnded) {
        res.destroy();
        return;
      }
      const status = bad ? 400 : 500;
      const message = bad ? (e as Error).message : `internal error: ${errorMessage(e)}`;
      // The body may not have been read: close rather than parse what follows it.
      res.setHeader('Connection', 'close');
      if (o.answer) o.answer(req, res, status, message);
      else {
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${message}\n`);
      }
      if (!req.complete) req.resume();
    } catch (again) {
      o.logger.error({ err: errorMessage(again) }, `${o.name} could not answer a failed request`);
      res.destroy();
    }
  };
  return (req, res) => {
    // A client that resets mid-request makes `req` emit 'error'; without a listener that is an
    // uncaught exception. The handler's own listeners (body readers) still see it.
    req.on('error', () => {});
    try {
      const p = handler(req, res);
      if (p) p.catch((e: unknown) => fail(req, res, e));
    } catch (e) {
      fail(req, res, e);
    }
  };
}
