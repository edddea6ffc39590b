import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileTypeOf, sanitizeTypeName } from '../../src/pprof/profile-type.js';

const vt = (type: string, unit: string) => ({ type, unit });

describe('profileTypeOf', () => {
  const cases: [string, ReturnType<typeof vt>, ReturnType<typeof vt> | undefined, string][] = [
    ['eBPF cpu: samples/count with a cpu period', vt('samples', 'count'), vt('cpu', 'nanoseconds'), 'cpu'],
    ['cpu time', vt('cpu', 'nanoseconds'), undefined, 'cpu'],
    ['wall time', vt('wall', 'nanoseconds'), vt('wall', 'nanoseconds'), 'wall'],
    ['wall samples', vt('sample', 'count'), vt('wall', 'nanoseconds'), 'wall'],
    ['go heap', vt('alloc_space', 'bytes'), vt('space', 'bytes'), 'alloc_space'],
    ['go heap objects', vt('inuse_objects', 'count'), undefined, 'inuse_objects'],
    ['node heap space', vt('space', 'bytes'), undefined, 'inuse_space'],
    ['node heap objects', vt('objects', 'count'), undefined, 'inuse_objects'],
    ['off cpu', vt('off_cpu', 'nanoseconds'), undefined, 'off_cpu'],
    ['samples without period', vt('samples', 'count'), undefined, 'samples'],
    ['unknown, sanitized', vt('Lock Wait/Time', 'nanoseconds'), undefined, 'lock_wait_time'],
    ['empty', vt('', ''), undefined, 'unknown'],
  ];
  for (const [name, st, pt, want] of cases) {
    it(name, () => assert.equal(profileTypeOf(st, pt), want));
  }

  it('sanitized names are path-safe', () => {
    for (const s of ['../../etc', '.', '..', 'a/b\\c', '\u0000x', 'ÄÖÜ']) {
      const out = sanitizeTypeName(s);
      assert.match(out, /^[a-z0-9_]+$/, s);
    }
  });
});
