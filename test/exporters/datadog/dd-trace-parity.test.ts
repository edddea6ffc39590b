// Our Datadog uploads against a real tracer's. The same two-endpoint service runs twice:
// once under dd-trace's profiler (same @datadog/pprof as our SDK plugin), uploading to a
// recording agent; once under the OpenTelemetry SDK with our profiling plugin, sending OTLP to
// a real bridge process whose Datadog exporter uploads to a second recording agent. Both get
// the same bounded set of requests. The uploads must agree on the attachment names, the
// sample types of each attachment, the event's keys, and on endpoint_counts meaning requests
// per endpoint: summed over the uploads, exactly the requests sent.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodePprofIndependent } from '../../helpers/pprof-decoded.js';
import { load, startExample, type ExampleChild } from '../../sdk/example-child.js';
import { HttpBackend, waitUntil, type HttpCall } from '../helpers/backends.js';
import { parseMultipart } from '../helpers/multipart.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const DD_SERVICE = fileURLToPath(new URL('./dd-trace-service.js', import.meta.url));
const INPUT = '/profiling/v1/input';

/** 12 × GET /fast and 4 × GET /slow/:id. */
const REQUESTS = 16;
const pathOf = (i: number): string => (i % 4 === 3 ? `/slow/${i}` : '/fast');
const EXPECTED_COUNTS = { 'GET /fast': 12, 'GET /slow/:id': 4 };

interface Upload {
  event: Record<string, unknown>;
  /** Attachment file name -> its sample types as `type/unit`, in order. */
  attachments: Map<string, string[]>;
  /** Part names of the multipart body, in order. */
  parts: string[];
}

async function readUpload(call: HttpCall): Promise<Upload> {
  const parts = await parseMultipart(call.headers, call.body);
  const eventPart = parts.find((p) => p.name === 'event');
  assert.ok(eventPart, 'an event part');
  assert.equal(eventPart.filename, 'event.json');
  const attachments = new Map<string, string[]>();
  for (const p of parts) {
    if (p.name === 'event') continue;
    assert.equal(p.filename, p.name, 'attachment parts are named by their file');
    const pprof = decodePprofIndependent(p.data[0] === 0x1f && p.data[1] === 0x8b ? gunzipSync(p.data) : p.data);
    attachments.set(
      p.name,
      pprof.sampleTypes.map((t) => `${t.type}/${t.unit}`),
    );
  }
  return { event: JSON.parse(eventPart.data.toString('utf8')) as Record<string, unknown>, attachments, parts: parts.map((p) => p.name) };
}

async function uploadsOf(agent: HttpBackend): Promise<Upload[]> {
  return Promise.all(agent.accepted.filter((c) => c.url.pathname === INPUT).map(readUpload));
}

/** endpoint_counts summed over the uploads. */
function summedCounts(uploads: Upload[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const u of uploads) {
    for (const [k, v] of Object.entries((u.event.endpoint_counts ?? {}) as Record<string, number>)) sum[k] = (sum[k] ?? 0) + v;
  }
  return sum;
}

interface Child {
  proc: ChildProcess;
  stdout: string[];
  stderr(): string;
}

/** Spawns `node args` and resolves with the first stdout JSON line `pick` accepts. */
async function spawnNode<T>(
  args: string[],
  env: Record<string, string>,
  pick: (line: Record<string, unknown>) => T | undefined,
): Promise<Child & { value: T }> {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const stdout: string[] = [];
  const value = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in time; stderr: ${err}`)), 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before starting; stderr: ${err}`));
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      stdout.push(line);
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const v = pick(rec);
      if (v !== undefined) {
        clearTimeout(timer);
        resolve(v);
      }
    });
  });
  return { proc, stdout, stderr: () => err, value };
}

