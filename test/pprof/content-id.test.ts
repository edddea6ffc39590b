// A profile sent without a profile_id gets an id derived from its content: the same content
// gives the same id on both conversion paths and on every run (so a retried export or store
// write is recognized), and other content gives another id.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { encodeProfilesRequestPprof } from '../../src/pprof/encode-direct.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { richRequest } from '../helpers/profile-fixtures.js';

/** The profile of richRequest() that has no profile_id. */
const NO_ID = 2;

function ids(req = richRequest().request): { direct: string; model: string } {
  return {
    direct: encodeProfilesRequestPprof(req).profiles[NO_ID]!.profileId,
    model: convertProfilesRequest(req).profiles[NO_ID]!.profileId,
  };
}

describe('content id of a profile without profile_id', () => {
  it('is a 128-bit hex id, the same on both paths and across runs', () => {
    const a = ids();
    const b = ids();
    assert.match(a.direct, /^[0-9a-f]{32}$/);
    assert.equal(a.direct, a.model);
    assert.equal(b.direct, a.direct);
  });

  it('is sha256 of the profile type and sorted series labels, then the uncompressed pprof bytes', () => {
    const p = encodeProfilesRequestPprof(richRequest().request).profiles[NO_ID]!;
    const labels = Object.keys(p.seriesLabels)
      .sort()
      .map((k) => [k, p.seriesLabels[k]]);
    const h = createHash('sha256');
    h.update(JSON.stringify([p.profileType, labels]));
    h.update('\u0000');
    h.update(encodePprof(p.profile));
    assert.equal(p.profileId, h.digest('hex').slice(0, 32));
  });

  it('ignores dictionary entries the profile does not use', () => {
    const req = richRequest().request;
    req.dictionary!.stringTable.push('unused string');
    req.dictionary!.functionTable.push({
      nameStrindex: req.dictionary!.stringTable.length - 1,
      systemNameStrindex: 0,
      filenameStrindex: 0,
      startLine: 1,
    });
    assert.equal(ids(req).direct, ids().direct);
  });

  it('changes with a sample value, a label, a stack, the window and the series labels', () => {
    const base = ids().direct;
    const variants: ((r: ReturnType<typeof richRequest>['request']) => void)[] = [
      (r) => {
        const s = r.resourceProfiles[0]!.scopeProfiles[0]!.profiles[NO_ID]!.samples[0]!;
        if (s.values.length > 0) s.values[0]! += 1;
        else s.timestampsUnixNano.push(s.timestampsUnixNano[0]!);
      },
      (r) => {
        // Sample 0 gets the fixture's thread.name label.
        const d = r.dictionary!;
        const thread = d.attributeTable.findIndex((a) => d.stringTable[a.keyStrindex] === 'thread.name');
        assert.ok(thread > 0);
        r.resourceProfiles[0]!.scopeProfiles[0]!.profiles[NO_ID]!.samples[0]!.attributeIndices = [thread];
      },
      (r) => {
        const samples = r.resourceProfiles[0]!.scopeProfiles[0]!.profiles[NO_ID]!.samples;
        samples[1]!.stackIndex = samples[0]!.stackIndex;
      },
      (r) => {
        r.resourceProfiles[0]!.scopeProfiles[0]!.profiles[NO_ID]!.timeUnixNano += 1n;
      },
      (r) => {
        r.resourceProfiles[0]!.resource!.attributes.push({ key: 'deployment.environment.name', keyStrindex: 0, value: { stringValue: 'staging' } });
      },
    ];
    const seen = new Set([base]);
    for (const change of variants) {
      const req = richRequest().request;
      change(req);
      const id = ids(req);
      assert.equal(id.direct, id.model);
      assert.ok(!seen.has(id.direct), `a change of content gives a new id (${id.direct})`);
      seen.add(id.direct);
    }
  });

  it('keeps a sender-given profile_id as hex', () => {
    const req = richRequest().request;
    const given = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!.profileId;
    assert.equal(encodeProfilesRequestPprof(req).profiles[0]!.profileId, Buffer.from(given).toString('hex'));
  });
});
