#!/usr/bin/env node
// Compares the OTLP codec of this build (dist/) with another build's, interleaved in one
// process, so that a codec change can be checked for regressions on a busy machine: each
// operation runs A, B, A, B, ... and the ratio of the medians is printed.
//
//   npm run build && node scripts/bench-codec-ab.mjs /path/to/other/dist [rounds]
//   CODEC_AB_ONLY=decode ...   only the operations whose name contains "decode"
//
// Both builds encode/decode the same requests (bench/otlp-data.ts, built by this build).
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = new URL('..', import.meta.url).pathname;
const other = process.argv[2];
if (!other) {
  console.error('usage: node scripts/bench-codec-ab.mjs OTHER_DIST [rounds]');
  process.exit(2);
}
const rounds = Number(process.argv[3] ?? 15);
const load = (dist, file) => import(pathToFileURL(join(resolve(dist), 'src', 'otlp', file)).href);

const FILES = ['decode.js', 'encode.js', 'json.js'];
// Loaded in the order given by CODEC_AB_FIRST (this|other): the first-loaded copy can come out a
// few per cent faster or slower, so a careful comparison runs both orders.
const otherFirst = process.env.CODEC_AB_FIRST === 'other';
const loadThis = () => Promise.all(FILES.map((f) => load(join(here, 'dist'), f)));
const loadOther = () => Promise.all(FILES.map((f) => load(other, f)));
const [first, second] = otherFirst ? [await loadOther(), await loadThis()] : [await loadThis(), await loadOther()];
const [aDecode, aEncode, aJson] = otherFirst ? second : first;
const [bDecode, bEncode, bJson] = otherFirst ? first : second;
const data = await import(pathToFileURL(join(here, 'dist', 'bench', 'otlp-data.js')).href);

const profiles = data.realisticProfilesRequest();
const traces = data.realisticTracesRequest(10_000);
const pBytes = aEncode.encodeProfilesRequest(profiles);
const tBytes = aEncode.encodeTracesRequest(traces);
const pJson = JSON.stringify(aJson.profilesRequestToJson(profiles));
const tJson = JSON.stringify(aJson.tracesRequestToJson(traces));

const ops = [
  ['decode profiles', (m) => m.d.decodeProfilesRequest(pBytes)],
  ['decode traces', (m) => m.d.decodeTracesRequest(tBytes)],
  ['encode profiles', (m) => m.e.encodeProfilesRequest(profiles)],
  ['encode traces', (m) => m.e.encodeTracesRequest(traces)],
  ['JSON.parse + profilesRequestFromJson', (m) => m.j.profilesRequestFromJson(JSON.parse(pJson))],
  ['JSON.parse + tracesRequestFromJson', (m) => m.j.tracesRequestFromJson(JSON.parse(tJson))],
  ['profilesRequestToJson + stringify', (m) => JSON.stringify(m.j.profilesRequestToJson(profiles))],
  ['tracesRequestToJson + stringify', (m) => JSON.stringify(m.j.tracesRequestToJson(traces))],
];
const only = process.env.CODEC_AB_ONLY; // a substring of the operation names, to run fewer
const A = { d: aDecode, e: aEncode, j: aJson };
const B = { d: bDecode, e: bEncode, j: bJson };

const median = (s) => s.sort((x, y) => x - y)[Math.floor(s.length / 2)];
console.log('| operation | this build (median ms) | other build (median ms) | this / other (median) | this / other (min) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, op] of ops) {
  if (only && !name.includes(only)) continue;
  const sa = [];
  const sb = [];
  for (let i = 0; i < 4; i++) {
    op(A);
    op(B);
  }
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always runs right after the other's garbage.
    const first = i % 2 === 0 ? [A, sa, B, sb] : [B, sb, A, sa];
    for (let k = 0; k < 4; k += 2) {
      const t0 = performance.now();
      op(first[k]);
      first[k + 1].push(performance.now() - t0);
    }
  }
  const ma = median(sa);
  const mb = median(sb);
  // sorted by median(): [0] is the fastest run, the one least disturbed by other load.
  console.log(`| ${name} | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(ma / mb).toFixed(3)} | ${(sa[0] / sb[0]).toFixed(3)} |`);
}
