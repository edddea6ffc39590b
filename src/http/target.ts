// Reads an HTTP request's target and Host header without ever throwing anything but a
// BadRequestError, which the servers answer with 400. Node's parser hands over the request
// line almost as sent, so `new URL(req.url)` alone throws on targets like `http://[/` or
// `http://a:99999/health`; a throw there, outside a handler's try, would end the process.
import type { IncomingMessage } from 'node:http';
import { BadRequestError } from '../errors.js';

export interface RequestTarget {
  /** The path, still percent-encoded as sent (route patterns decode their own captures). */
  pathname: string;
  searchParams: URLSearchParams;
}

// RFC 3986 host: an IP-literal in brackets or a reg-name (unreserved, pct-encoded, sub-delims),
// then an optional port of digits.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::(\d{1,5}))?$/;
const MAX_TARGET_LENGTH = 16 * 1024;

/**
 * The origin-form (`/path?query`) or absolute-form (`http://host/path?query`, which HTTP/1.1
 * servers must accept) target of `req`, and a check of its Host header.
 */
export function requestTarget(req: IncomingMessage): RequestTarget {
  checkHost(req.headers.host);
  const raw = req.url ?? '/';
  if (raw.length > MAX_TARGET_LENGTH) throw new BadRequestError(`request target is longer than ${MAX_TARGET_LENGTH} characters`);
  let url: URL;
  if (raw.startsWith('/')) {
    // A fixed base: the path is taken as sent (`//x` stays a path, never an authority).
    url = parse(`http://localhost${raw}`, raw);
  } else if (/^https?:\/\//i.test(raw)) {
    url = parse(raw, raw);
  } else {
    throw new BadRequestError(`request target "${printable(raw)}" is not a path (/...) or an absolute http(s) URL`);
  }
  return { pathname: url.pathname, searchParams: url.searchParams };
}

function parse(text: string, raw: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new BadRequestError(`request target "${printable(raw)}" is not a valid URL`);
  }
}

function checkHost(host: string | undefined): void {
  if (host === undefined) return; // Node's parser already requires it on HTTP/1.1
  const m = HOST.exec(host);
  if (!m || (m[1] !== undefined && Number(m[1]) > 65535)) {
    throw new BadRequestError(`Host header "${printable(host)}" is not a valid host[:port]`);
  }
}

/** Echoes hostile input back only as short, printable ASCII. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
