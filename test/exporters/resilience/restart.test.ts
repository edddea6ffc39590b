// A crash with a persisted queue: a bridge process (the real CLI) queues profiles while
// its backend is down, is killed with SIGKILL, and a second process started on the same
// config delivers everything once the backend is back — in order per series.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePprofIndependent } from '../../helpers/pprof-decoded.js';
import { waitUntil } from '../helpers/backends.js';
import { outageRig } from '../helpers/child-bridge.js';
import { T0_SECONDS, joinedRequest } from '../helpers/joined.js';
import { postProfiles } from '../../helpers/bridge.js';

const REQUESTS = 6;

describe('restart with a persisted queue', () => {
  const rig = outageRig('opb-restart-');
  const dir = rig.dir;

  it('delivers what a SIGKILLed bridge had queued while the backend was down', async (t) => {
    const backend = await rig.downBackend(); // reserve a port, then refuse connections on it
    const queueDir = join(dir, 'queue');
    const config = join(dir, 'bridge.yaml');
    writeFileSync(
      config,
      `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  pyroscope:
    endpoint: ${backend.url}
    sending_queue: { directory: ${JSON.stringify(queueDir)}, drain_timeout: 200ms }
    retry: { initial_interval: 100ms, max_interval: 500ms }
service:
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], exporters: [pyroscope] }
`,
    );

    const first = await rig.start(config);
    for (let seq = 0; seq < REQUESTS; seq++) {
      // 200 means the items are on disk: the exporter persists before the receiver answers.
      assert.equal(await postProfiles(first.http, joinedRequest({ seq, service: seq % 2 === 0 ? 'cart' : 'search' })), 200);
    }
    const itemDir = join(queueDir, 'pyroscope');
    assert.equal(readdirSync(itemDir).filter((f) => f.endsWith('.item')).length, REQUESTS * 2);
    first.proc.kill('SIGKILL');
    await first.exited;

    await backend.up();
    const second = await rig.start(config);
    await waitUntil(() => backend.accepted.length >= REQUESTS * 2, 15_000, 'queued uploads delivered by the second process');
    const reloaded = second.logs.find((l) => l.msg === 'reloaded persisted sending queue');
    assert.equal(reloaded?.items, REQUESTS * 2);
    t.diagnostic(`second process reloaded ${String(reloaded?.items)} items (${String(reloaded?.bytes)} bytes)`);

    second.proc.kill('SIGTERM');
    assert.equal(await second.exited, 0, 'clean shutdown');
    assert.equal(backend.accepted.length, REQUESTS * 2, 'nothing sent twice');
    const bySeries = new Map<string, number[]>();
    for (const c of backend.accepted) {
      const app = c.url.searchParams.get('name')!.split('{')[0]!;
      const type = decodePprofIndependent(c.body).sampleTypes[0]!.type;
      const key = `${app}/${type}`;
      bySeries.set(key, [...(bySeries.get(key) ?? []), Number(c.url.searchParams.get('from')) - T0_SECONDS]);
    }
    assert.deepEqual(bySeries.get('cart/samples'), [0, 2, 4]);
    assert.deepEqual(bySeries.get('cart/wall'), [0, 2, 4]);
    assert.deepEqual(bySeries.get('search/samples'), [1, 3, 5]);
    assert.deepEqual(bySeries.get('search/wall'), [1, 3, 5]);
    assert.deepEqual(readdirSync(itemDir), [], 'delivered items deleted');
  });
});
