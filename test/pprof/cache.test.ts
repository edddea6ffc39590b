import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forgetPprof, pprofOf } from '../../src/pprof/cache.js';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { richRequest, simpleRequest } from '../helpers/profile-fixtures.js';

describe('pprofOf', () => {
  it('converts a request once and hands every caller the same result', () => {
    const req = richRequest().request;
    const a = pprofOf(req);
    const b = pprofOf(req);
    assert.equal(a, b);
    assert.equal(a.profiles.length, 3);
    const fresh = convertProfilesRequest(req);
    assert.deepEqual(encodePprof(a.profiles[0]!.profile), encodePprof(fresh.profiles[0]!.profile));
  });

  it('another request object gets its own conversion; forgetPprof drops the cached one', () => {
    const r1 = simpleRequest('one');
    const r2 = simpleRequest('two');
    assert.notEqual(pprofOf(r1), pprofOf(r2));
    assert.equal(pprofOf(r2).profiles[0]!.seriesLabels['service.name'], 'two');
    const before = pprofOf(r1);
    r1.resourceProfiles[0]!.resource!.attributes[0]!.value = { stringValue: 'renamed' };
    assert.equal(pprofOf(r1), before, 'cached until forgotten');
    forgetPprof(r1);
    assert.equal(pprofOf(r1).profiles[0]!.seriesLabels['service.name'], 'renamed');
  });
});
