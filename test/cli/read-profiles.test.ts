import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError, detectFormat, parseProfilesInput } from '../../src/cli/read-profiles.js';
import { encodeProfilesRequest } from '../../src/otlp/encode.js';
import { profilesRequestToJson } from '../../src/otlp/json.js';
import { richRequest, simpleRequest } from '../helpers/profile-fixtures.js';

function simpleRequestWithSchema(schemaUrl: string) {
  const req = simpleRequest();
  req.resourceProfiles[0]!.schemaUrl = schemaUrl;
  return req;
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('reading saved OTLP profiles', () => {
  it('detects JSON by extension or first non-space byte, else protobuf', () => {
    assert.equal(detectFormat('x.json', bytes('\u0000')), 'json');
    assert.equal(detectFormat('x.JSON.gz', bytes('\u0000')), 'json');
    assert.equal(detectFormat('x.pb', bytes('{')), 'protobuf');
    assert.equal(detectFormat('x', bytes(' \n\t{"a":1}')), 'json');
    assert.equal(detectFormat('x', bytes('\ufeff{}')), 'json');
    // Only a guess: this is also how a protobuf request can start (see the next test).
    assert.equal(detectFormat('x', new Uint8Array([0x0a, 0x7b])), 'json');
    assert.equal(detectFormat('x.pb', new Uint8Array([0x0a, 0x7b])), 'protobuf');
  });

  it('a protobuf that happens to start with "\\n{" is still read as protobuf', () => {
    // Tune the first resource_profiles length to 123 (0x7b = '{') with its schema_url.
    let pb: Uint8Array | undefined;
    for (let n = 0; n < 124 && pb === undefined; n++) {
      const req = simpleRequestWithSchema('x'.repeat(n));
      const b = encodeProfilesRequest(req);
      if (b[0] === 0x0a && b[1] === 0x7b) pb = b;
    }
    assert.ok(pb, 'found a length that encodes as "{"');
    const got = parseProfilesInput('capture', pb);
    assert.equal(got.format, 'protobuf');
    assert.equal(got.request.resourceProfiles.length, 1);
  });

  it('reads protobuf, JSON and their gzip forms to the same request', () => {
    const req = richRequest().request;
    const pb = encodeProfilesRequest(req);
    const json = bytes(JSON.stringify(profilesRequestToJson(req)));
    const fromPb = parseProfilesInput('a.pb', pb);
    assert.equal(fromPb.format, 'protobuf');
    assert.equal(fromPb.gzip, false);
    for (const [name, b, format, gzip] of [
      ['a.bin', gzipSync(pb), 'protobuf', true],
      ['a.json', json, 'json', false],
      ['a.json.gz', gzipSync(json), 'json', true],
      ['noext', json, 'json', false],
    ] as const) {
      const got = parseProfilesInput(name, b);
      assert.equal(got.format, format, name);
      assert.equal(got.gzip, gzip, name);
      assert.deepEqual(encodeProfilesRequest(got.request), pb, name);
    }
  });

  it('bad inputs are InputErrors (ERR_INPUT) that say what is wrong', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['g.bin', new Uint8Array([0xff, 0xfe, 0xfd, 0x07]), /^g\.bin: not an OTLP profiles protobuf/],
      ['e.pb', new Uint8Array(0), /^e\.pb: no profiles found \(read as protobuf\)/],
      ['b.json', bytes('{"resourceProfiles": ['), /^b\.json: not valid JSON/],
      ['a.json', bytes('[1,2]'), /^a\.json: expected an OTLP\/JSON ExportProfilesServiceRequest or ProfilesData object/],
      ['w.json', bytes('{"resourceProfiles": 5}'), /^w\.json: not OTLP\/JSON profiles: resourceProfiles/],
      ['f.pb.gz', bytes('plain'), /^f\.pb\.gz: the name ends in \.gz but the content is not gzip/],
      ['t.gz', new Uint8Array([0x1f, 0x8b, 1, 2, 3]), /^t\.gz: cannot gunzip/],
      ['{}.json', bytes('{}'), /no profiles found \(read as json\)/],
    ];
    for (const [name, b, re] of cases) {
      assert.throws(
        () => parseProfilesInput(name, b),
        (e: unknown) => e instanceof InputError && e.code === 'ERR_INPUT' && re.test(e.message),
        name,
      );
    }
  });
});
