// Serves the built web UI: files from a directory, `index.html` for every other path (the
// UI routes on the client), and a small page saying the UI is not built when it is absent.
// Source maps (`*.map`) answer 404 unless enabled: they are the UI's source, not needed to run it.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Reply } from './routes.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const UI_NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>otel-profile-bridge</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem">
<h1>otel-profile-bridge</h1>
<p>The web UI is not built. The JSON API is available under <a href="/api/v1/profile-types">/api/v1/</a>,
Prometheus metrics at <a href="/metrics">/metrics</a>.</p>
</body></html>
`;

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export class StaticFiles {
  private readonly root: string;

  private readonly sourceMaps: boolean;

  constructor(root: string, o: { sourceMaps?: boolean } = {}) {
    this.root = normalize(root.endsWith(sep) ? root : root + sep);
    this.sourceMaps = o.sourceMaps ?? false;
  }

  async serve(pathname: string): Promise<Reply> {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      rel = '/';
    }
    if (rel.toLowerCase().endsWith('.map') && !this.sourceMaps) {
      return {
        status: 404,
        body: 'source maps are not served (extensions.api.ui_source_maps: true to serve them)\n',
        headers: { 'content-type': TYPES['.txt']! },
      };
    }
    const target = normalize(join(this.root, rel));
    // Never outside the UI directory, whatever `..` or encoded separators the path holds.
    if (target.startsWith(this.root) && !rel.includes('\0') && (await isFile(target))) return this.file(target);
    const index = join(this.root, 'index.html');
    if (await isFile(index)) return this.file(index);
    return { status: 200, body: UI_NOT_BUILT_HTML, headers: { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' } };
  }

  private async file(path: string): Promise<Reply> {
    const body = await readFile(path);
    return {
      status: 200,
      body,
      headers: { 'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'no-cache' },
    };
  }
}
