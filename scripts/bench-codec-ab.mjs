#!/usr/bin/env node
// Compares the OTLP codec of this build (dist/) with another build's, for checking a codec
// change for regressions on a busy machine. The two builds run in alternating child
// processes (this, other, this, other, ...), each timing every operation on the same
// requests (bench/otlp-data.ts of this build), so machine load falls on both alike. Each run
// is timed in CPU time of the process (user + system, all its threads), not wall time: on a
// machine shared with other work, time spent waiting for a core is then not counted. The
// samples of all rounds are pooled and compared by median and by minimum.
//
//   npm run build && node scripts/bench-codec-ab.mjs /path/to/other/dist [rounds]
//   CODEC_AB_ONLY=decode ...   only the operations whose name contains "decode"
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const ITERATIONS = 7;
const WARMUP = 3;

const OPS = {
  'decode profiles': (c, d) => c.decode.decodeProfilesRequest(d.pBytes),
  'decode traces': (c, d) => c.decode.decodeTracesRequest(d.tBytes),
  'encode profiles': (c, d) => c.encode.encodeProfilesRequest(d.profiles),
  'encode traces': (c, d) => c.encode.encodeTracesRequest(d.traces),
  'JSON.parse + profilesRequestFromJson': (c, d) => c.json.profilesRequestFromJson(JSON.parse(d.pJson)),
  'JSON.parse + tracesRequestFromJson': (c, d) => c.json.tracesRequestFromJson(JSON.parse(d.tJson)),
  'profilesRequestToJson + stringify': (c, d) => JSON.stringify(c.json.profilesRequestToJson(d.profiles)),
  'tracesRequestToJson + stringify': (c, d) => JSON.stringify(c.json.tracesRequestToJson(d.traces)),
};
const only = process.env.CODEC_AB_ONLY;
const chosen = Object.keys(OPS).filter((n) => !only || n.includes(only));

async function child(dist) {
  const load = async (file) => import(pathToFileURL(join(resolve(dist), 'src', 'otlp', file)).href);
  const codec = { decode: await load('decode.js'), encode: await load('encode.js'), json: await load('json.js') };
  const gen = await import(pathToFileURL(join(here, 'dist', 'bench', 'otlp-data.js')).href);
  const profiles = gen.realisticProfilesRequest();
  const traces = gen.realisticTracesRequest(10_000);
  const data = {
    profiles,
    traces,
    pBytes: codec.encode.encodeProfilesRequest(profiles),
    tBytes: codec.encode.encodeTracesRequest(traces),
    pJson: JSON.stringify(codec.json.profilesRequestToJson(profiles)),
    tJson: JSON.stringify(codec.json.tracesRequestToJson(traces)),
  };
  const out = {};
  for (const name of chosen) {
    const op = OPS[name];
    for (let i = 0; i < WARMUP; i++) op(codec, data);
    const s = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = process.cpuUsage();
      op(codec, data);
      const t = process.cpuUsage(t0);
      s.push((t.user + t.system) / 1000);
    }
    out[name] = s;
  }
  process.stdout.write(JSON.stringify(out));
}

function driver(other, rounds) {
  const builds = { this: join(here, 'dist'), other: resolve(other) };
  const samples = { this: {}, other: {} };
  for (let r = 0; r < rounds; r++) {
    for (const b of r % 2 === 0 ? ['this', 'other'] : ['other', 'this']) {
      const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', builds[b]], { encoding: 'utf8', env: process.env });
      if (p.status !== 0) throw new Error(`child for ${b} failed: ${p.stderr}`);
      for (const [name, s] of Object.entries(JSON.parse(p.stdout))) (samples[b][name] ??= []).push(...s);
    }
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
  const median = (s) => [...s].sort((x, y) => x - y)[Math.floor(s.length / 2)];
  const min = (s) => Math.min(...s);
  console.log(`${rounds} rounds × ${ITERATIONS} runs per build, child processes alternating`);
  console.log('| operation | this (median CPU ms) | other (median CPU ms) | this / other (median) | this / other (min) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const name of chosen) {
    const a = samples.this[name];
    const b = samples.other[name];
    const [ma, mb] = [median(a), median(b)];
    console.log(`| ${name} | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(ma / mb).toFixed(3)} | ${(min(a) / min(b)).toFixed(3)} |`);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1]);
else if (!args[0]) {
  console.error('usage: node scripts/bench-codec-ab.mjs OTHER_DIST [rounds]');
  process.exit(2);
} else driver(args[0], Number(args[1] ?? 6));
