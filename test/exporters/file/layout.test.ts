import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileTimestamp, rfc3339Nano, safeSegment } from '../../../src/exporters/file/layout.js';

describe('file exporter layout', () => {
  it('start times are fixed-width, sortable and free of colons', () => {
    assert.equal(fileTimestamp(1_764_065_700_123_456_789n), '20251125T101500.123456789Z');
    assert.equal(fileTimestamp(0n), '19700101T000000.000000000Z');
    assert.equal(rfc3339Nano(1_764_065_700_000_000_001n), '2025-11-25T10:15:00.000000001Z');
    const times = [5n, 1_000_000_000n, 1_764_065_700_123_456_789n, 1_764_065_700_123_456_790n, 4_102_444_800_000_000_000n];
    const names = times.map(fileTimestamp);
    assert.deepEqual([...names].sort(), names);
    for (const n of names) assert.match(n, /^\d{8}T\d{6}\.\d{9}Z$/);
  });

  it('segments: safe characters only, no dot names, long names cut with a hash', () => {
    assert.equal(safeSegment('checkout-svc_1.2', 'x'), 'checkout-svc_1.2');
    assert.equal(safeSegment('../..', 'x'), '_.._..');
    assert.equal(safeSegment('.', 'x'), '_.');
    assert.equal(safeSegment('', 'fallback'), 'fallback');
    assert.equal(safeSegment('café au lait', 'x'), 'caf_au_lait');
    const a = safeSegment('s'.repeat(300), 'x');
    const b = safeSegment(`${'s'.repeat(299)}t`, 'x');
    assert.equal(a.length, 100);
    assert.notEqual(a, b);
  });
});
