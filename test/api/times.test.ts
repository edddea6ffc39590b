// Times are finite and real dates: an offset of hundreds of digits, a unix time past what a
// Date holds, 30 February or 24:00 are refused with 400 and a message that says why (they
// used to answer 200 with `"from": null`, or a day in March).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '../../src/store/query/errors.js';
import { MAX_TIME_MS, parseDurationMs, parseTime } from '../../src/store/query/time.js';
import { getJson, startProfiler, type Profiler } from './helpers.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

function refusal(text: string): string {
  try {
    parseTime(text, NOW, 'from');
  } catch (e) {
    assert.ok(e instanceof QueryError);
    assert.equal(e.reason, 'time_range');
    return e.message;
  }
  assert.fail(`${text} was accepted`);
}

describe('times must be finite and real dates', () => {
  it('refuses offsets and unix times no Date can hold, naming the parameter', () => {
    const huge = '9'.repeat(400);
    assert.match(refusal(`now-${huge}d`), /^from: "now-9+\.\.\." is not a time; the offset after now- must be a finite duration/);
    assert.match(refusal(`now+${'9'.repeat(300)}ms`), /is out of range; a time must lie within 100 000 000 days of 1970-01-01/);
    assert.match(refusal('9999999999999999'), /is out of range/);
    assert.equal(parseTime(String(MAX_TIME_MS), NOW, 'to'), MAX_TIME_MS, 'the last representable time is fine');
    assert.equal(parseTime('now-20000d', NOW, 'from'), NOW - 20_000 * 86_400_000, 'so are times before 1970');
    assert.equal(parseDurationMs(huge), undefined);
    assert.equal(parseDurationMs(`${huge}w`), undefined);
  });

  it('refuses calendar dates and times of day that do not exist', () => {
    assert.match(refusal('2025-02-30T00:00:00Z'), /"2025-02-30T00:00:00Z" is not a real date: 2025-02 has no day 30 \(it has 28 days\)/);
    assert.match(refusal('2025-02-29T00:00:00Z'), /has no day 29/);
    assert.match(refusal('2025-04-31T10:00:00+02:00'), /2025-04 has no day 31 \(it has 30 days\)/);
    assert.match(refusal('2025-00-10T00:00:00Z'), /month 00 does not exist/);
    assert.match(refusal('2025-13-01T00:00:00Z'), /month 13 does not exist/);
    assert.match(refusal('2025-01-01T24:00:00Z'), /24:00:00 is not a time of day/);
    assert.match(refusal('2025-01-01T23:59:60Z'), /is not a time of day/);
    assert.match(refusal('2025-01-01T00:00:00+24:00'), /zone offset 24:00 does not exist/);
    assert.equal(parseTime('2024-02-29T00:00:00Z', NOW, 'from'), Date.UTC(2024, 1, 29), 'a leap day is real');
    assert.equal(parseTime('2025-12-31T23:59:59.999-00:30', NOW, 'from'), Date.UTC(2026, 0, 1, 0, 29, 59, 999));
  });

  describe('over HTTP', () => {
    let p: Profiler;
    before(async () => {
      p = await startProfiler();
    });
    after(() => p.stop());

    for (const [path, params] of [
      ['/api/v1/search', { from: `now-${'9'.repeat(400)}d` }],
      ['/api/v1/search', { from: '2025-02-30T00:00:00Z', to: '2025-03-05T00:00:00Z' }],
      ['/api/v1/flame', { to: '99999999999999999' }],
      ['/api/v1/labels', { seconds: '9'.repeat(300) }],
      ['/api/v1/timeseries', { from: 'now-1h', step: `${'9'.repeat(400)}s` }],
      ['/api/v1/spans/slow', { from: `now+${'9'.repeat(400)}h` }],
    ] as const) {
      it(`${path} ${JSON.stringify(params).slice(0, 60)}: 400 time_range`, async () => {
        const r = await getJson(p, path, params);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'ERR_QUERY');
        assert.equal(r.body.error.reason, 'time_range');
        assert.ok(r.body.error.message.length < 300, 'the message does not echo 400 digits');
      });
    }

    it('a valid range still answers 200 with numeric times', async () => {
      const r = await getJson(p, '/api/v1/search', { from: '2024-02-29T00:00:00Z', to: 'now' });
      assert.equal(r.status, 200);
      assert.equal(r.body.from, Date.UTC(2024, 1, 29));
      assert.equal(typeof r.body.to, 'number');
    });
  });
});
