// StringIds (ingest/strings.ts): dense ids for strings by a seeded hash. Checked against a Map
// model, with tables small enough to grow and probe limits small enough that the overflow
// (strings past the probe limit) is used, and strings that differ in one code unit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StringIds } from '../../src/store/ingest/strings.js';

describe('StringIds', () => {
  it('gives equal strings one id and different strings different ids, in first-seen order', () => {
    const str = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('', 'a', 'b', 'ab', 'ba', '\u0000', 'é', '\ud83d\ude00', 'pkg1.fn10', 'pkg1.fn01'),
      fc.nat(300).map((n) => `fn${n}`),
    );
    fc.assert(
      fc.property(fc.nat(40), fc.integer({ min: 1, max: 40 }), fc.array(str, { maxLength: 400 }), (expected, maxProbes, list) => {
        const ids = new StringIds(expected, maxProbes);
        const model = new Map<string, number>();
        for (const s of list) {
          if (!model.has(s)) model.set(s, model.size);
          // A new string object with the same text, as each request sends its own.
          const fresh = [...s].join('');
          assert.equal(ids.id(fresh), model.get(s));
          assert.equal(ids.string(model.get(s)!), s);
        }
        assert.equal(ids.size, model.size);
        for (const [s, id] of model) assert.equal(ids.id(s), id);
      }),
    );
  });
});
