// One HTTP POST attempt (Node's built-in fetch) and what its outcome means for retrying.
//
// Retryable: connection errors, timeouts, 408, 429 and 5xx except 501/505 (OTLP names 429,
// 502, 503, 504; profile intakes answer 500 while their storage is down, so we wait for
// those too). Everything else from 4xx is the data's fault (400, 401, 403, 404, 413, ...)
// and permanent. `Retry-After` (seconds or HTTP-date) is honoured on any retryable status.
import { clipText } from './text.js';
import { parseRetryAfter } from './backoff.js';
import { permanent, retryable, success, type ExportResult } from './result.js';

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  timeoutMs: number;
  /** Aborts the attempt (shutdown). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Up to MAX_RESPONSE_BYTES of the body. */
  body: Uint8Array;
}

/** Response bytes kept for decoding / logging; the rest is discarded. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** Sends the request; a response of any status resolves, a transport failure gives a retryable result. */
export async function httpPost(req: HttpPost): Promise<HttpResponse | ExportResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal, redirect: 'follow' });
    const body = await readCapped(res, MAX_RESPONSE_BYTES);
    return { status: res.status, headers: res.headers, body };
  } catch (e) {
    return transportFailure(e, timeout.aborted, req.signal?.aborted ?? false);
  }
}

export function isHttpResponse(x: HttpResponse | ExportResult): x is HttpResponse {
  return (x as HttpResponse).status !== undefined;
}

async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = max - total;
      if (value.byteLength >= room) {
        chunks.push(value.subarray(0, room));
        total += room;
        await reader.cancel();
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

function transportFailure(e: unknown, timedOut: boolean, aborted: boolean): ExportResult {
  if (aborted) return retryable('aborted', 'attempt aborted (shutting down)');
  if (timedOut) return retryable('timeout', 'no complete response before the timeout');
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (e as { code?: string }).code;
  const detail = cause?.message ?? (e instanceof Error ? e.message : String(e));
  return retryable('connection', code ? `${code}: ${detail}` : detail);
}

export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return status >= 500 && status !== 501 && status !== 505;
}

/**
 * The result of a response by status. `describe` turns an error body into text for the
 * log (default: the body as UTF-8, trimmed and shortened).
 */
export function resultOfResponse(res: HttpResponse, describe: (res: HttpResponse) => string = bodyText): ExportResult {
  if (res.status >= 200 && res.status < 300) return success();
  const message = `HTTP ${res.status}${describeOrEmpty(describe, res)}`;
  if (isRetryableStatus(res.status)) return retryable(`http_${res.status}`, message, parseRetryAfter(res.headers.get('retry-after')));
  return permanent(`http_${res.status}`, message);
}

function describeOrEmpty(describe: (res: HttpResponse) => string, res: HttpResponse): string {
  const text = describe(res);
  return text === '' ? '' : `: ${text}`;
}

export function bodyText(res: HttpResponse): string {
  return clipText(Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength).toString('utf8'));
}

/** The response as a result when it is not a 2xx, or undefined when it is. */
export function failureOf(res: HttpResponse | ExportResult, describe?: (res: HttpResponse) => string): ExportResult | undefined {
  if (!isHttpResponse(res)) return res;
  const r = resultOfResponse(res, describe);
  return r.kind === 'success' ? undefined : r;
}
