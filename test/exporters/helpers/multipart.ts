// multipart/form-data read by busboy, the parser Node servers use, so our hand-built bodies
// are checked by someone else's reading.
import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';

export interface ParsedPart {
  name: string;
  filename?: string;
  mimeType: string;
  data: Buffer;
}

export function parseMultipart(headers: IncomingHttpHeaders | Record<string, string>, body: Uint8Array): Promise<ParsedPart[]> {
  return new Promise((resolve, reject) => {
    const parts: ParsedPart[] = [];
    const pending: Promise<void>[] = [];
    const bb = busboy({ headers: headers as IncomingHttpHeaders, limits: { fileSize: 64 * 2 ** 20 } });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      pending.push(
        new Promise((done, fail) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            parts.push({ name, filename: info.filename, mimeType: info.mimeType, data: Buffer.concat(chunks) });
            done();
          });
        }),
      );
    });
    bb.on('field', (name, value, info) => parts.push({ name, mimeType: info.mimeType, data: Buffer.from(value, 'utf8') }));
    bb.on('error', reject);
    bb.on('close', () => Promise.all(pending).then(() => resolve(parts), reject));
    bb.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}
