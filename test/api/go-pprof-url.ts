// `go tool pprof` against a URL served by this same process. The shared helper runs the
// tool with spawnSync, which would block the event loop the API answers on, so this one
// spawns asynchronously. HOME/GOCACHE point at a private temp dir, as in the shared helper.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let home: string | undefined;

/** `env`: added to the tool's environment (e.g. SSL_CERT_FILE to trust a private CA). */
export function goPprofAsync(args: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<string> {
  home ??= mkdtempSync(join(tmpdir(), 'opb-go-home-'));
  const h = home;
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['tool', 'pprof', '-symbolize=none', ...args], {
      env: {
        ...process.env,
        HOME: h,
        GOCACHE: join(h, 'cache'),
        GOPATH: join(h, 'gopath'),
        PPROF_TMPDIR: join(h, 'pprof'),
        GOFLAGS: '',
        GOTOOLCHAIN: 'local',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`go tool pprof ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

export interface TopLine {
  flat: string;
  cum: string;
  name: string;
}

/** The function rows of `go tool pprof -top` output: `flat flat% sum% cum cum% name`. */
export function parseTop(text: string): TopLine[] {
  const rows: TopLine[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (/^\s*flat\s+flat%\s+sum%\s+cum\s+cum%/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const m = /^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.+?)\s*$/.exec(line);
    if (m) rows.push({ flat: m[1]!, cum: m[2]!, name: m[3]! });
  }
  return rows;
}
