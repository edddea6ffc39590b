// Speaks HTTP/1.1 over a raw socket, byte for byte as given, so tests can send request lines
// and headers that no HTTP client library would produce.
import { connect } from 'node:net';

export interface RawAnswer {
  /** Everything the server sent before closing (or before the safety timeout). */
  text: string;
  /** The status code of the first response line; undefined when none came. */
  status: number | undefined;
}

/** host:port or http://host:port. */
function hostPort(address: string): { host: string; port: number } {
  const hp = address.replace(/^https?:\/\//, '');
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
}

/**
 * Writes `bytes`, half-closes, and collects the answer until the server closes. The timeout
 * only stops a test from hanging; callers never assert on time.
 */
export function rawRequest(address: string, bytes: string | Uint8Array, timeoutMs = 15_000): Promise<RawAnswer> {
  const { host, port } = hostPort(address);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined });
    };
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {}); // a reset is an answer too (the server closed on us)
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
      socket.end();
    });
  });
}
