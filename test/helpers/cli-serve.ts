// Runs `otel-profile-bridge serve` as a child process on ephemeral loopback ports, as an
// operator would, and hands back its endpoints (read from the "started" log line).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;

export interface ServeChild {
  child: ChildProcess;
  dir: string;
  endpoints: Record<string, Record<string, string>>;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** OTLP on both transports straight into the store, with the API (no UI), for startServe. */
export const SERVE_STORE_CONFIG = `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
exporters:
  store: { directory: \${DIR}/data }
extensions:
  api: { endpoint: 127.0.0.1:0, ui_directory: \${DIR}/no-ui }
service:
  extensions: [api]
  telemetry: { logs: { level: info } }
  pipelines:
    traces: { receivers: [otlp], exporters: [store] }
    profiles: { receivers: [otlp], exporters: [store] }
`;

/** `yaml` may use `${DIR}` for a fresh temporary directory. */
export async function startServe(yaml: string, extraArgs: string[] = []): Promise<ServeChild> {
  const dir = mkdtempSync(join(tmpdir(), 'opb-serve-'));
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, yaml.replaceAll('${DIR}', dir));
  const child = spawn(process.execPath, [...extraArgs, MAIN, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A safety net so a stuck child never outlives the test run.
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  killer.unref();
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const endpoints = await new Promise<Record<string, Record<string, string>>>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('otel-profile-bridge started')) continue;
        resolve((JSON.parse(line) as { endpoints: Record<string, Record<string, string>> }).endpoints);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${out}`)));
  });
  return {
    child,
    dir,
    endpoints,
    output: () => out,
    async stop() {
      clearTimeout(killer);
      let code: number | null = child.exitCode;
      if (code === null && child.signalCode === null) {
        child.kill('SIGTERM');
        [code] = (await once(child, 'exit')) as [number | null];
      }
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
