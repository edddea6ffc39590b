// `npm run example`: the whole loop on one machine. It starts the bridge on its embedded
// default config (OTLP on 4317/4318, UI and API on 4380) with its data in a temporary
// directory, the example service instrumented with the profiling plugin, and a small load
// generator; then prints where the slow endpoint's hotspots are in the UI. Runs until Ctrl-C,
// or for --duration seconds.
//
//   npm run example [-- --duration 60] [--ephemeral-ports] [--rate 10] [--keep-data] [--json]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Bridge } from '../src/service/bridge.js';
import { errorMessage } from '../src/errors.js';
import { exampleConfig, HOT_FUNCTION, hotspotsUrl, SLOW_ENDPOINT } from './example-setup.js';
import { DEFAULT_LOAD, startLoad, type Load } from './load/generator.js';

const USAGE = `Usage: npm run example [-- options]
  --duration <seconds>  stop after this long (default: run until Ctrl-C)
  --ephemeral-ports     let the OS pick every port (default: 4317, 4318, 4380 and 8080)
  --rate <n>            requests per second of the load generator (default ${DEFAULT_LOAD.rate})
  --keep-data           keep the temporary data directory on exit
  --json                print one JSON line per event instead of text
`;

interface Options {
  duration: number | undefined;
  ephemeral: boolean;
  rate: number;
  keepData: boolean;
  json: boolean;
}

function options(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      'ephemeral-ports': { type: 'boolean', default: false },
      rate: { type: 'string', default: String(DEFAULT_LOAD.rate) },
      'keep-data': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0)) throw new Error(`--duration: "${values.duration}" is not a positive number of seconds`);
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate: "${values.rate}" is not a positive number`);
  return { duration, ephemeral: values['ephemeral-ports'], rate, keepData: values['keep-data'], json: values.json };
}

/** Starts the example service; resolves with its port once it listens. */
function startService(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./service/server.js', import.meta.url));
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`the example service exited (code ${code}) before listening`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.on('line', (line) => {
      let event: { event?: string; port?: number } | undefined;
      try {
        event = JSON.parse(line) as { event?: string; port?: number };
      } catch {
        event = undefined;
      }
      if (event?.event === 'listening' && typeof event.port === 'number') {
        child.off('exit', onExit);
        resolve({ child, port: event.port });
      }
    });
  });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function storedProfiles(apiBase: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${apiBase}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { profiles?: number };
    return body.profiles;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  let opts: Options | undefined;
  try {
    opts = options(argv);
  } catch (e) {
    process.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = opts;
  const say = (text: string, event: Record<string, unknown>): void => {
    process.stdout.write(o.json ? `${JSON.stringify(event)}\n` : `${text}\n`);
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'otel-profile-bridge-example-'));
  // Warnings and errors only, on stderr: stdout is for what the user should read.
  const logger = pino({ level: process.env.OTEL_LOG_LEVEL?.toLowerCase() ?? 'warn' }, pino.destination(2));
  let bridge: Bridge | undefined;
  let service: ChildProcess | undefined;
  let load: Load | undefined;
  let status: NodeJS.Timeout | undefined;

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      clearInterval(status);
      say(`\nStopping (${reason})...`, { event: 'stopping', reason });
      await load?.stop();
      // The service flushes its last spans and profiles on SIGTERM, so the bridge goes last.
      if (service) await stopChild(service, 10_000);
      await bridge?.shutdown();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
      say(o.keepData ? `Stopped. Data kept in ${dataDir}` : 'Stopped.', { event: 'stopped', dataDir, kept: o.keepData });
    })());

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const onSignal = (sig: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C: don't wait
    void stop(sig).then(() => resolveDone(0));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    bridge = Bridge.create(exampleConfig(dataDir, o.ephemeral), { logger });
    await bridge.start();
    const endpoints = bridge.endpoints();
    const otlp = endpoints['receivers.otlp']!;
    const api = endpoints['extensions.api']!.http!;
    const apiBase = `http://${api}`;

    const started = await startService({
      ...process.env,
      PORT: o.ephemeral ? '0' : (process.env.PORT ?? '8080'),
      HOST: '127.0.0.1',
      OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'example-service',
      OTEL_RESOURCE_ATTRIBUTES: process.env.OTEL_RESOURCE_ATTRIBUTES ?? 'service.version=1.0.0,deployment.environment.name=example',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${otlp.http}`,
      // Short intervals so the UI fills within seconds (the defaults suit production, not a demo).
      OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: process.env.OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL ?? '3000',
      OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '1000',
      EXAMPLE_FIB_N: process.env.EXAMPLE_FIB_N ?? '30',
    });
    service = started.child;
    service.once('exit', (code, signal) => {
      if (!stopping) {
        say(`The example service exited (${signal ?? code}).`, { event: 'service-exited', code, signal });
        void stop('service exited').then(() => resolveDone(1));
      }
    });
    const target = `http://127.0.0.1:${started.port}`;
    load = startLoad({ ...DEFAULT_LOAD, target, rate: o.rate });

    const ui = hotspotsUrl(apiBase);
    say(
      [
        'otel-profile-bridge example',
        `  bridge   OTLP gRPC ${otlp.grpc}, OTLP HTTP ${otlp.http}; data in ${dataDir}`,
        `  service  ${target}  (${SLOW_ENDPOINT} burns CPU in ${HOT_FUNCTION}; GET /fast does not)`,
        `  load     ${o.rate} requests/s`,
        '',
        `Hotspots of ${SLOW_ENDPOINT}:  ${ui}`,
        `Everything (search, flame graph): ${apiBase}/`,
        '',
        `Profiles arrive every few seconds. ${o.duration ? `Stops after ${o.duration} s; ` : ''}Ctrl-C to stop.`,
      ].join('\n'),
      { event: 'ready', ui, api: apiBase, service: target, otlp, dataDir },
    );

    status = setInterval(() => {
      void storedProfiles(apiBase).then((profiles) => {
        const s = load!.stats;
        say(`  ${s.ok} requests served (${s.slow} slow, ${s.fast} fast), ${profiles ?? '?'} profiles stored`, {
          event: 'status',
          load: s,
          profiles,
        });
      });
    }, 10_000);
    status.unref();
    if (o.duration) setTimeout(() => void stop('duration reached').then(() => resolveDone(0)), o.duration * 1000).unref();
  } catch (e) {
    const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(errorMessage(e));
    process.stderr.write(`example: ${errorMessage(e)}\n${inUse ? 'A port is taken (another bridge running?); try --ephemeral-ports.\n' : ''}`);
    await stop('start-up failed');
    return 1;
  }
  return done;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`example: ${errorMessage(e)}\n`);
    process.exit(1);
  },
);
