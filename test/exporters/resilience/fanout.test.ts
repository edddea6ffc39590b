// Two exporters in one pipeline, one backend down: the healthy exporter's deliveries go on
// as before (latency is measured with and without the outage and reported, not asserted),
// the receiver keeps answering 200, and the down exporter holds its data for later.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpBackend, waitUntil } from '../helpers/backends.js';
import { T0_SECONDS, joinedRequest } from '../helpers/joined.js';
import { RECEIVER_YAML, metricValue, postProfiles, startBridge, type RunningBridge } from '../../helpers/bridge.js';

const ROUNDS = 12;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('fan-out: one backend down does not stall the other', () => {
  let healthy: HttpBackend;
  let flaky: HttpBackend;
  let run: RunningBridge;
  before(async () => {
    healthy = await HttpBackend.start();
    flaky = await HttpBackend.start();
    run = await startBridge(`${RECEIVER_YAML}
exporters:
  pyroscope/healthy:
    endpoint: ${healthy.url}
  pyroscope/flaky:
    endpoint: ${flaky.url}
    retry: { initial_interval: 200ms, max_interval: 1s }
service:
  pipelines:
    profiles: { receivers: [otlp], exporters: [pyroscope/healthy, pyroscope/flaky] }
`);
  });
  after(async () => {
    await run.stop();
    await healthy.close();
    await flaky.close();
  });

  /** Sends ROUNDS requests one after another; returns ms from POST to the healthy backend's receipt of the cpu upload. */
  async function measure(firstSeq: number): Promise<number[]> {
    const latencies: number[] = [];
    for (let seq = firstSeq; seq < firstSeq + ROUNDS; seq++) {
      const t0 = Date.now();
      assert.equal(await postProfiles(run.http, joinedRequest({ seq, types: ['cpu'] })), 200);
      const from = String(T0_SECONDS + seq);
      await waitUntil(() => healthy.accepted.some((c) => c.url.searchParams.get('from') === from), 10_000, `healthy upload ${seq}`);
      latencies.push(healthy.accepted.find((c) => c.url.searchParams.get('from') === from)!.at - t0);
    }
    return latencies;
  }

  it('keeps delivering to the healthy backend while the other is unreachable', async (t) => {
    await measure(1000); // warm-up (JIT, connections), not reported
    const bothUp = await measure(0);
    await waitUntil(() => flaky.accepted.length === 2 * ROUNDS, 10_000, 'flaky backend got the first rounds');
    flaky.accepted.splice(0, ROUNDS); // forget the warm-up
    healthy.accepted.splice(0, ROUNDS);
    // Going down while an answer is still on the wire would make the exporter send it again.
    await waitUntil(
      async () => (await metricValue(run.metrics, 'otel_profile_bridge_exporter_sent_total', { exporter: 'pyroscope/flaky' })) === 2 * ROUNDS,
      5000,
      'flaky answers read',
    );

    await flaky.down();
    const oneDown = await measure(ROUNDS);
    t.diagnostic(
      `healthy exporter delivery latency, median (max) over ${ROUNDS}: both up ${median(bothUp)} ms (${Math.max(...bothUp)}), other down ${median(oneDown)} ms (${Math.max(...oneDown)})`,
    );

    assert.equal(healthy.accepted.length, 2 * ROUNDS);
    assert.equal(flaky.accepted.length, ROUNDS);
    await waitUntil(
      async () => (await metricValue(run.metrics, 'otel_profile_bridge_exporter_retried_total', { exporter: 'pyroscope/flaky' })) > 0,
      10_000,
      'flaky retries',
    );
    assert.ok(
      (await metricValue(run.metrics, 'otel_profile_bridge_exporter_queue_items', { exporter: 'pyroscope/flaky' })) >= ROUNDS - 1,
      'the down exporter holds its data',
    );
    await waitUntil(
      async () => (await metricValue(run.metrics, 'otel_profile_bridge_exporter_queue_items', { exporter: 'pyroscope/healthy' })) === 0,
      5000,
      'healthy queue empty',
    );

    // And when it comes back, the held data follows.
    await flaky.up();
    await waitUntil(() => flaky.accepted.length === 2 * ROUNDS, 15_000, 'held uploads delivered after recovery');
    const froms = flaky.accepted.slice(ROUNDS).map((c) => Number(c.url.searchParams.get('from')) - T0_SECONDS);
    assert.deepEqual(
      froms,
      Array.from({ length: ROUNDS }, (_, i) => ROUNDS + i),
      'in order',
    );
  });
});
