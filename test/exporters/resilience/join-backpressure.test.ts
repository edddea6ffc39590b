// Back-pressure through the join: the backend is down and the exporter's in-memory queue is
// small, so released holds are refused; the join keeps them (bounded by max_hold_bytes)
// and, once that is full, the sender is answered 429 with Retry-After instead of 200. When
// the backend is back, every profile that was answered 200 arrives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeProfilesRequest } from '../../../src/otlp/encode.js';
import { waitUntil } from '../helpers/backends.js';
import { outageRig, uploadKeys } from '../helpers/child-bridge.js';
import { joinedRequest } from '../helpers/joined.js';

const MAX_REQUESTS = 400;
/** 429s to see before the backend comes back. */
const REFUSALS = 5;

describe('join back-pressure with the backend down', () => {
  const rig = outageRig('opb-join-bp-');
  const dir = rig.dir;

  it('answers 429 once the hold is full and delivers every acknowledged profile after the backend returns', async (t) => {
    const backend = await rig.downBackend();
    const config = join(dir, 'bridge.yaml');
    writeFileSync(
      config,
      `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: 100ms, max_hold_bytes: 64KiB, retry: { initial_interval: 50ms, max_interval: 300ms } }
exporters:
  pyroscope:
    endpoint: ${backend.url}
    sending_queue: { max_bytes: 8KiB }
    retry: { initial_interval: 100ms, max_interval: 300ms, max_elapsed_time: 0 }
service:
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], processors: [join], exporters: [pyroscope] }
`,
    );
    const bridge = await rig.start(config);

    const acked: number[] = [];
    const refused: { seq: number; retryAfter: string | null }[] = [];
    for (let seq = 0; seq < MAX_REQUESTS && refused.length < REFUSALS; seq++) {
      const res = await fetch(`${bridge.http}/v1development/profiles`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf' },
        body: encodeProfilesRequest(joinedRequest({ seq })),
      });
      await res.arrayBuffer();
      if (res.status === 200) acked.push(seq);
      else if (res.status === 429) refused.push({ seq, retryAfter: res.headers.get('retry-after') });
      else assert.fail(`unexpected status ${res.status} for request ${seq}`);
    }
    t.diagnostic(`${acked.length} answered 200, then ${refused.length} answered 429`);
    assert.equal(refused.length, REFUSALS, 'the sender is pushed back once the hold is full');
    assert.ok(acked.length > 0, 'requests were acknowledged before the hold filled');
    for (const r of refused) assert.match(r.retryAfter ?? '', /^\d+$/, 'every 429 says when to retry');

    await backend.up();
    const expected = acked.flatMap((seq) => ['samples', 'wall'].map((type) => `${seq}/${type}`));
    const arrived = () => uploadKeys(backend);
    await waitUntil(() => expected.every((k) => arrived().has(k)), 30_000, 'every acknowledged profile at the backend');

    bridge.proc.kill('SIGTERM');
    assert.equal(await bridge.exited, 0, 'clean shutdown');
    const drops = bridge.logs.filter((l) => typeof l.msg === 'string' && /dropped/.test(l.msg));
    assert.deepEqual(drops, [], 'nothing acknowledged was dropped');
  });
});
