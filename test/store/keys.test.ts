// SeqInterner (ingest/keys.ts): dense ids for number lists, found by hash and compared by
// value. Checked against a model keyed by the lists' text, with values that collide in the
// hash on purpose (equal low 32 bits) and tables small enough to probe and grow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdSeqInterner, SeqInterner } from '../../src/store/ingest/keys.js';

describe('SeqInterner', () => {
  it('gives equal lists one id and different lists different ids, in first-seen order', () => {
    // Values that share their low 32 bits (2^32 apart) hash alike; negatives and fractions too.
    const value = fc.oneof(
      fc.nat(5),
      fc.nat(5).map((v) => v + 2 ** 32),
      fc.constantFrom(-1, 0.5, 2 ** 53 - 1),
    );
    fc.assert(
      fc.property(fc.nat(40), fc.array(fc.array(value, { maxLength: 4 }), { maxLength: 200 }), (hint, lists) => {
        const interner = new SeqInterner(hint);
        const model = new Map<string, number>();
        for (const l of lists) {
          const key = JSON.stringify(l);
          if (!model.has(key)) model.set(key, model.size);
          // A longer buffer read up to n, as callers pass reused buffers.
          const buf = [...l, 99, 98];
          assert.equal(interner.intern(buf, l.length), model.get(key));
        }
        assert.equal(interner.size, model.size);
      }),
    );
  });
});

describe('IdSeqInterner', () => {
  it('gives equal id lists one id and different lists different ids, in first-seen order', () => {
    // Ids that share their low bits (and so hash alike in small tables), and int32 extremes.
    const value = fc.oneof(
      fc.nat(5),
      fc.nat(5).map((v) => v * 1024),
      fc.constantFrom(0, 2 ** 31 - 1, -(2 ** 31)),
    );
    fc.assert(
      fc.property(fc.nat(40), fc.array(fc.array(value, { maxLength: 6 }), { maxLength: 200 }), (hint, lists) => {
        const interner = new IdSeqInterner(hint);
        const model = new Map<string, number>();
        for (const l of lists) {
          const key = JSON.stringify(l);
          if (!model.has(key)) model.set(key, model.size);
          const buf = [...l, 99, 98];
          const id = interner.intern(buf, l.length);
          assert.equal(id, model.get(key));
          assert.deepEqual([...interner.values.subarray(interner.start(id), interner.start(id) + interner.length(id))], l);
        }
        assert.equal(interner.size, model.size);
      }),
    );
  });
});
