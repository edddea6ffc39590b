// The reference reader, `go tool pprof`, reads what the converter writes: sample values,
// function names, file:line and labels as it prints them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertProfilesRequest } from '../../src/pprof/convert.js';
import { encodePprofGzip } from '../../src/pprof/encode.js';
import { goPprof, parseRaw, rawStack } from '../helpers/go-pprof.js';
import { ROOT_SPAN_ID_DEC, SPAN_ID_DEC, SPAN_ID_HEX, TRACE_ID_HEX, richRequest } from '../helpers/profile-fixtures.js';

const INL_MAIN = ['parse parse.go:105', 'handle server.go:42', 'main main.go:12'];
const MALLOC = ['__libc_malloc :0', ...INL_MAIN];

describe('go tool pprof reads converted profiles', () => {
  let dir: string;
  const files: string[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opb-pprof-go-'));
    const { profiles } = convertProfilesRequest(richRequest().request);
    profiles.forEach((p, i) => {
      const f = join(dir, `${i}_${p.profileType}.pb.gz`);
      writeFileSync(f, encodePprofGzip(p.profile));
      files.push(f);
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('cpu: -raw shows values, stacks and both label conventions', () => {
    const raw = parseRaw(goPprof(['-raw', files[0]!]));
    assert.deepEqual(raw.sampleTypes, ['samples/count']);
    const linked = raw.samples.find((s) => s.values[0] === 7)!;
    assert.deepEqual(rawStack(raw, linked), INL_MAIN);
    assert.deepEqual(linked.labels, {
      'local root span id': [ROOT_SPAN_ID_DEC],
      'span id': [SPAN_ID_DEC],
      span_id: [SPAN_ID_HEX],
      span_name: ['SELECT users'],
      'thread.name': ['worker'],
      'trace endpoint': ['GET /users/:id'],
      trace_id: [TRACE_ID_HEX],
      'thread.id': ['7'],
    });
    const malloc = raw.samples.find((s) => s.values[0] === 3)!;
    assert.deepEqual(rawStack(raw, malloc), MALLOC);
    assert.deepEqual(malloc.labels, { gc: ['true'], ratio: ['0.5'] });
    assert.ok(
      raw.mappings.some((m) => m.includes('/usr/bin/app deadbeefcafe [FN][FL][LN][IN]')),
      raw.mappings.join('\n'),
    );
    assert.ok(
      raw.mappings.some((m) => m.includes('/lib/libc.so.6 go-build-libc')),
      raw.mappings.join('\n'),
    );
  });

  it('cpu: -top totals every sample, the empty stack included', () => {
    const top = goPprof(['-top', files[0]!]);
    assert.match(top, /of 17 total/);
    assert.match(top, /\bparse \(inline\)/);
  });

  it('alloc_space: numeric label with its unit', () => {
    const raw = parseRaw(goPprof(['-raw', files[1]!]));
    assert.deepEqual(raw.sampleTypes, ['alloc_space/bytes']);
    const s = raw.samples.find((x) => x.values[0] === 4196)!;
    assert.deepEqual(rawStack(raw, s), MALLOC);
    assert.deepEqual(s.labels, { 'alloc.size': ['4096 By'] });
  });

  it('wall: -tags and -raw agree with the counts of timestamps', () => {
    const raw = parseRaw(goPprof(['-raw', files[2]!]));
    assert.deepEqual(
      raw.samples.map((s) => [s.values[0], rawStack(raw, s)]),
      [
        [3, INL_MAIN],
        [1, MALLOC],
      ],
    );
  });

  it('-tags sums the span labels over samples', () => {
    const tags = goPprof(['-tags', files[0]!]);
    assert.match(tags, /span_name: Total 7\.0\s+7\.0 \(\s*100%\): SELECT users/);
    assert.match(tags, new RegExp(`span id: Total 7\\.0\\s+7\\.0 \\(\\s*100%\\): ${SPAN_ID_DEC}`));
  });
});
