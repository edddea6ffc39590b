// Per-request limits, on both transports and both encodings: a request over a limit is refused
// (413 / RESOURCE_EXHAUSTED) with a message naming the limit and the config key to raise, and
// nothing of it reaches the pipeline. Then the real CLI with its defaults, sent the 60 MiB
// bodies that used to stall it for tens of seconds: /health keeps answering during the upload,
// the server's main thread spends under 1 s of work on each (so its event loop cannot stall
// for 1 s), the request is refused by the pre-scan, and the process's memory stays bounded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { decodeRpcStatus, encodeProfilesRequest, profilesRequestToJson } from '../../../src/otlp/index.js';
import { startBridge, type RunningBridge } from '../../helpers/bridge.js';
import { SERVE_STORE_CONFIG, startServe, type ServeChild } from '../../helpers/cli-serve.js';
import { grpcUnary, PROFILES_METHOD } from '../../helpers/grpc-client.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fullProfilesRequest } from '../../fixtures/profiles-request.js';

const PROFILES = '/v1development/profiles';
const SENDER = new URL('../../helpers/big-sender.js', import.meta.url).pathname;

interface Sent {
  kind: string;
  status: number;
  message: string;
}
const MiB = 2 ** 20;

async function post(url: string, body: Uint8Array, type: string) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': type } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const message = type.includes('json')
    ? ((JSON.parse(bytes.toString() || '{}') as { message?: string }).message ?? '')
    : res.status === 200
      ? ''
      : decodeRpcStatus(bytes).message;
  return { status: res.status, message };
}

describe('per-request limits', () => {
  let b: RunningBridge;
  before(async () => {
    b = await startBridge(`
receivers:
  otlp/small:
    protocols:
      grpc: { endpoint: 127.0.0.1:0, limits: { max_messages: 40, max_samples: 2, max_strings: 5, max_attributes: 3 } }
      http: { endpoint: 127.0.0.1:0, limits: { max_messages: 40, max_samples: 2, max_strings: 5, max_attributes: 3 } }
exporters:
  sink: {}
service:
  telemetry: { logs: { level: silent } }
  pipelines:
    profiles: { receivers: [otlp/small], exporters: [sink] }
`);
  });
  after(() => b.stop());

  it('refuses a request over a limit on HTTP (protobuf and JSON) and gRPC, naming the limit and its key', async () => {
    const ep = b.bridge.endpoints()['receivers.otlp/small']!;
    const request = fullProfilesRequest();
    const proto = encodeProfilesRequest(request);
    const json = Buffer.from(JSON.stringify(profilesRequestToJson(request)));
    const sink = b.sinks.get('sink')!;
    const before = sink.profiles.length;
    for (const [body, type] of [
      [proto, 'application/x-protobuf'],
      [json, 'application/json'],
    ] as const) {
      const r = await post(`http://${ep.http}${PROFILES}`, body, type);
      assert.equal(r.status, 413, r.message);
      assert.match(
        r.message,
        /\(the max_\w+ limit\); split it into smaller requests or raise receivers\.otlp\/small\.protocols\.http\.limits\.max_\w+/,
      );
    }
    const g = await grpcUnary(ep.grpc!, PROFILES_METHOD, proto);
    assert.equal(g.ok, false);
    if (!g.ok) {
      assert.equal(g.code, 8); // RESOURCE_EXHAUSTED
      assert.match(g.details, /raise receivers\.otlp\/small\.protocols\.grpc\.limits\.max_\w+/);
    }
    assert.equal(sink.profiles.length, before, 'nothing of a refused request reaches the pipeline');
  });
});

/**
 * CPU time (user + system) of the process's main thread, in ms, from /proc (clock ticks of
 * 10 ms). Only the main thread runs the event loop: the process's total also counts the GC's
 * helper threads, the worker pool and libuv's threads, which run beside the loop (on a quiet
 * machine the first of these bodies cost the process 840 ms and its main thread 240 ms) and
 * take longer on a busy one, so counting them would make the check measure the machine.
 */
