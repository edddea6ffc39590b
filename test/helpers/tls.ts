// Test certificates, made at test time with Debian's openssl, and HTTPS requests that trust them.
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 in `dir` (`name`.pem / `name`-key.pem). */
export function selfSigned(dir: string, name = 'cert'): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=127.0.0.1/O=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** SHA-256 fingerprint of the server certificate, over TLS. */
  fingerprint?: string;
}

/** GET over http: or https: (trusting `ca`), with the headers given; no connection reuse. */
export function rawGet(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<RawReply> {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(u, { method: 'GET', headers, agent: false, ...(tls ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      const fingerprint = tls ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256 : undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), fingerprint }));
    });
    req.on('error', reject);
    req.end();
  });
}
