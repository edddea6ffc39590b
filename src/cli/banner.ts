// The start-up banner `serve` writes to stderr beside its JSON logs: where to send data, where
// to look (the UI), where the data lives and how to stop. Pure: built from what the bridge
// bound and what the config says; serve decides whether to print it.
import { resolve } from 'node:path';
import { typeOf } from '../config/schema.js';

export interface DataLocation {
  /** What lives there, e.g. `store (SQLite)`. */
  what: string;
  directory: string;
}

export interface BannerInput {
  version: string;
  /** Where the config came from (`embedded default` or a path). */
  source: string;
  /** As Bridge.endpoints() returns them: `{ 'receivers.otlp': { grpc, http }, 'extensions.api': { http } }`. */
  endpoints: Record<string, Record<string, string>>;
  data: DataLocation[];
  pid: number;
}

/** `http://host:port/`, with a wildcard address shown as the loopback one a browser can open. */
export function urlOf(address: string): string {
  const i = address.lastIndexOf(':');
  let host = address.slice(0, i);
  if (host === '0.0.0.0' || host === '') host = '127.0.0.1';
  if (host === '[::]') host = '[::1]';
  return `http://${host}:${address.slice(i + 1)}/`;
}

function isWildcard(address: string): boolean {
  return address.startsWith('0.0.0.0:') || address.startsWith('[::]:') || address.startsWith(':');
}

/** Exporter configs (validated) -> the directories they write. */
export function dataLocations(exporters: { id: string; config: unknown }[], cwd = process.cwd()): DataLocation[] {
  const out: DataLocation[] = [];
  for (const { id, config } of exporters) {
    const c = (config ?? {}) as { directory?: unknown; sending_queue?: { directory?: unknown } };
    const type = typeOf(id);
    if (typeof c.directory === 'string') {
      const what = type === 'store' ? `store (SQLite) of exporters.${id}` : type === 'file' ? `files of exporters.${id}` : `exporters.${id}`;
      out.push({ what, directory: resolve(cwd, c.directory) });
    }
    if (typeof c.sending_queue?.directory === 'string')
      out.push({ what: `sending queue of exporters.${id}`, directory: resolve(cwd, c.sending_queue.directory, id) });
  }
  return out;
}

export function startupBanner(b: BannerInput): string {
  const rows: [string, string, string][] = [];
  let ui: string | undefined;
  for (const [component, eps] of Object.entries(b.endpoints)) {
    const [section, id = ''] = [component.slice(0, component.indexOf('.')), component.slice(component.indexOf('.') + 1)];
    const type = typeOf(id);
    if (section === 'extensions' && type === 'api' && eps.http) {
      ui ??= urlOf(eps.http);
      rows.push([
        'UI and JSON API',
        urlOf(eps.http),
        `/api/v1/..., /metrics, /health${isWildcard(eps.http) ? '; listening on every interface' : ''}`,
      ]);
    } else if (section === 'receivers' && type === 'otlp') {
      if (eps.grpc) rows.push(['OTLP/gRPC', eps.grpc, `traces and profiles (receivers.${id})${isWildcard(eps.grpc) ? '; every interface' : ''}`]);
      if (eps.http)
        rows.push([
          'OTLP/HTTP',
          urlOf(eps.http).slice(0, -1),
          `POST /v1/traces, POST /v1development/profiles${isWildcard(eps.http) ? '; every interface' : ''}`,
        ]);
    } else {
      for (const [name, address] of Object.entries(eps)) rows.push([`${component} ${name}`, address, '']);
    }
  }
  for (const d of b.data) rows.push(['Data', d.directory, d.what]);
  if (b.data.length === 0) rows.push(['Data', '(none kept on disk)', '']);
  const w1 = Math.max(...rows.map((r) => r[0].length));
  const w2 = Math.max(...rows.map((r) => r[1].length));
  const lines = [
    `otel-profile-bridge ${b.version} is running (config: ${b.source})`,
    ...(ui ? [`  Open ${ui} for the flame graphs.`] : ['  No UI: this config has no api extension.']),
    ...rows.map(([a, v, note]) => `  ${a.padEnd(w1)}  ${note ? `${v.padEnd(w2)}  ${note}` : v}`),
    `  Stop: Ctrl-C (or kill -TERM ${b.pid}); it stops accepting, flushes what it holds, and exits.`,
    '  Logs are JSON lines on stdout. --quiet hides this banner (so does sending stdout to a file).',
  ];
  return `${lines.join('\n')}\n`;
}
