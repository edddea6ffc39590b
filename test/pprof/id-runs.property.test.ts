// Property: the integer interning tables give the ids a string-keyed Map would (dense, in order
// of first appearance, equal for equal runs and pairs only), through hash collisions and
// table growth: values come from small domains so runs repeat and collide, and enough of them
// to grow every table several times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IdRuns, IntPairs, RunList } from '../../src/pprof/id-runs.js';

describe('IdRuns, IntPairs and RunList', () => {
  it('IdRuns interns runs as a Map keyed by their text would, and gives each run back', () => {
    const run = fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })), { maxLength: 6 });
    fc.assert(
      fc.property(fc.array(run, { maxLength: 2000 }), (runs) => {
        const t = new IdRuns();
        const ref = new Map<string, number>();
        for (const r of runs) {
          const key = r.join(',');
          if (!ref.has(key)) ref.set(key, ref.size);
          // A longer buffer with only the first r.length elements meant, as the builder passes it.
          const id = t.intern(Int32Array.from([...r, 7, 7]), r.length);
          assert.equal(id, ref.get(key));
          assert.deepEqual(t.ids(id), r);
        }
        assert.equal(t.size, ref.size);
      }),
      { numRuns: 60 },
    );
  });

  it('IntPairs interns pairs as a Map keyed by their text would', () => {
    const int = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(int, int), { maxLength: 3000 }), (pairs) => {
        const t = new IntPairs();
        const ref = new Map<string, number>();
        for (const [x, y] of pairs) {
          const key = `${x},${y}`;
          if (!ref.has(key)) ref.set(key, ref.size);
          assert.equal(t.intern(x, y), ref.get(key));
        }
        assert.equal(t.size, ref.size);
      }),
      { numRuns: 60 },
    );
  });

  it('RunList keeps every run as added, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 40 }), { maxLength: 500 }), (runs) => {
        const l = new RunList();
        runs.forEach((r, i) => assert.equal(l.add(r, r.length), i));
        runs.forEach((r, i) => assert.deepEqual(Array.from(l.pool.subarray(l.start[i]!, l.start[i]! + l.len[i]!)), r));
      }),
      { numRuns: 60 },
    );
  });
});
