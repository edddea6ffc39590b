// multipart/form-data bodies (RFC 7578), built in memory: Datadog's intake takes an
// `event` part plus one part per profile. Pure apart from the random boundary.
import { randomBytes } from 'node:crypto';

export interface Part {
  /** Form field name. */
  name: string;
  filename?: string;
  contentType: string;
  data: Uint8Array;
}

const CRLF = '\r\n';

/** Quotes a name for a Content-Disposition parameter as browsers do: `"`, CR and LF percent-encoded. */
export function quoteParam(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

export function randomBoundary(): string {
  return `otel-profile-bridge-${randomBytes(16).toString('hex')}`;
}

/**
 * The encoded body and its Content-Type. The boundary is checked against every part's
 * bytes and replaced in the (astronomically unlikely) case one of them contains it.
 */
export function encodeMultipart(parts: Part[], boundary: string = randomBoundary()): { body: Buffer; contentType: string } {
  let b = boundary;
  while (parts.some((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).includes(`--${b}`))) b = randomBoundary();
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${b}${CRLF}Content-Disposition: form-data; name=${quoteParam(p.name)}`;
    if (p.filename !== undefined) head += `; filename=${quoteParam(p.filename)}`;
    head += `${CRLF}Content-Type: ${p.contentType}${CRLF}${CRLF}`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength), Buffer.from(CRLF, 'latin1'));
  }
  chunks.push(Buffer.from(`--${b}--${CRLF}`, 'latin1'));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${b}` };
}
