// A bridge as a real child process (`otel-profile-bridge serve --config <file>`), for the
// tests that kill it (SIGKILL) or stop it (SIGTERM) the way an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodePprofIndependent } from '../../helpers/pprof-decoded.js';
import { HttpBackend } from './backends.js';
import { T0_SECONDS } from './joined.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

export interface ChildBridge {
  proc: ChildProcess;
  /** http://host:port of its OTLP HTTP receiver `otlp`. */
  http: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Its JSON log lines so far. */
  logs: Record<string, unknown>[];
}

/** Starts the CLI on `config` and waits (bounded) for its "started" line. */
export async function startChildBridge(config: string): Promise<ChildBridge> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const http = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start in time; stderr: ${stderr}`)), 20_000);
    void exited.then((code) => reject(new Error(`bridge exited with ${code}; stderr: ${stderr}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(rec);
      if (rec.msg === 'otel-profile-bridge started') {
        clearTimeout(timer);
        const endpoints = rec.endpoints as Record<string, Record<string, string>>;
        resolve(`http://${endpoints['receivers.otlp']!.http}`);
      }
    });
  });
  return { proc, http, exited, logs };
}

/** SIGKILLs a child that is still running (test clean-up). */
export function killChild(c: ChildBridge): void {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}

/**
 * What the kill and restart tests share: a temporary directory, an HTTP backend that starts
 * down (its port reserved, connections refused) and the child bridges started on it, all
 * removed by the suite's `after`. Call it in the `describe` body.
 */
export function outageRig(prefix: string): {
  dir: string;
  downBackend(): Promise<HttpBackend>;
  start(config: string): Promise<ChildBridge>;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildBridge[] = [];
  let backend: HttpBackend | undefined;
  after(async () => {
    for (const c of children) killChild(c);
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    async downBackend() {
      backend = await HttpBackend.start();
      await backend.down();
      return backend;
    },
    async start(config) {
      const c = await startChildBridge(config);
      children.push(c);
      return c;
    },
  };
}

/** "seq/type" of every upload a Pyroscope-style backend accepted (seq from the `from` parameter, as joinedRequest encodes it). */
export function uploadKeys(backend: HttpBackend): Set<string> {
  return new Set(
    backend.accepted.map((c) => `${Number(c.url.searchParams.get('from')) - T0_SECONDS}/${decodePprofIndependent(c.body).sampleTypes[0]!.type}`),
  );
}
