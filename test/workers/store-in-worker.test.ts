// The store writing in a worker thread answers exactly as the store on the main thread: the
// same OTLP responses (partial_success included) and the same query answers for the same
// requests, with its metrics on the main thread's /metrics. Then the real CLI with a 1 M-sample
// request (within the default limits): accepted and stored while /health keeps answering and
// the server's event loop never stalls for 1 s (it stalled ~29 s with the store on the main thread).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/index.js';
import { PROFILES, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { withRefusedProfile } from '../fixtures/profiles-request.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { defaultFactories } from '../../src/components.js';
import { startServe, type ServeChild } from '../helpers/cli-serve.js';
import { procStatusBytes } from '../helpers/proc-status.js';
import { isStoreExporter } from '../../src/store/exporter.js';

const SENDER = new URL('../helpers/big-profile-sender.js', import.meta.url).pathname;

function config(dir: string, inWorker: boolean, threads?: number): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  store:
    directory: ${JSON.stringify(join(dir, 'data'))}
    write_in_worker: ${inWorker}
    batch: { flush_interval: 20ms }
extensions:
  api: { endpoint: 127.0.0.1:0, ui_directory: ${JSON.stringify(join(dir, 'no-ui'))} }
service:
  extensions: [api]
  ${threads === undefined ? '' : `workers: { threads: ${threads} }`}
  telemetry: { logs: { level: silent } }
  pipelines:
    traces: { receivers: [otlp], exporters: [store] }
    profiles: { receivers: [otlp], exporters: [store] }
`;
}

interface Side {
  b: RunningBridge;
  dir: string;
  api: string;
}

async function post(b: RunningBridge, path: string, body: Uint8Array): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${b.http}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

describe('store writing in a worker thread', () => {
  const sides: Side[] = [];
  let t0: number;
  before(async () => {
    t0 = fixtureT0();
    // Inline store; store in a worker fed by the pool's checks; store in a worker without a
    // pool (`threads: 0`: the receiver decodes, the store encodes the request again for its thread).
    for (const [inWorker, threads] of [
      [false, undefined],
      [true, undefined],
      [true, 0],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'opb-store-worker-'));
      const b = await startBridge(config(dir, inWorker, threads), { factories: defaultFactories() });
      sides.push({ b, dir, api: `http://${b.bridge.endpoints()['extensions.api']!.http}` });
    }
  });
  after(async () => {
    for (const s of sides) {
      await s.b.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  it('is the worker kind only where configured', () => {
    const [inline, worker, noPool] = sides.map((s) => s.b.bridge.component('exporter', 'store'));
    assert.ok(isStoreExporter(inline) && isStoreExporter(worker) && isStoreExporter(noPool));
    assert.equal(noPool!.constructor.name, 'WorkerStoreExporter');
    assert.equal(inline!.constructor.name, 'StoreExporter');
    assert.equal(worker!.constructor.name, 'WorkerStoreExporter');
  });

  it('answers the same OTLP responses, partial_success included', async () => {
    const requests: [string, Uint8Array][] = [
      ['/v1/traces', encodeTracesRequest(tracesRequest(t0))],
      ...PROFILES.map((p) => ['/v1development/profiles', encodeProfilesRequest(profileRequest(p, t0))] as [string, Uint8Array]),
      ['/v1development/profiles', encodeProfilesRequest(withRefusedProfile())],
      ['/v1development/profiles', new Uint8Array([0x0a, 0x05, 0x01])],
    ];
    for (const [path, body] of requests) {
      const [a, ...others] = await Promise.all(sides.map((s) => post(s.b, path, body)));
      for (const w of others) {
        assert.equal(w.status, a!.status, path);
        assert.deepEqual(w.body, a!.body, path);
      }
    }
    const last = await post(sides[1]!.b, '/v1development/profiles', encodeProfilesRequest(withRefusedProfile()));
    assert.equal(last.status, 200);
    assert.ok(last.body.length > 0, 'the partial_success answer is not empty');
    await post(sides[0]!.b, '/v1development/profiles', encodeProfilesRequest(withRefusedProfile()));
    await post(sides[2]!.b, '/v1development/profiles', encodeProfilesRequest(withRefusedProfile()));
  });

  it('answers the same queries', async () => {
    const expected = PROFILES.length + 2; // fixture profiles + the good one of the bad request
    for (const s of sides) {
      for (let i = 0; i < 400; i++) {
        const h = (await (await fetch(`${s.api}/health`)).json()) as { profiles: number };
        if (h.profiles >= expected) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const range = { from: String(t0 - 60_000), to: String(Date.now() + 60_000) };
    for (const [path, params] of [
      ['/health', {}],
      ['/api/v1/profile-types', range],
      ['/api/v1/labels', range],
      ['/api/v1/search', { ...range, type: 'cpu' }],
      ['/api/v1/flame', { ...range, type: 'cpu' }],
      ['/api/v1/top', { ...range, type: 'cpu' }],
    ] as const) {
      const qs = new URLSearchParams(params as Record<string, string>).toString();
      const [a, ...others] = await Promise.all(sides.map(async (s) => (await fetch(`${s.api}${path}?${qs}`)).text()));
      for (const w of others) assert.equal(w, a, path);
    }
  });

  it("shows the writer thread's metrics on /metrics", async () => {
    const text = await (await fetch(`${sides[1]!.api}/metrics`)).text();
    const stored = /^otel_profile_bridge_store_profiles_stored_total\{store="store"\} (\d+)$/m.exec(text);
    assert.ok(stored, text.slice(0, 2000));
    assert.ok(Number(stored[1]) >= PROFILES.length);
  });
});

describe('a 1 M-sample request into the store written in a worker, against the real CLI', () => {
  let s: ServeChild;
  before(async () => {
    s = await startServe(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  store: { directory: \${DIR}/data, write_in_worker: true }
extensions:
  api: { endpoint: 127.0.0.1:0, ui_directory: \${DIR}/no-ui }
service:
  extensions: [api]
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [store] }
`);
  });
  after(async () => {
    assert.equal(await s.stop(), 0, s.output());
  });

  it('is accepted and stored while /health answers and the event loop never stalls 1 s', async () => {
    const api = s.endpoints['extensions.api']!.http;
    const maxLag = async () => {
      const text = await (await fetch(`http://${api}/metrics`)).text();
      return Number(/^otel_profile_bridge_process_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)![1]);
    };
    await maxLag(); // resets the maximum
    let done = false;
    let probes = 0;
    let slowestMs = 0;
    const prober = (async () => {
      while (!done) {
        const t = performance.now();
        const r = await fetch(`http://${api}/health`);
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        slowestMs = Math.max(slowestMs, performance.now() - t);
        probes++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Built and sent by a separate process, so only the server's event loop is measured.
    const { stdout } = await promisify(execFile)(process.execPath, [SENDER, `http://${s.endpoints['receivers.otlp']!.http}`, '1000000'], {
      timeout: 280_000,
    });
    done = true;
    await prober;
    const sent = JSON.parse(stdout) as { status: number; bytes: number; rejected: number; message: string };
    const stallMs = (await maxLag()) * 1000;
    assert.equal(sent.status, 200, sent.message);
    assert.equal(sent.rejected, 0, sent.message);
    assert.ok(probes >= 3, `only ${probes} probes`);
    assert.ok(stallMs < 1000, `the event loop stalled ${stallMs.toFixed(0)} ms (slowest /health: ${slowestMs.toFixed(0)} ms)`);
    const health = (await (await fetch(`http://${api}/health`)).json()) as { profiles: number };
    assert.equal(health.profiles, 1, 'the 200 came after the commit: the profile is stored');
    // README (Limits) states the bound: peak RSS of the process under 64 × the request's size.
    const peak = procStatusBytes(s.child.pid!, 'VmHWM');
    assert.ok(peak < 64 * sent.bytes, `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB for a ${(sent.bytes / 2 ** 20).toFixed(1)} MiB request`);
  });
});
