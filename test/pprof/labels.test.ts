import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalToHex16, hexToDecimal, linkIds, sampleLabels, type ResolvedAttribute } from '../../src/pprof/labels.js';
import { SPAN_ID_DEC, SPAN_ID_HEX, TRACE_ID_HEX } from '../helpers/profile-fixtures.js';

const attr = (key: string, value: ResolvedAttribute['value'], unit = ''): ResolvedAttribute => ({ key, value, unit });
const link = { traceId: Buffer.from(TRACE_ID_HEX, 'hex'), spanId: Buffer.from(SPAN_ID_HEX, 'hex') };

describe('pprof labels', () => {
  it('span ids: hex <-> unsigned 64-bit decimal, big-endian', () => {
    assert.equal(hexToDecimal(SPAN_ID_HEX), SPAN_ID_DEC);
    assert.equal(hexToDecimal('ffffffffffffffff'), '18446744073709551615');
    assert.equal(decimalToHex16(SPAN_ID_DEC), SPAN_ID_HEX);
    assert.equal(decimalToHex16('1'), '0000000000000001');
    assert.equal(decimalToHex16('18446744073709551616'), undefined);
  });

  it('links: zero or empty ids are unlinked; wrong lengths are errors', () => {
    assert.equal(linkIds({ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }), undefined);
    assert.equal(linkIds({ traceId: new Uint8Array(0), spanId: new Uint8Array(0) }), undefined);
    assert.deepEqual(linkIds(link), { traceId: TRACE_ID_HEX, spanId: SPAN_ID_HEX, spanIdDecimal: SPAN_ID_DEC });
    assert.throws(() => linkIds({ traceId: new Uint8Array(3).fill(1), spanId: new Uint8Array(8) }), /trace_id has 3 bytes/);
  });

  it('both conventions from a link, join attributes renamed, others kept; link wins over attributes', () => {
    const out = sampleLabels(
      link,
      [
        attr('span_id', { stringValue: '1111111111111111' }),
        attr('span.name', { stringValue: 'GET /a' }),
        attr('trace.endpoint', { stringValue: 'GET /a' }),
        attr('local_root_span.id', { stringValue: 'FFFFFFFFFFFFFFFF' }),
        attr('pid', { intValue: 12n }, '{pid}'),
        attr('ok', { boolValue: false }),
        attr('load', { doubleValue: 1.25 }),
        attr('tags', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1n }] } }),
        attr('empty', { stringValue: '' }),
        attr('none', {}),
        attr('interned', { stringValueStrindex: 1 }),
      ],
      ['', 'from-table'],
    );
    assert.deepEqual(out.labels, [
      { key: 'trace_id', str: TRACE_ID_HEX },
      { key: 'span_id', str: SPAN_ID_HEX },
      { key: 'span id', str: SPAN_ID_DEC },
      { key: 'span_name', str: 'GET /a' },
      { key: 'trace endpoint', str: 'GET /a' },
      { key: 'local root span id', str: '18446744073709551615' },
      { key: 'pid', num: 12, numUnit: '{pid}' },
      { key: 'ok', str: 'false' },
      { key: 'load', str: '1.25' },
      { key: 'tags', str: '["a","1"]' },
      { key: 'interned', str: 'from-table' },
    ]);
    assert.equal(out.endpoint, 'GET /a');
    assert.equal(out.localRootSpanId, '18446744073709551615');
    assert.equal(out.traceId, TRACE_ID_HEX);
  });

  it('without a link: span id from `span id` (decimal) or `span.id` (hex) attributes', () => {
    const dec = sampleLabels(undefined, [attr('span id', { stringValue: SPAN_ID_DEC })], []);
    assert.deepEqual(dec.labels, [
      { key: 'span_id', str: SPAN_ID_HEX },
      { key: 'span id', str: SPAN_ID_DEC },
    ]);
    const hex = sampleLabels(undefined, [attr('span.id', { stringValue: SPAN_ID_HEX }), attr('trace_id', { stringValue: TRACE_ID_HEX })], []);
    assert.deepEqual(
      hex.labels.map((l) => l.key),
      ['trace_id', 'span_id', 'span id'],
    );
    // Not an id: kept under its own key.
    const junk = sampleLabels(undefined, [attr('span.id', { stringValue: 'nope' }), attr('local_root_span.id', { stringValue: 'xyz' })], []);
    assert.deepEqual(junk.labels, [
      { key: 'local_root_span.id', str: 'xyz' },
      { key: 'span.id', str: 'nope' },
    ]);
  });

  it('huge integers stay exact (bigint) as numeric labels', () => {
    const out = sampleLabels(undefined, [attr('big', { intValue: 2n ** 62n })], []);
    assert.deepEqual(out.labels, [{ key: 'big', num: 2n ** 62n, numUnit: '' }]);
  });
});