describe('Datadog uploads: the bridge against dd-trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opb-dd-parity-'));
  const agents: HttpBackend[] = [];
  const children: ChildProcess[] = [];
  let example: ExampleChild | undefined;
  after(async () => {
    example?.kill();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const a of agents) await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups the same attachments and sample types, has the same event keys and counts requests per endpoint', async (t) => {
    // --- dd-trace, profiling the service, uploading to a recording agent.
    const ddAgent = await HttpBackend.start();
    agents.push(ddAgent);
    const dd = await spawnNode(
      [DD_SERVICE],
      {
        DD_TRACE_AGENT_URL: ddAgent.url,
        DD_SERVICE: 'parity',
        DD_ENV: 'test',
        DD_VERSION: '1.0.0',
        DD_PROFILING_ENABLED: 'true',
        DD_PROFILING_PROFILERS: 'wall,space',
        DD_PROFILING_UPLOAD_PERIOD: '2',
        // The timeline's events.pprof has no OTLP counterpart; gzip, as the bridge sends.
        DD_PROFILING_TIMELINE_ENABLED: 'false',
        DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: 'gzip',
        DD_TRACE_STARTUP_LOGS: 'false',
        DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
        DD_REMOTE_CONFIGURATION_ENABLED: 'false',
        DD_RUNTIME_METRICS_ENABLED: 'false',
      },
      (l) => (l.event === 'listening' ? Number(l.port) : undefined),
    );
    children.push(dd.proc);
    const ddLoad = await load(dd.value, pathOf, { requests: REQUESTS, concurrency: 2 });
    assert.equal(ddLoad.statuses.get(200), REQUESTS, 'dd-trace service answered every request');
    await waitUntil(
      async () => sumsTo(summedCounts(await uploadsOf(ddAgent)), REQUESTS),
      90_000,
      `dd-trace uploads counting ${REQUESTS} requests; stderr: ${dd.stderr()}`,
    );
    dd.proc.kill('SIGTERM');
    const ddUploads = await uploadsOf(ddAgent);

    // --- Our SDK plugin -> OTLP -> bridge process -> Datadog exporter -> recording agent.
    const bridgeAgent = await HttpBackend.start();
    agents.push(bridgeAgent);
    const config = join(dir, 'bridge.yaml');
    writeFileSync(
      config,
      `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: 10s }
exporters:
  datadog:
    endpoint: ${bridgeAgent.url}
service:
  telemetry: { logs: { level: info } }
  pipelines:
    traces: { receivers: [otlp], processors: [join], exporters: [datadog] }
    profiles: { receivers: [otlp], processors: [join], exporters: [datadog] }
`,
    );
    const bridge = await spawnNode([CLI, 'serve', '--config', config], {}, (l) =>
      l.msg === 'otel-profile-bridge started'
        ? `http://${(l.endpoints as Record<string, Record<string, string>>)['receivers.otlp']!.http}`
        : undefined,
    );
    children.push(bridge.proc);
    example = await startExample({
      OTEL_EXPORTER_OTLP_ENDPOINT: bridge.value,
      OTEL_SERVICE_NAME: 'parity',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.version=1.0.0',
      OTEL_PROFILE_BRIDGE_EXPORT_INTERVAL: '5000',
      // Spans reach the bridge within ~50 ms of their end, well inside a 5 s profile window.
      OTEL_BSP_SCHEDULE_DELAY: '50',
      EXAMPLE_FIB_N: '22',
    });
    // Start the requests right after a window was cut (its upload arrived), so that every
    // span is at the bridge long before the window it ends in is cut.
    await waitUntil(
      () => bridgeAgent.accepted.some((c) => c.url.pathname === INPUT),
      60_000,
      `a first bridge upload; bridge stderr: ${bridge.stderr()}`,
    );
    const ours = await load(example.port, pathOf, { requests: REQUESTS, concurrency: 2 });
    assert.equal(ours.statuses.get(200), REQUESTS, 'SDK service answered every request');
    await waitUntil(
      async () => sumsTo(summedCounts(await uploadsOf(bridgeAgent)), REQUESTS),
      90_000,
      `bridge uploads counting ${REQUESTS} requests; bridge stderr: ${bridge.stderr()}`,
    );
    const bridgeUploads = await uploadsOf(bridgeAgent);

    // endpoint_counts: requests per endpoint, each request in exactly one upload's window.
    assert.deepEqual(summedCounts(ddUploads), EXPECTED_COUNTS, 'dd-trace counts requests');
    assert.deepEqual(summedCounts(bridgeUploads), EXPECTED_COUNTS, 'the bridge counts requests as dd-trace does');

    // Attachments and their sample types, upload by upload (each upload has both).
    const shape = (u: Upload): Record<string, string[]> => Object.fromEntries([...u.attachments].sort(([a], [b]) => (a < b ? -1 : 1)));
    const ddShapes = new Set(ddUploads.map((u) => JSON.stringify(shape(u))));
    const ourShapes = new Set(bridgeUploads.map((u) => JSON.stringify(shape(u))));
    t.diagnostic(`dd-trace uploads: ${[...ddShapes].join(' | ')}`);
    t.diagnostic(`bridge uploads: ${[...ourShapes].join(' | ')}`);
    assert.deepEqual(
      [...ddShapes],
      [
        JSON.stringify({
          'space.pprof': ['inuse_objects/count', 'inuse_space/bytes'],
          'wall.pprof': ['sample/count', 'wall/nanoseconds', 'cpu/nanoseconds'],
        }),
      ],
    );
    assert.deepEqual([...ourShapes], [...ddShapes]);
    for (const u of [...ddUploads, ...bridgeUploads]) {
      assert.deepEqual(
        u.event.attachments,
        u.parts.filter((p) => p !== 'event'),
        'event.attachments lists the attachment parts',
      );
    }

    // The event's keys, and the fields both fill with the same meaning.
    const keys = (u: Upload): string[] => Object.keys(u.event).sort();
    const ddKeys = [...new Set(ddUploads.map((u) => JSON.stringify(keys(u))))];
    t.diagnostic(`dd-trace event: ${JSON.stringify(ddUploads.at(-1)!.event)}`);
    t.diagnostic(`bridge event: ${JSON.stringify(bridgeUploads.at(-1)!.event)}`);
    assert.equal(ddKeys.length, 1, 'dd-trace writes the same keys in every upload');
    // process_tags describes the traced process's entry point (script, working directory),
    // which only an in-process tracer knows; the bridge leaves it out (docs/exporters.md).
    const expectedKeys = (JSON.parse(ddKeys[0]!) as string[]).filter((k) => k !== 'process_tags');
    for (const u of bridgeUploads) {
      assert.deepEqual(keys(u), expectedKeys, 'same event keys as dd-trace');
      assert.equal(u.event.family, 'node');
      assert.equal(u.event.version, '4');
      assert.ok(Date.parse(String(u.event.end)) > Date.parse(String(u.event.start)), 'a window, not an instant');
      const tags = String(u.event.tags_profiler).split(',');
      for (const tag of ['service:parity', 'env:test', 'version:1.0.0', 'runtime:nodejs'])
        assert.ok(tags.includes(tag), `${tag} in ${u.event.tags_profiler}`);
      const info = u.event.info as { application?: Record<string, string> };
      assert.deepEqual(info.application, { service: 'parity', env: 'test', version: '1.0.0' });
    }
    for (const u of ddUploads) {
      assert.equal(u.event.family, 'node');
      assert.equal(u.event.version, '4');
      const info = u.event.info as { application?: Record<string, string> };
      assert.equal(info.application?.service, 'parity');
    }
  });
});

function sumsTo(counts: Record<string, number>, n: number): boolean {
  return Object.values(counts).reduce((a, b) => a + b, 0) >= n;
}
