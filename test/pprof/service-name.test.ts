// Service naming per the OTel semantic conventions, and samples that name their own service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { resourceServiceName } from '../../src/pprof/service-name.js';
import { storeLabels } from '../../src/exporters/shared/series-labels.js';
import { tagsProfiler } from '../../src/exporters/datadog/event.js';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, toKeyValues } from '../../src/otlp/build.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { decodePprofIndependent } from '../helpers/pprof-decoded.js';

describe('resourceServiceName', () => {
  it('service.name, else unknown_service:<process.executable.name>, else unknown_service', () => {
    assert.equal(resourceServiceName(toKeyValues({ 'service.name': 'shop', 'process.executable.name': 'node' })), 'shop');
    assert.equal(resourceServiceName(toKeyValues({ 'process.executable.name': 'node' })), 'unknown_service:node');
    assert.equal(resourceServiceName(toKeyValues({ 'service.name': '', 'process.executable.name': 'java' })), 'unknown_service:java');
    assert.equal(resourceServiceName(toKeyValues({ 'host.name': 'h' })), 'unknown_service');
    assert.equal(resourceServiceName(undefined), 'unknown_service');
    // Keys given as string-table indices (the profiles dictionary form).
    assert.equal(
      resourceServiceName([{ key: '', keyStrindex: 1, value: { stringValue: 'python3' } }], ['', 'process.executable.name']),
      'unknown_service:python3',
    );
  });
});

function twoServiceRequest(resource: Record<string, string>, profileId = new Uint8Array(16).fill(7)) {
  const b = new DictionaryBuilder();
  const f = b.function('work', 'w.js', 1);
  const g = b.function('idle', 'i.js', 1);
  const sf = b.stack([b.location([{ functionIndex: f, line: 2, column: 0 }])]);
  const sg = b.stack([b.location([{ functionIndex: g, line: 3, column: 0 }])]);
  const a = b.attribute('service.name', 'svc-a');
  const bb = b.attribute('service.name', 'svc-b');
  const tid = b.attribute('thread.id', 5);
  const p = makeProfile({
    sampleType: b.valueType('cpu', 'nanoseconds'),
    timeUnixNano: 1_000_000_000n,
    durationNano: 1_000_000_000n,
    profileId,
    samples: [
      makeSample({ stackIndex: sf, values: [10], attributeIndices: [a, tid] }),
      makeSample({ stackIndex: sg, values: [20], attributeIndices: [tid] }),
      makeSample({ stackIndex: sf, values: [30], attributeIndices: [tid, bb] }),
      makeSample({ stackIndex: sg, values: [1], attributeIndices: [a] }),
    ],
  });
  return makeProfilesRequest(b.dictionary, [p], makeResource(resource));
}

describe('conversion: service naming', () => {
  it('a resource with process.executable.name and no service.name is unknown_service:<executable>', () => {
    const b = new DictionaryBuilder();
    const p = makeProfile({ sampleType: b.valueType('cpu', 'nanoseconds'), samples: [makeSample({ stackIndex: b.stack([]), values: [1] })] });
    const [c] = convertProfilesRequest(
      makeProfilesRequest(b.dictionary, [p], makeResource({ 'process.executable.name': 'node', 'process.pid': 12 })),
    ).profiles;
    assert.equal(c!.seriesLabels['service.name'], 'unknown_service:node');
    assert.deepEqual(
      storeLabels(c!.profileType, c!.seriesLabels).find(([k]) => k === 'service_name'),
      ['service_name', 'unknown_service:node'],
    );
    assert.match(tagsProfiler(c!.seriesLabels, {}), /^service:unknown_service:node,/);
  });

  it('splits a profile whose samples name services into one per service, in order of first appearance', () => {
    const { profiles, errors } = convertProfilesRequest(twoServiceRequest({ 'process.executable.name': 'agent', 'host.name': 'h1' }));
    assert.equal(errors.length, 0);
    assert.deepEqual(
      profiles.map((p) => p.seriesLabels['service.name']),
      ['svc-a', 'unknown_service:agent', 'svc-b'],
    );
    const totals = profiles.map((p) => decodePprofIndependent(encodePprof(p.profile)).samples.reduce((n, s) => n + Number(s.values[0]), 0));
    assert.deepEqual(totals, [11, 20, 30]);
    // Every part keeps the resource's other labels, and service.name is not a sample label.
    for (const p of profiles) {
      assert.equal(p.seriesLabels['host.name'], 'h1');
      for (const s of decodePprofIndependent(encodePprof(p.profile)).samples) {
        assert.ok(!s.labels.some((l) => l.key === 'service.name'));
        assert.ok(s.labels.some((l) => l.key === 'thread.id') || s.values[0] === 1);
      }
    }
    // The sender's profile id names the whole; each part gets a distinct id of its own.
    const ids = new Set(profiles.map((p) => p.profileId));
    assert.equal(ids.size, 3);
    assert.ok(!ids.has('07'.repeat(16)));
    // Deterministic: the same request gives the same ids (retries overwrite, not duplicate).
    assert.deepEqual(
      convertProfilesRequest(twoServiceRequest({ 'process.executable.name': 'agent' })).profiles.map((p) => p.profileId),
      profiles.map((p) => p.profileId),
    );
  });

  it("samples naming the resource's own service leave the profile whole", () => {
    const { profiles } = convertProfilesRequest(withOnly(twoServiceRequest({ 'service.name': 'svc-a' })));
    assert.equal(profiles.length, 1);
    assert.equal(profiles[0]!.seriesLabels['service.name'], 'svc-a');
    assert.equal(profiles[0]!.profileId, '07'.repeat(16));
  });
});

/** The request with the svc-b sample removed (only svc-a and unnamed samples remain). */
function withOnly(req: ReturnType<typeof twoServiceRequest>) {
  const p = req.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!;
  p.samples = p.samples.filter((_, i) => i !== 2);
  return req;
}
