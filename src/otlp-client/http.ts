// One HTTP POST attempt (node:http/https) and what its outcome means for retrying.
//
// A response of any status resolves as an HttpResponse; a transport failure (connection
// refused or reset, timeout, abort) resolves as a retryable ExportResult — nothing rejects.
// node:http rather than fetch because a background send must not keep the process alive:
// its socket and timer are unref'd (the SDK plugin's sends), a foreground one is not.
// 307/308 redirects are followed (method and body kept), at most MAX_REDIRECTS times.
import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter, otlpRetryableStatus, type HttpRetryRule } from './retry.js';
import { permanent, retryable, success, type ExportResult } from '../component/result.js';
import { clipText } from './text.js';

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** For the whole attempt: connecting, sending and reading the answer. */
  timeoutMs: number;
  /** Aborts the attempt (shutdown). */
  signal?: AbortSignal;
  /** Do not keep the process alive for this request (socket and timer unref'd). */
  background?: boolean;
  /** Connection pool to use (default: Node's global agents, which keep connections alive). */
  agent?: http.Agent;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Up to MAX_RESPONSE_BYTES of the body. */
  body: Uint8Array;
}

/** Response bytes kept for decoding / logging; the rest is discarded. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export const MAX_REDIRECTS = 5;

const ABORTED = (): ExportResult => retryable('aborted', 'attempt aborted (shutting down)');

/** Sends the request; a response of any status resolves, a transport failure gives a retryable result. */
export async function httpPost(req: HttpPost): Promise<HttpResponse | ExportResult> {
  const deadline = Date.now() + req.timeoutMs;
  let url = new URL(req.url);
  for (let hop = 0; ; hop++) {
    const res = await postOnce(url, req, deadline);
    if (!isHttpResponse(res) || (res.status !== 307 && res.status !== 308) || hop >= MAX_REDIRECTS) return res;
    const location = res.headers.get('location');
    if (!location) return res;
    url = new URL(location, url);
  }
}

function postOnce(url: URL, req: HttpPost, deadline: number): Promise<HttpResponse | ExportResult> {
  if (req.signal?.aborted) return Promise.resolve(ABORTED());
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    const done = (r: HttpResponse | ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const tls = url.protocol === 'https:';
    const headers: Record<string, string | number> = { ...req.headers, 'content-length': req.body.byteLength };
    const request = (tls ? https.request : http.request)(url, { method: 'POST', headers, ...(req.agent ? { agent: req.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const finish = (): void => done({ status: res.statusCode ?? 0, headers: headersOf(res.headers), body: Buffer.concat(chunks, total) });
      res.on('data', (c: Buffer) => {
        const room = MAX_RESPONSE_BYTES - total;
        if (c.byteLength < room) {
          chunks.push(c);
          total += c.byteLength;
          return;
        }
        // Enough to decode or log: the rest is not worth waiting for.
        chunks.push(c.subarray(0, room));
        total += room;
        finish();
        res.destroy();
      });
      res.on('end', finish);
      res.on('error', (e) => done(transportFailure(e, timedOut, req.signal?.aborted ?? false)));
    });
    const timer = setTimeout(
      () => {
        timedOut = true;
        request.destroy(new Error(`no complete response within ${req.timeoutMs} ms`));
      },
      Math.max(0, deadline - Date.now()),
    );
    if (req.background) timer.unref();
    const onAbort = (): void => {
      request.destroy(new Error('aborted'));
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket) => {
      if (req.background) socket.unref();
      else socket.ref();
    });
    request.on('error', (e) => done(transportFailure(e, timedOut, req.signal?.aborted ?? false)));
    request.end(req.body);
  });
}

function headersOf(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) h.append(name, v);
  }
  return h;
}

export function isHttpResponse(x: HttpResponse | ExportResult): x is HttpResponse {
  return (x as HttpResponse).status !== undefined;
}

function transportFailure(e: unknown, timedOut: boolean, aborted: boolean): ExportResult {
  if (aborted) return ABORTED();
  if (timedOut) return retryable('timeout', 'no complete response before the timeout');
  const code = (e as { code?: string }).code;
  const detail = e instanceof Error ? e.message : String(e);
  return retryable('connection', code && !detail.includes(code) ? `${code}: ${detail}` : detail);
}

/**
 * The result of a response by status. `describe` turns an error body into text for the
 * log (default: the body as UTF-8, trimmed and shortened); `isRetryable` is the status rule
 * (default: the OTLP one).
 */
export function resultOfResponse(
  res: HttpResponse,
  describe: (res: HttpResponse) => string = bodyText,
  isRetryable: HttpRetryRule = otlpRetryableStatus,
): ExportResult {
  if (res.status >= 200 && res.status < 300) return success();
  const text = describe(res);
  const message = `HTTP ${res.status}${text === '' ? '' : `: ${text}`}`;
  if (isRetryable(res.status)) return retryable(`http_${res.status}`, message, parseRetryAfter(res.headers.get('retry-after')));
  return permanent(`http_${res.status}`, message);
}

export function bodyText(res: HttpResponse): string {
  return clipText(Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength).toString('utf8'));
}

/** The response as a result when it is not a 2xx, or undefined when it is. */
export function failureOf(
  res: HttpResponse | ExportResult,
  describe?: (res: HttpResponse) => string,
  isRetryable?: HttpRetryRule,
): ExportResult | undefined {
  if (!isHttpResponse(res)) return res;
  const r = resultOfResponse(res, describe, isRetryable);
  return r.kind === 'success' ? undefined : r;
}
