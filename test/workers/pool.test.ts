// The worker pool: the same checks as the inline path (bytes, counts, messages, error classes),
// zero-copy hand-over of the body, a bounded queue that refuses with a retryable 429, and
// results handed on in submission order per key.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeProfilesRequest, encodeTracesRequest, profilesRequestToJson } from '../../src/otlp/index.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/otlp/prescan/index.js';
import { BridgeError, ConsumerError, DecodeError, RequestLimitError } from '../../src/errors.js';
import { checkedProfiles, countProfiles } from '../../src/receivers/otlp/checked.js';
import { answerFor } from '../../src/receivers/otlp/status.js';
import { WorkerPool } from '../../src/workers/pool.js';
import { fullProfilesRequest, withRefusedProfile } from '../fixtures/profiles-request.js';
import { everyFieldTracesRequest } from '../fixtures/otlp-every-field.js';
import { bigProfileBody } from '../helpers/big-profile-sender.js';

const limits = { values: DEFAULT_REQUEST_LIMITS, configKey: 'receivers.otlp.protocols.http.limits' };

describe('worker pool', () => {
  const pool = new WorkerPool({ threads: 2, maxQueued: 4 });
  after(() => pool.close());

  it('checks a valid protobuf request: the same bytes come back, transferred, not copied', async () => {
    const body = encodeProfilesRequest(fullProfilesRequest());
    const copy = body.slice();
    const out = await pool.run('check', { signal: 'profiles', format: 'proto', body, limits }, [body.buffer as ArrayBuffer]);
    assert.equal(body.byteLength, 0, 'the caller no longer holds the body: it moved to the worker');
    assert.deepEqual(out.bytes, copy);
    assert.equal(out.items, countProfiles(fullProfilesRequest()));
    assert.equal(out.rejected, 0);
  });

  it('removes what the inline path removes, with the same messages, and re-encodes the rest', async () => {
    const req = withRefusedProfile();
    const inline = checkedProfiles(encodeProfilesRequest(req), 'proto');
    assert.equal(inline.rejected, 1);
    for (const [format, body] of [
      ['proto', encodeProfilesRequest(req)],
      ['json', Buffer.from(JSON.stringify(profilesRequestToJson(req)))],
    ] as const) {
      const out = await pool.run('check', { signal: 'profiles', format, body: new Uint8Array(body), limits });
      assert.equal(out.rejected, 1, format);
      assert.deepEqual(out.messages, inline.messages, format);
      assert.equal(out.items, countProfiles(inline.request), format);
      assert.deepEqual(out.bytes, encodeProfilesRequest(inline.request), format);
    }
  });

  it('checks traces too', async () => {
    const body = encodeTracesRequest(everyFieldTracesRequest());
    const out = await pool.run('check', { signal: 'traces', format: 'proto', body: body.slice(), limits });
    assert.deepEqual(out.bytes, body);
    assert.ok(out.items > 0);
  });

  it('throws the inline error classes, codes and messages across the thread boundary', async () => {
    await assert.rejects(
      pool.run('check', { signal: 'profiles', format: 'proto', body: new Uint8Array([0x0a, 0x05, 0x01]), limits }),
      (e: unknown) => {
        assert.ok(e instanceof DecodeError && e.code === 'ERR_OTLP_DECODE', String(e));
        return true;
      },
    );
    const tight = { values: { ...DEFAULT_REQUEST_LIMITS, max_samples: 1 }, configKey: 'receivers.otlp.protocols.grpc.limits' };
    await assert.rejects(
      pool.run('check', { signal: 'profiles', format: 'proto', body: encodeProfilesRequest(fullProfilesRequest()), limits: tight }),
      (e: unknown) => {
        assert.ok(e instanceof RequestLimitError, String(e));
        assert.equal(e.limit, 'max_samples');
        assert.match(e.message, /raise receivers\.otlp\.protocols\.grpc\.limits\.max_samples/);
        assert.equal(answerFor(e, 1).httpStatus, 413);
        return true;
      },
    );
  });

  it("converts request bytes to gzip'd pprof", async () => {
    const out = await pool.run('pprof', { format: 'proto', body: encodeProfilesRequest(fullProfilesRequest()), limits });
    assert.equal(out.profiles.length, countProfiles(fullProfilesRequest()));
    assert.deepEqual([...out.profiles[0]!.subarray(0, 2)], [0x1f, 0x8b]);
    assert.ok(out.samples > 0);
  });

  it('hands results on in submission order for one key, whichever worker finishes first', async () => {
    const big = bigProfileBody(200_000);
    const small = encodeProfilesRequest(fullProfilesRequest());
    const order: string[] = [];
    const a = pool.run('check', { signal: 'profiles', format: 'proto', body: big, limits }, [], 'sender-1').then(() => order.push('big'));
    const b = pool.run('check', { signal: 'profiles', format: 'proto', body: small, limits }, [], 'sender-1').then(() => order.push('small'));
    await Promise.all([a, b]);
    assert.deepEqual(order, ['big', 'small']);
  });
});

describe('worker pool back-pressure', () => {
  it('refuses a task when every thread is busy and the queue is full: retryable, 429 with Retry-After', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueued: 1, retryAfterSeconds: 3 });
    try {
      const body = () => encodeProfilesRequest(fullProfilesRequest());
      // Submitted in one synchronous run: the first cannot have come back before the third is refused.
      const first = pool.run('check', { signal: 'profiles', format: 'proto', body: body(), limits });
      const second = pool.run('check', { signal: 'profiles', format: 'proto', body: body(), limits });
      const third = pool.run('check', { signal: 'profiles', format: 'proto', body: body(), limits });
      assert.deepEqual(pool.stats, { threads: 1, busy: 1, queued: 1, ran: {} });
      await assert.rejects(third, (e: unknown) => {
        assert.ok(e instanceof ConsumerError && e.code === 'ERR_PIPELINE_FULL' && e.retryable, String(e));
        const a = answerFor(e, 1);
        assert.equal(a.httpStatus, 429);
        assert.equal(a.retryAfterSeconds, 3);
        assert.match(a.message, /all 1 worker threads are busy and 1 requests wait/);
        return true;
      });
      // What was admitted still completes.
      assert.equal((await first).items, countProfiles(fullProfilesRequest()));
      assert.equal((await second).items, countProfiles(fullProfilesRequest()));
      assert.deepEqual(pool.stats.ran, { check: 2 }, 'the refused task never ran');
    } finally {
      await pool.close();
    }
  });

  it('a stopped pool refuses with a retryable error', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueued: 0 });
    await pool.close();
    await assert.rejects(
      pool.run('check', { signal: 'profiles', format: 'proto', body: new Uint8Array(0), limits }),
      (e: unknown) => e instanceof BridgeError && e.retryable,
    );
  });
});

describe('service.workers config', () => {
  it('defaults to one thread per core and 64 waiting requests; 0 threads is allowed', async () => {
    const { availableParallelism } = await import('node:os');
    const { workersConfigSchema } = await import('../../src/workers/config.js');
    assert.deepEqual(workersConfigSchema.parse(undefined), { threads: availableParallelism(), max_queued: 64 });
    assert.deepEqual(workersConfigSchema.parse({ threads: 0 }), { threads: 0, max_queued: 64 });
    assert.throws(() => workersConfigSchema.parse({ threads: -1 }));
    assert.throws(() => workersConfigSchema.parse({ thread: 2 }));
  });
});
