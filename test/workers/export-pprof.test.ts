// The exporters' conversion in a worker thread gives what the inline path gives: for the same
// request, each gzip'd pprof from the worker decompresses to exactly the inline direct
// encoder's pprof bytes, with the same metadata and the same refusals; merged attachments are
// the inline merge's bytes; and the receiver-side
// 'pprof' task (limits, decode, validate, convert, gzip) uses the same direct encoder.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeProfilesRequest, encodeProfilesRequest } from '../../src/otlp/index.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/otlp/prescan/index.js';
import { encodeProfilesRequestPprof } from '../../src/pprof/encode-direct.js';
import { encodePprof, pprofSummary } from '../../src/pprof/encode.js';
import { mergeProfiles } from '../../src/pprof/merge.js';
import { checkedProfiles } from '../../src/receivers/otlp/checked.js';
import { WorkerPool } from '../../src/workers/pool.js';
import type { ExportPprofOutput } from '../../src/workers/tasks.js';
import { fullProfilesRequest, withRefusedProfile } from '../fixtures/profiles-request.js';
import { arbProfilesRequest } from '../helpers/otlp-arbitraries.js';
import { richRequest } from '../helpers/profile-fixtures.js';
import { joinedRequest } from '../exporters/helpers/joined.js';

const limits = { values: DEFAULT_REQUEST_LIMITS, configKey: 'test' };

function assertSameAsInline(req: ExportProfilesServiceRequest, out: ExportPprofOutput): void {
  const inline = encodeProfilesRequestPprof(req);
  assert.equal(out.gzips.length, inline.profiles.length);
  assert.deepEqual(
    out.errors,
    inline.errors.map((e) => e.message),
  );
  inline.profiles.forEach((c, i) => {
    assert.deepEqual(gunzipSync(out.gzips[i]!), Buffer.from(c.pprof!), `profile ${i}: the same pprof bytes`);
    const m = out.meta[i]!;
    assert.equal(m.profileType, c.profileType);
    assert.deepEqual(m.seriesLabels, c.seriesLabels);
    assert.equal(m.startUnixNano, c.startUnixNano);
    assert.equal(m.durationNano, c.durationNano);
    assert.equal(m.profileId, c.profileId);
    assert.deepEqual(m.endpointCounts, c.endpointCounts);
    assert.deepEqual(m.summary, pprofSummary(c));
  });
  assert.equal(
    out.samples,
    inline.profiles.reduce((n, c) => n + pprofSummary(c).sampleCount, 0),
  );
}

describe("exporters' pprof conversion in a worker thread", () => {
  const pool = new WorkerPool({ threads: 2, maxQueued: 8 });
  after(() => pool.close());

  for (const [name, make] of [
    ['the full fixture', fullProfilesRequest],
    ['a joined cpu + wall request', () => joinedRequest({ seq: 4 })],
    ['a rich request', () => richRequest().request],
    ['a request with a profile the converter refuses', withRefusedProfile],
  ] as const) {
    it(`${name}: the same pprof bytes and metadata as the inline path, the request transferred`, async () => {
      const req = make();
      const body = encodeProfilesRequest(req);
      const out = await pool.run('exportPprof', { body }, [body.buffer as ArrayBuffer]);
      assert.equal(body.byteLength, 0, 'the request bytes moved to the worker');
      assert.ok(out.gzips.length > 0);
      assertSameAsInline(req, out);
    });
  }

  it('on random requests too (as decoded from the wire, which is what the exporters are given)', async () => {
    await fc.assert(
      fc.asyncProperty(arbProfilesRequest(), async (generated) => {
        const req = decodeProfilesRequest(encodeProfilesRequest(generated));
        const body = encodeProfilesRequest(req);
        assertSameAsInline(req, await pool.run('exportPprof', { body }, [body.buffer as ArrayBuffer]));
      }),
      { numRuns: 60 },
    );
  });

  it("merges profiles into one multi-type pprof as the inline path does (Datadog's attachments)", async () => {
    const req = joinedRequest({ seq: 5 });
    const inline = encodeProfilesRequestPprof(req).profiles;
    assert.equal(inline.length, 2);
    const rewrites = [undefined, { type: 'cpu', unit: 'nanoseconds', scale: 10_000_000 }];
    const body = encodeProfilesRequest(req);
    const out = await pool.run('mergePprof', { body, merges: [{ indices: [1, 0], rewrites }] }, [body.buffer as ArrayBuffer]);
    assert.equal(out.gzips.length, 1);
    assert.deepEqual(gunzipSync(out.gzips[0]!), Buffer.from(encodePprof(mergeProfiles([inline[1]!.profile, inline[0]!.profile], rewrites))));
    const bad = encodeProfilesRequest(req);
    await assert.rejects(pool.run('mergePprof', { body: bad, merges: [{ indices: [7], rewrites: [undefined] }] }), /no converted profile 7/);
  });

  it("the receiver-side 'pprof' task uses the direct encoder: the same bytes, validation's refusals counted", async () => {
    const req = withRefusedProfile();
    const body = encodeProfilesRequest(req);
    const checked = checkedProfiles(body, 'proto');
    const inline = encodeProfilesRequestPprof(checked.request);
    const out = await pool.run('pprof', { format: 'proto', body: body.slice(), limits });
    assert.equal(out.rejected, checked.rejected + inline.errors.length);
    assert.ok(out.rejected >= 1);
    assert.deepEqual(
      out.profiles.map((g) => gunzipSync(g)),
      inline.profiles.map((c) => Buffer.from(c.pprof!)),
    );
  });
});
