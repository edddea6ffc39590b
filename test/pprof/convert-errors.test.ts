// Bad references reject only the profile that holds them, with ERR_PPROF_CONVERT naming the
// profile's position and the offending index; every other profile still converts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConvertError } from '../../src/errors.js';
import { DictionaryBuilder, makeProfile, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, Profile } from '../../src/otlp/model.js';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { encodePprof } from '../../src/pprof/encode.js';
import { decodePprofIndependent } from '../helpers/pprof-decoded.js';

/** A dictionary with one good stack, plus a list of broken variants of a profile. */
function build(): { b: DictionaryBuilder; good: () => Profile; cases: [string, Profile, RegExp][] } {
  const b = new DictionaryBuilder();
  const d = b.dictionary;
  const f = b.function('f', 'f.go', 1);
  const loc = b.location([{ functionIndex: f, line: 2, column: 0 }]);
  const st = b.stack([loc]);
  const cpu = b.valueType('cpu', 'nanoseconds');
  const good = () => makeProfile({ sampleType: cpu, samples: [makeSample({ stackIndex: st, values: [1] })] });
  const withSample = (s: Parameters<typeof makeSample>[0]) =>
    makeProfile({ sampleType: cpu, samples: [makeSample({ stackIndex: st, values: [1] }), makeSample({ stackIndex: st, values: [1], ...s })] });

  const badLocStack = d.stackTable.push({ locationIndices: [loc, 77] }) - 1;
  const badFnLoc =
    d.locationTable.push({ mappingIndex: 0, address: 0n, lines: [{ functionIndex: 55, line: 1, column: 0 }], attributeIndices: [] }) - 1;
  const badFnStack = b.stack([badFnLoc]);
  const badNameFn = d.functionTable.push({ nameStrindex: 9999, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 }) - 1;
  const badNameStack = b.stack([b.location([{ functionIndex: badNameFn, line: 1, column: 0 }])]);
  const badMapLoc = d.locationTable.push({ mappingIndex: 42, address: 1n, lines: [], attributeIndices: [] }) - 1;
  const badMapStack = b.stack([badMapLoc]);
  const shortLink = d.linkTable.push({ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(5).fill(1) }) - 1;
  const badAttrKey = d.attributeTable.push({ keyStrindex: 8888, unitStrindex: 0, value: { stringValue: 'x' } }) - 1;
  const badAttrValue = d.attributeTable.push({ keyStrindex: b.string('k'), unitStrindex: 0, value: { stringValueStrindex: 7777 } }) - 1;

  return {
    b,
    good,
    cases: [
      ['stack index', withSample({ stackIndex: 99 }), /samples\[1\]\.stack_index 99 is out of range \(stack_table has \d+ entries\)/],
      ['negative stack index', withSample({ stackIndex: -1 }), /samples\[1\]\.stack_index -1 is out of range/],
      [
        'location index in a stack',
        withSample({ stackIndex: badLocStack }),
        /stack_table\[\d+\]\.location_indices\[1\] 77 is out of range \(location_table/,
      ],
      [
        'function index in a line',
        withSample({ stackIndex: badFnStack }),
        /location_table\[\d+\]\.lines\[0\]\.function_index 55 is out of range \(function_table/,
      ],
      ['function name string', withSample({ stackIndex: badNameStack }), /function_table\[\d+\]\.name_strindex 9999 is out of range \(string_table/],
      ['mapping index', withSample({ stackIndex: badMapStack }), /location_table\[\d+\]\.mapping_index 42 is out of range \(mapping_table/],
      ['link index', withSample({ linkIndex: 31 }), /samples\[1\]\.link_index 31 is out of range \(link_table/],
      ['link id length', withSample({ linkIndex: shortLink }), /samples\[1\]: link_table\[\d+\]: span_id has 5 bytes, expected 8/],
      ['attribute index', withSample({ attributeIndices: [123] }), /samples\[1\]\.attribute_indices\[0\] 123 is out of range \(attribute_table/],
      ['attribute key string', withSample({ attributeIndices: [badAttrKey] }), /attribute_table\[\d+\]\.key_strindex 8888 is out of range/],
      ['attribute value string', withSample({ attributeIndices: [badAttrValue] }), /attribute_table\[\d+\]\.value\.string_value_strindex 7777/],
      ['values vs timestamps', withSample({ values: [1, 2], timestampsUnixNano: [1n] }), /samples\[1\] has 2 values but 1 timestamps/],
      ['sample type string', makeProfile({ sampleType: { typeStrindex: 5555, unitStrindex: 0 } }), /sample_type\.type_strindex 5555 is out of range/],
      ['profile attribute', makeProfile({ sampleType: cpu, attributeIndices: [4444] }), /attribute_indices\[0\] 4444 is out of range/],
    ],
  };
}

describe('convertProfilesRequest: bad references', () => {
  it('each bad reference rejects its profile only, naming the profile and the index', () => {
    const { b, good, cases } = build();
    // good, bad, good, bad, ... so positions interleave.
    const profiles: Profile[] = [];
    for (const [, bad] of cases) profiles.push(good(), bad);
    profiles.push(good());
    const req: ExportProfilesServiceRequest = {
      dictionary: b.dictionary,
      resourceProfiles: [
        { resource: makeResource({ 'service.name': 's' }), scopeProfiles: [{ scope: makeScope(), profiles, schemaUrl: '' }], schemaUrl: '' },
      ],
    };
    const { profiles: out, errors } = convertProfilesRequest(req);
    assert.equal(out.length, cases.length + 1);
    assert.equal(errors.length, cases.length);
    errors.forEach((e, i) => {
      const [name, , re] = cases[i]!;
      assert.ok(e instanceof ConvertError, name);
      assert.equal(e.code, 'ERR_PPROF_CONVERT', name);
      assert.equal(e.retryable, false, name);
      assert.deepEqual(e.position, { resourceIndex: 0, scopeIndex: 0, profileIndex: 2 * i + 1 }, name);
      assert.ok(e.message.startsWith(`resource_profiles[0].scope_profiles[0].profiles[${2 * i + 1}]: `), `${name}: ${e.message}`);
      assert.match(e.message, re, name);
    });
    for (const p of out) {
      const d = decodePprofIndependent(encodePprof(p.profile));
      assert.deepEqual(
        d.samples.map((s) => s.values),
        [[1]],
      );
    }
  });

  it('a bad resource attribute rejects that resource profiles only', () => {
    const { b, good } = build();
    const badResource = makeResource({ 'service.name': 'bad' });
    badResource.attributes.push({ key: '', keyStrindex: 6666, value: { stringValue: 'x' } });
    const req: ExportProfilesServiceRequest = {
      dictionary: b.dictionary,
      resourceProfiles: [
        { resource: badResource, scopeProfiles: [{ profiles: [good(), good()], schemaUrl: '' }], schemaUrl: '' },
        { resource: makeResource({ 'service.name': 'ok' }), scopeProfiles: [{ profiles: [good()], schemaUrl: '' }], schemaUrl: '' },
      ],
    };
    const { profiles, errors } = convertProfilesRequest(req);
    assert.deepEqual(
      errors.map((e) => [e.position.resourceIndex, e.position.profileIndex]),
      [
        [0, 0],
        [0, 1],
      ],
    );
    assert.match(errors[0]!.message, /resource\.attributes\[1\]\.key_strindex 6666 is out of range/);
    assert.deepEqual(
      profiles.map((p) => p.seriesLabels['service.name']),
      ['ok'],
    );
  });

  it('a request without a dictionary converts profiles that reference nothing and rejects the rest', () => {
    const req: ExportProfilesServiceRequest = {
      resourceProfiles: [
        {
          scopeProfiles: [
            {
              profiles: [
                makeProfile({ samples: [makeSample({ values: [2] })] }),
                makeProfile({ samples: [makeSample({ stackIndex: 1, values: [2] })] }),
              ],
              schemaUrl: '',
            },
          ],
          schemaUrl: '',
        },
      ],
    };
    const { profiles, errors } = convertProfilesRequest(req);
    assert.equal(profiles.length, 1);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /profiles\[1\]: samples\[0\]\.stack_index 1 is out of range \(stack_table has 0 entries\)/);
  });
});
