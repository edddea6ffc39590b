// Reads an HTTP request body within a byte limit that applies *after* decompression. The
// inflater is fed chunk by chunk and stopped the moment its output passes the limit, so a
// gzip bomb never allocates more than `limit` bytes of output.
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { BodyTooLargeError, BridgeError, DecodeError } from '../../errors.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  let inflater: Gunzip | Inflate | undefined;
  switch (encoding) {
    case 'identity':
    case '':
      // Refuse before reading a byte when the sender says up front that it is too big.
      if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
      break;
    case 'gzip':
    case 'x-gzip':
      inflater = createGunzip();
      break;
    case 'deflate':
      inflater = createInflate();
      break;
    default:
      throw new BridgeError('ERR_UNSUPPORTED_ENCODING', `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  }
  return inflater ? readInflated(req, inflater, limit) : readPlain(req, limit);
}

function readPlain(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      req.removeAllListeners('data');
      req.resume(); // keep draining so the socket can carry the error response
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) return fail(new BodyTooLargeError(limit));
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => fail(e));
    req.on('aborted', () => fail(new DecodeError('client aborted the request body')));
  });
}

function readInflated(req: IncomingMessage, inflater: Gunzip | Inflate, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let compressed = 0;
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      req.unpipe(inflater);
      inflater.destroy();
      req.resume();
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      compressed += c.length;
      // Compressed input over the limit is refused as well: it bounds the work one request costs.
      if (compressed > limit) fail(new BodyTooLargeError(limit));
    });
    inflater.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) return fail(new BodyTooLargeError(limit));
      chunks.push(c);
    });
    inflater.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    inflater.on('error', (e) => fail(new DecodeError(`body is not valid ${encodingName(inflater)} data: ${e.message}`)));
    req.on('error', (e) => fail(e));
    req.on('aborted', () => fail(new DecodeError('client aborted the request body')));
    req.pipe(inflater);
  });
}

function encodingName(inflater: Gunzip | Inflate): string {
  return inflater.constructor.name === 'Gunzip' ? 'gzip' : 'deflate';
}
