import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConsumerError } from '../../src/errors.js';
import type { ExportTraceServiceRequest } from '../../src/otlp/model.js';
import { SpanKind } from '../../src/otlp/model.js';
import { estimateRequestBytes, JoinProcessor, joinConfigSchema, joinProcessorFactory } from '../../src/join/processor.js';
import { InMemorySpanIndex, type SpanContext, type SpanIndex } from '../../src/join/span-index.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR } from '../../src/join/attributes.js';
import { profiles, Recorder, sampleAttrs, sampleLink, traces, TRACE_A } from './data.js';

/** Polls `pred` (bounded) so a broken test fails instead of hanging. */
async function until(pred: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ROOT = 'aaaaaaaaaaaaaaa1';
const CHILD = 'bbbbbbbbbbbbbbb2';
const GHOST = 'eeeeeeeeeeeeeee5';

const rootSpan = { id: ROOT, name: 'GET', kind: SpanKind.SERVER, attrs: { 'http.request.method': 'GET', 'http.route': '/users/:id' } };
const childSpan = { id: CHILD, parent: ROOT, name: 'load user' };

function setup(holdWindowMs: number, maxHoldBytes = 64 * 2 ** 20, index: SpanIndex = new InMemorySpanIndex(), directory?: string) {
  const metrics = new Registry();
  const proc = new JoinProcessor({
    holdWindowMs,
    maxHoldBytes,
    index,
    logger: pino({ level: 'silent' }),
    metrics,
    id: 'join',
    directory,
    retry: { initialIntervalMs: 10, maxIntervalMs: 50 },
  });
  const profileSink = new Recorder();
  const traceSink = new Recorder();
  return {
    proc,
    metrics,
    profileSink,
    traceSink,
    profilesIn: proc.wrapProfiles(profileSink),
    tracesIn: proc.wrapTraces(traceSink),
    value: async (name: string, labels: Record<string, string> = {}) => {
      const m = metrics.getSingleMetric(name);
      assert.ok(m, `metric ${name} is registered`);
      const got = await m.get();
      return got.values.find((v) => Object.entries({ processor: 'join', ...labels }).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
    },
  };
}

describe('join processor', () => {
  it('passes a request through at once when its spans are known', async () => {
    const t = setup(30_000);
    const spans = traces({ shop: [rootSpan, childSpan] });
    await t.tracesIn.consumeTraces(spans);
    assert.equal(t.traceSink.traces[0], spans, 'traces pass through unchanged');
    await t.profilesIn.consumeProfiles(profiles([{ span: CHILD }, {}]));
    assert.equal(t.profileSink.profiles.length, 1, 'delivered before consumeProfiles resolved');
    assert.equal(sampleAttrs(t.profileSink.profiles[0]!, 0)[TRACE_ENDPOINT_ATTR], 'GET /users/:id');
    assert.equal(t.proc.heldRequests, 0);
    assert.equal(await t.value('otel_profile_bridge_join_samples_joined_total'), 1);
    assert.equal(await t.value('otel_profile_bridge_join_spans_indexed_total'), 2);
    assert.ok((await t.value('otel_profile_bridge_join_index_bytes')) > 0);
    await t.proc.shutdown();
  });

  it('holds profiles that arrive before their spans and enriches them when the spans arrive', async () => {
    const t = setup(60_000);
    const res = await t.profilesIn.consumeProfiles(profiles([{ span: CHILD }, { span: ROOT }, {}]));
    assert.deepEqual(res, { rejected: 0 }, 'answered as accepted while held');
    assert.equal(t.profileSink.profiles.length, 0);
    assert.equal(t.proc.heldRequests, 1);
    // The child ends (and is exported) first: the request keeps waiting for the local root.
    await t.tracesIn.consumeTraces(traces({ shop: [childSpan] }));
    assert.equal(t.profileSink.profiles.length, 0);
    await t.tracesIn.consumeTraces(traces({ shop: [rootSpan] }));
    await t.profileSink.waitFor(() => t.profileSink.profiles.length === 1);
    const out = t.profileSink.profiles[0]!;
    assert.deepEqual(sampleAttrs(out, 0), {
      [SPAN_NAME_ATTR]: 'load user',
      [LOCAL_ROOT_SPAN_ID_ATTR]: ROOT,
      [TRACE_ENDPOINT_ATTR]: 'GET /users/:id',
    });
    assert.equal(sampleAttrs(out, 1)[SPAN_NAME_ATTR], 'GET');
    assert.deepEqual(sampleAttrs(out, 2), {});
    assert.equal(t.proc.heldRequests, 0);
    await t.proc.idle();
    assert.equal(await t.value('otel_profile_bridge_join_samples_held_total'), 2);
    assert.equal(await t.value('otel_profile_bridge_join_samples_released_total', { reason: 'resolved' }), 2);
    assert.equal(await t.value('otel_profile_bridge_join_samples_joined_total'), 2);
    assert.equal(await t.value('otel_profile_bridge_join_held_requests'), 0);
    await t.proc.shutdown();
  });

  it('emits after the hold window when spans never arrive, keeping the ids, and counts them', async () => {
    const t = setup(200);
    await t.tracesIn.consumeTraces(traces({ shop: [rootSpan, childSpan] }));
    await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }, { span: CHILD }]));
    assert.equal(t.profileSink.profiles.length, 0);
    await t.profileSink.waitFor(() => t.profileSink.profiles.length === 1, 5000);
    const out = t.profileSink.profiles[0]!;
    assert.deepEqual(sampleLink(out, 0), { traceId: TRACE_A, spanId: GHOST });
    assert.deepEqual(sampleAttrs(out, 0), {}, 'no span context for the unknown span');
    assert.equal(sampleAttrs(out, 1)[SPAN_NAME_ATTR], 'load user', 'the known span in the same request is joined');
    await t.proc.idle();
    assert.equal(await t.value('otel_profile_bridge_join_samples_unjoined_total'), 1);
    assert.equal(await t.value('otel_profile_bridge_join_samples_joined_total'), 1);
    assert.equal(await t.value('otel_profile_bridge_join_samples_released_total', { reason: 'timeout' }), 2);
    await t.proc.shutdown();
  });

  it('releases the oldest holds early when held bytes pass the bound, and drops none', async () => {
    const one = estimateRequestBytes(profiles([{ span: GHOST, value: 0 }]));
    const t = setup(60_000, Math.floor(one * 2.5));
    for (let i = 1; i <= 5; i++) {
      await t.profilesIn.consumeProfiles(profiles([{ span: GHOST, value: i }]));
      assert.ok(t.proc.heldBytes <= one * 2.5, `held ${t.proc.heldBytes} B after request ${i}`);
    }
    assert.equal(t.proc.heldRequests, 2);
    await t.profileSink.waitFor(() => t.profileSink.profiles.length === 3);
    const valueOf = (i: number) => t.profileSink.profiles[i]!.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples[0]!.values[0];
    assert.deepEqual([0, 1, 2].map(valueOf), [1, 2, 3], 'oldest released first');
    await t.proc.shutdown();
    assert.deepEqual([0, 1, 2, 3, 4].map(valueOf), [1, 2, 3, 4, 5], 'the rest flushed on shutdown');
    assert.equal(await t.value('otel_profile_bridge_join_samples_released_total', { reason: 'bound' }), 3);
    assert.equal(await t.value('otel_profile_bridge_join_samples_released_total', { reason: 'shutdown' }), 2);
    assert.equal(await t.value('otel_profile_bridge_join_samples_unjoined_total'), 5);
  });

  it('passes a request bigger than the whole hold bound on at once', async () => {
    const t = setup(60_000, 1024);
    await t.profilesIn.consumeProfiles(profiles(Array.from({ length: 50 }, () => ({ span: GHOST }))));
    assert.equal(t.profileSink.profiles.length, 1);
    assert.equal(t.proc.heldRequests, 0);
    assert.equal(await t.value('otel_profile_bridge_join_samples_released_total', { reason: 'bound' }), 50);
    await t.proc.shutdown();
  });

  it('flushes holds on shutdown and passes later requests straight on', async () => {
    const t = setup(60_000);
    await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }]));
    assert.equal(t.proc.heldRequests, 1);
    await t.proc.shutdown();
    assert.equal(t.profileSink.profiles.length, 1);
    await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }]));
    assert.equal(t.profileSink.profiles.length, 2);
    await t.proc.shutdown();
  });

  it('keeps a released request the next consumer refuses and offers it again until it is taken', async () => {
    const t = setup(50);
    t.profileSink.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'full', { retryable: true });
    const res = await t.profilesIn.consumeProfiles(profiles([{ span: GHOST, value: 7 }]));
    assert.deepEqual(res, { rejected: 0 });
    await until(async () => (await t.value('otel_profile_bridge_join_release_retries_total')) >= 2, 'two refused offers');
    assert.equal(t.proc.heldRequests, 1, 'still held after its release was refused');
    assert.ok(t.proc.heldBytes > 0);
    assert.equal(await t.value('otel_profile_bridge_join_held_requests'), 1);
    t.profileSink.refuseWith = undefined;
    await t.proc.idle();
    assert.equal(t.profileSink.profiles.length, 1, 'delivered once the consumer takes data again');
    assert.equal(t.proc.heldBytes, 0);
    assert.equal(await t.value('otel_profile_bridge_join_dropped_total', { reason: 'refused' }), 0);
    // A request that is not held gets the refusal itself.
    t.profileSink.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'full', { retryable: true });
    await assert.rejects(t.profilesIn.consumeProfiles(profiles([{}])), { code: 'ERR_PIPELINE_FULL' });
    await t.proc.shutdown(Date.now() + 100);
  });

  it('hands new requests on unheld when refused requests fill the bound, so the sender gets the refusal', async () => {
    const one = estimateRequestBytes(profiles([{ span: GHOST }]));
    const t = setup(20, Math.floor(one * 1.5));
    t.profileSink.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'full', { retryable: true, retryAfterSeconds: 0 });
    assert.deepEqual(await t.profilesIn.consumeProfiles(profiles([{ span: GHOST, value: 1 }])), { rejected: 0 });
    await until(async () => (await t.value('otel_profile_bridge_join_release_retries_total')) >= 1, 'the release refused');
    await assert.rejects(t.profilesIn.consumeProfiles(profiles([{ span: GHOST, value: 2 }])), { code: 'ERR_PIPELINE_FULL' });
    assert.equal(t.proc.heldRequests, 1, 'the refused new request is not held');
    t.profileSink.refuseWith = undefined;
    await t.proc.idle();
    assert.deepEqual(
      t.profileSink.profiles.map((r) => r.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples[0]!.values[0]),
      [1],
    );
    // With room again, new requests are held as before.
    assert.deepEqual(await t.profilesIn.consumeProfiles(profiles([{ span: GHOST, value: 3 }])), { rejected: 0 });
    assert.equal(t.proc.heldRequests, 1);
    await t.proc.shutdown();
    assert.equal(t.profileSink.profiles.length, 2);
  });

  it('counts and logs a permanent refusal of a released request as its only drop', async () => {
    const t = setup(10);
    t.profileSink.refuseWith = new ConsumerError('ERR_EXPORT_PERMANENT', 'never fits', { retryable: false });
    await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }]));
    await t.proc.idle();
    assert.equal(await t.value('otel_profile_bridge_join_dropped_total', { reason: 'refused' }), 1);
    assert.equal(await t.value('otel_profile_bridge_join_release_retries_total'), 0);
    assert.equal(t.proc.heldRequests, 0);
    await t.proc.shutdown();
  });

  it('gives up on in-memory holds the next consumer still refuses at the shutdown deadline, counting them', async () => {
    const t = setup(60_000);
    t.profileSink.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'full', { retryable: true });
    await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }]));
    await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }]));
    await t.proc.shutdown(Date.now() + 200);
    assert.equal(await t.value('otel_profile_bridge_join_dropped_total', { reason: 'shutdown' }), 2);
    assert.equal(t.proc.heldRequests, 0);
  });

  it('with a directory, keeps on disk what the next consumer still refuses at the shutdown deadline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-join-deadline-'));
    try {
      const t = setup(60_000, undefined, undefined, dir);
      t.profileSink.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'full', { retryable: true });
      await t.profilesIn.consumeProfiles(profiles([{ span: GHOST }]));
      await t.proc.shutdown(Date.now() + 100);
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.item')).length, 1, 'left for the next start');
      assert.equal(await t.value('otel_profile_bridge_join_dropped_total', { reason: 'shutdown' }), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a directory, holds are on disk before they are acknowledged and a new instance joins and delivers them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-join-holds-'));
    try {
      const first = setup(60_000, undefined, undefined, dir);
      await first.profilesIn.consumeProfiles(profiles([{ span: CHILD, value: 5 }]));
      await first.profilesIn.consumeProfiles(profiles([{ span: CHILD, value: 6 }]));
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.item')).length, 2, 'one file per held request');
      // What a crash would leave: the directory as it is now (the first instance then stops).
      const crashed = `${dir}-crashed`;
      cpSync(dir, crashed, { recursive: true });
      await first.proc.shutdown();
      assert.deepEqual(readdirSync(dir), [], 'a clean stop delivers and deletes its holds');

      const second = setup(60_000, undefined, undefined, crashed);
      await second.tracesIn.consumeTraces(traces({ shop: [rootSpan, childSpan] }));
      await second.proc.start();
      await second.proc.idle();
      assert.deepEqual(
        second.profileSink.profiles.map((r) => r.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.samples[0]!.values[0]),
        [5, 6],
        'oldest first',
      );
      assert.equal(sampleAttrs(second.profileSink.profiles[0]!, 0)[TRACE_ENDPOINT_ATTR], 'GET /users/:id', 'joined after the restart');
      assert.deepEqual(readdirSync(crashed), [], 'delivered holds deleted');
      await second.proc.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}-crashed`, { recursive: true, force: true });
    }
  });

  it('does not miss spans indexed while a profile request is being looked up', async () => {
    const inner = new InMemorySpanIndex();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let gated = true;
    // An index whose lookups take a while, as a remote one would.
    const slow: SpanIndex = {
      put: (req: ExportTraceServiceRequest) => inner.put(req),
      lookup: async (ids: Iterable<string>): Promise<Map<string, SpanContext>> => {
        // Answers as of when it was asked, but only after a delay.
        const answer = await inner.lookup(ids);
        if (gated) {
          gated = false;
          await gate;
        }
        return answer;
      },
      get size() {
        return inner.size;
      },
      get bytes() {
        return inner.bytes;
      },
      get evictions() {
        return inner.evictions;
      },
    };
    const t = setup(60_000, 64 * 2 ** 20, slow);
    const pending = t.profilesIn.consumeProfiles(profiles([{ span: ROOT }]));
    await t.tracesIn.consumeTraces(traces({ shop: [rootSpan] }));
    open();
    await pending;
    await t.profileSink.waitFor(() => t.profileSink.profiles.length === 1);
    assert.equal(sampleAttrs(t.profileSink.profiles[0]!, 0)[SPAN_NAME_ATTR], 'GET');
    await t.proc.shutdown();
  });

  it('joins spans sent through several profiles pipelines to each pipeline’s own consumer', async () => {
    const t = setup(60_000);
    const other = new Recorder();
    const otherIn = t.proc.wrapProfiles(other);
    await otherIn.consumeProfiles(profiles([{ span: ROOT }]));
    await t.profilesIn.consumeProfiles(profiles([{ span: ROOT }]));
    await t.tracesIn.consumeTraces(traces({ shop: [rootSpan] }));
    await other.waitFor(() => other.profiles.length === 1);
    await t.profileSink.waitFor(() => t.profileSink.profiles.length === 1);
    await t.proc.shutdown();
  });
});

describe('join config', () => {
  it('fills defaults and reads durations and sizes', () => {
    assert.deepEqual(joinConfigSchema.parse({}), {
      hold_window: 10_000,
      max_hold_bytes: 64 * 2 ** 20,
      max_spans_bytes: 64 * 2 ** 20,
      span_ttl: 300_000,
      retry: { initial_interval: 200, max_interval: 5000 },
    });
    assert.deepEqual(joinConfigSchema.parse({ hold_window: '200ms', max_hold_bytes: '1MiB', max_spans_bytes: 1 << 20, span_ttl: '1m30s' }), {
      hold_window: 200,
      max_hold_bytes: 2 ** 20,
      max_spans_bytes: 2 ** 20,
      span_ttl: 90_000,
      retry: { initial_interval: 200, max_interval: 5000 },
    });
    assert.equal(joinConfigSchema.safeParse({ hold_window: 'soon' }).success, false);
    assert.equal(joinConfigSchema.safeParse({ holdwindow: '1s' }).success, false, 'unknown keys are refused');
    assert.equal(joinProcessorFactory.type, 'join');
  });

  it('two join processors can share one registry', async () => {
    const metrics = new Registry();
    const ctx = (id: string) => ({ id, logger: pino({ level: 'silent' }), metrics, lookup: () => undefined });
    const a = joinProcessorFactory.create(joinConfigSchema.parse({}), ctx('join'));
    const b = joinProcessorFactory.create(joinConfigSchema.parse({}), ctx('join/b'));
    await a.wrapTraces!(new Recorder()).consumeTraces(traces({ s: [rootSpan] }));
    await b.wrapTraces!(new Recorder()).consumeTraces(traces({ s: [rootSpan, childSpan] }));
    const text = await metrics.getSingleMetricAsString('otel_profile_bridge_join_spans_indexed_total');
    assert.match(text, /processor="join"} 1/);
    assert.match(text, /processor="join\/b"} 2/);
    await a.shutdown?.();
    await b.shutdown?.();
  });
});