function cpuMs(pid: number): number {
  // The main thread's task id is the pid. The fields after the command name, which is in
  // parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS);
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

function peakRss(pid: number): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

describe('60 MiB hostile bodies against the real CLI', () => {
  let s: ServeChild;
  before(async () => {
    s = await startServe(SERVE_STORE_CONFIG);
  });
  after(async () => {
    assert.equal(await s.stop(), 0, s.output());
  });

  /**
   * Runs `work` while /health is asked again and again (each must answer 200), and reads the
   * server's own longest event-loop stall during it (prom-client's monitorEventLoopDelay
   * maximum, reset by each /metrics scrape) and the CPU time the server's main thread used meanwhile.
   * Asserted is the CPU time: work is what holds an event loop, and less than 1 s of work
   * per request cannot hold it for 1 s, while a wall-clock stall also counts how long a busy
   * machine kept the process waiting for a core. The pre-scan refuses these bodies after a
   * few MiB; decoding them used to take 20-60 s of CPU.
   */
  async function whileProbing<T>(work: () => Promise<T>): Promise<{ result: T; probes: number; slowestMs: number; stallMs: number; workMs: number }> {
    const health = `http://${s.endpoints['extensions.api']!.http}/health`;
    let done = false;
    let probes = 0;
    let slowestMs = 0;
    const probe = async () => {
      const t0 = performance.now();
      const r = await fetch(health);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      slowestMs = Math.max(slowestMs, performance.now() - t0);
      probes++;
    };
    const metrics = `http://${s.endpoints['extensions.api']!.http}/metrics`;
    const maxLag = async () => {
      const text = await (await fetch(metrics)).text();
      return Number(/^otel_profile_bridge_process_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)![1]);
    };
    await maxLag(); // resets the maximum
    const cpuBefore = cpuMs(s.child.pid!);
    await probe();
    const prober = (async () => {
      while (!done) {
        await probe();
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const result = await work();
    done = true;
    await prober;
    await probe();
    const workMs = cpuMs(s.child.pid!) - cpuBefore;
    return { result, probes, slowestMs, stallMs: (await maxLag()) * 1000, workMs };
  }

  /** The uploads run in a separate sender process, so only the server's event loop is measured. */
  async function sendBig(...kinds: string[]): Promise<Sent[]> {
    const ep = s.endpoints['receivers.otlp']!;
    const { stdout } = await promisify(execFile)(process.execPath, [SENDER, `http://${ep.http}`, ep.grpc!, ...kinds], {
      maxBuffer: 1 * MiB,
      timeout: 280_000,
    });
    return JSON.parse(stdout) as Sent[];
  }

  for (const [kind, name] of [
    ['http-proto', 'protobuf over HTTP'],
    ['http-json', 'JSON over HTTP'],
    ['grpc-proto', 'protobuf over gRPC'],
  ] as const) {
    it(`${name}: refused naming max_messages, /health answers throughout, under 1 s of the server's work`, async () => {
      const { result, probes, slowestMs, stallMs, workMs } = await whileProbing(() => sendBig(kind));
      const [r] = result;
      if (kind === 'grpc-proto') {
        assert.equal(r!.status, 8, r!.message); // RESOURCE_EXHAUSTED
        assert.match(r!.message, /max_messages limit.*raise receivers\.otlp\.protocols\.grpc\.limits\.max_messages/);
      } else {
        assert.equal(r!.status, 413, r!.message);
        assert.match(r!.message, /max_messages limit.*raise receivers\.otlp\.protocols\.http\.limits\.max_messages/);
      }
      assert.ok(probes >= 3, `only ${probes} probes`);
      assert.ok(
        workMs < 1000,
        `the server worked ${workMs.toFixed(0)} ms (longest event-loop stall ${stallMs.toFixed(0)} ms, slowest /health ${slowestMs.toFixed(0)} ms)`,
      );
    });
  }

  it('two at once (protobuf and JSON): both refused, /health answers, under 1 s of work each, peak RSS bounded', async () => {
    const { result, probes, slowestMs, stallMs, workMs } = await whileProbing(() => sendBig('http-proto', 'http-json'));
    assert.deepEqual(
      result.map((r) => r.status),
      [413, 413],
    );
    assert.ok(probes >= 3, `only ${probes} probes`);
    assert.ok(
      workMs < 2000,
      `the server worked ${workMs.toFixed(0)} ms (longest event-loop stall ${stallMs.toFixed(0)} ms, slowest /health ${slowestMs.toFixed(0)} ms)`,
    );
    // Each request holds its body (and briefly its chunks) and nothing more: far from the
    // ~4.5 GB one of these bodies cost when it was decoded.
    const peak = peakRss(s.child.pid!);
    assert.ok(peak < 1024 * MiB, `peak RSS ${(peak / MiB).toFixed(0)} MiB`);
    assert.equal(s.child.exitCode, null);
  });
});
