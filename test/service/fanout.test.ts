// The fan-out's delivery rule: a retryable refusal by any consumer refuses the whole offer
// (so no consumer misses acknowledged data), and offering the same request again reaches
// only the consumers that have not taken it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ConsumerError } from '../../src/errors.js';
import { fanOutProfiles } from '../../src/service/fanout.js';
import { profiles, Recorder } from '../join/data.js';

const logger = pino({ level: 'silent' });

describe('fan-out', () => {
  it('refuses retryably when one consumer does, and re-offers the same request only to that one', async () => {
    const a = new Recorder();
    const b = new Recorder();
    const fan = fanOutProfiles(
      [
        { id: 'a', consumer: a },
        { id: 'b', consumer: b },
      ],
      logger,
    );
    b.refuseWith = new ConsumerError('ERR_PIPELINE_FULL', 'full', { retryable: true, retryAfterSeconds: 3 });
    const req = profiles([{ value: 1 }]);
    await assert.rejects(
      fan.consumeProfiles(req),
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_PIPELINE_FULL' && e.retryable && e.retryAfterSeconds === 3,
    );
    assert.equal(a.profiles.length, 1);
    b.refuseWith = undefined;
    assert.deepEqual(await fan.consumeProfiles(req), { rejected: 0 });
    assert.equal(a.profiles.length, 1, 'not sent twice to the consumer that took it');
    assert.equal(b.profiles.length, 1);
    // A new request (a sender's retry) goes to every consumer.
    await fan.consumeProfiles(profiles([{ value: 1 }]));
    assert.deepEqual([a.profiles.length, b.profiles.length], [2, 2]);
  });

  it('does not refuse for a permanent refusal when another consumer took the data', async () => {
    const a = new Recorder();
    const b = new Recorder();
    const fan = fanOutProfiles(
      [
        { id: 'a', consumer: a },
        { id: 'b', consumer: b },
      ],
      logger,
    );
    b.refuseWith = new ConsumerError('ERR_EXPORT_PERMANENT', 'never fits', { retryable: false });
    const res = await fan.consumeProfiles(profiles([{}]));
    assert.equal(res.rejected, 0);
    assert.match(res.message ?? '', /never fits/);
    a.refuseWith = new ConsumerError('ERR_EXPORT_PERMANENT', 'bad', { retryable: false });
    await assert.rejects(fan.consumeProfiles(profiles([{}])), { code: 'ERR_EXPORT_PERMANENT' });
  });
});
