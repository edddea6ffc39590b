// SeqInterner (ingest/keys.ts): dense ids for number lists, found by hash and compared by
// value. Checked against a model keyed by the lists' text, with values that collide in the
// hash on purpose (equal low 32 bits) and tables small enough to probe and grow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { idSeqInterner, SeqInterner } from '../../src/store/ingest/keys.js';

/**
 * Interns random lists (read from longer reused buffers, as callers pass them) and checks
 * each id against a model keyed by the list's text, and the kept values against the list.
 */
function matchesModel(make: (hint: number) => SeqInterner<Float64Array | Int32Array>, value: fc.Arbitrary<number>, maxLength: number): void {
  fc.assert(
    fc.property(fc.nat(40), fc.array(fc.array(value, { maxLength }), { maxLength: 200 }), (hint, lists) => {
      const interner = make(hint);
      const model = new Map<string, number>();
      for (const l of lists) {
        const key = JSON.stringify(l);
        if (!model.has(key)) model.set(key, model.size);
        const id = interner.intern([...l, 99, 98], l.length);
        assert.equal(id, model.get(key));
        assert.deepEqual([...interner.values.subarray(interner.start(id), interner.start(id) + interner.length(id))], l);
      }
      assert.equal(interner.size, model.size);
    }),
  );
}

describe('SeqInterner', () => {
  it('gives equal lists one id and different lists different ids, in first-seen order', () => {
    // Values that share their low 32 bits (2^32 apart) hash alike; negatives and fractions too.
    const value = fc.oneof(
      fc.nat(5),
      fc.nat(5).map((v) => v + 2 ** 32),
      fc.constantFrom(-1, 0.5, 2 ** 53 - 1),
    );
    matchesModel((hint) => new SeqInterner(hint), value, 4);
  });

  it('keeps 32-bit id lists as such (idSeqInterner)', () => {
    // Ids that share their low bits (and so hash alike in small tables), and int32 extremes.
    const value = fc.oneof(
      fc.nat(5),
      fc.nat(5).map((v) => v * 1024),
      fc.constantFrom(0, 2 ** 31 - 1, -(2 ** 31)),
    );
    matchesModel((hint) => idSeqInterner(hint), value, 6);
  });
});
