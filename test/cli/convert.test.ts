// `otel-profile-bridge convert`, run as a real process on real files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { fileExporterFactory } from '../../src/exporters/file/factory.js';
import { encodeProfilesRequest } from '../../src/otlp/encode.js';
import { profilesRequestToJson } from '../../src/otlp/json.js';
import { goPprof, parseRaw, rawStack } from '../helpers/go-pprof.js';
import { CPU_PROFILE_ID_HEX, SPAN_ID_DEC, richRequest } from '../helpers/profile-fixtures.js';
import { tree } from '../helpers/files.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('convert command', () => {
  let dir: string;
  let pb: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opb-cli-convert-'));
    pb = join(dir, 'request.pb');
    writeFileSync(pb, encodeProfilesRequest(richRequest().request));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converts a protobuf request into the file exporter layout, readable by go tool pprof', () => {
    const out = join(dir, 'out-pb');
    const r = cli(['convert', pb, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /converted 3 of 3 profiles \(11 samples\) from .*request\.pb \(protobuf\)/);
    assert.match(r.stdout, /checkout\/cpu: 1/);
    const files = tree(out);
    assert.equal(files.length, 6, files.join('\n'));
    assert.ok(files.includes(`checkout/cpu/20251125T101500.123000000Z_${CPU_PROFILE_ID_HEX}.pb.gz`));
    for (const f of files.filter((x) => x.endsWith('.pb.gz'))) {
      const raw = parseRaw(goPprof(['-raw', join(out, f)]));
      assert.ok(raw.samples.length > 0, f);
    }
    const cpu = parseRaw(goPprof(['-raw', join(out, `checkout/cpu/20251125T101500.123000000Z_${CPU_PROFILE_ID_HEX}.pb.gz`)]));
    const linked = cpu.samples.find((s) => s.values[0] === 7)!;
    assert.deepEqual(rawStack(cpu, linked), ['parse parse.go:105', 'handle server.go:42', 'main main.go:12']);
    assert.deepEqual(linked.labels['span id'], [SPAN_ID_DEC]);
    assert.deepEqual(linked.labels['span_name'], ['SELECT users']);
  });

  it('writes exactly what the file exporter writes for the same request', async () => {
    const viaExporter = join(dir, 'out-exporter');
    const exp = fileExporterFactory.create(
      { directory: viaExporter, fsync: false, sidecar: true, format: 'pprof' },
      { id: 'file', logger: pino({ level: 'silent' }), metrics: new Registry(), lookup: () => undefined },
    );
    await exp.start!();
    await exp.consumeProfiles!(richRequest().request);
    await exp.shutdown!();
    const viaCli = join(dir, 'out-same');
    const r = cli(['convert', pb, '-o', viaCli, '--no-fsync']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tree(viaCli), tree(viaExporter));
    for (const f of tree(viaCli)) {
      if (f.endsWith('.json'))
        assert.deepEqual(JSON.parse(readFileSync(join(viaCli, f), 'utf8')), JSON.parse(readFileSync(join(viaExporter, f), 'utf8')), f);
    }
  });

  it('reads OTLP/JSON by extension and by sniffing, gzip included', () => {
    const json = JSON.stringify(profilesRequestToJson(richRequest().request));
    const byExt = join(dir, 'request.json.gz');
    writeFileSync(byExt, gzipSync(json));
    const sniffed = join(dir, 'request.dat');
    writeFileSync(sniffed, `\n  ${json}`);
    for (const [input, kind] of [
      [byExt, 'json, gzip'],
      [sniffed, 'json'],
    ] as const) {
      const out = join(dir, `out-${kind.replace(/\W+/g, '-')}`);
      const r = cli(['convert', input, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(`(${kind})`), r.stdout);
      assert.deepEqual(tree(out), tree(join(dir, 'out-pb')));
    }
  });

  it('names the bad references, writes the good profiles and exits 1', () => {
    const fx = richRequest();
    fx.request.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1]!.samples[0]!.stackIndex = 999;
    const input = join(dir, 'bad-refs.pb');
    writeFileSync(input, encodeProfilesRequest(fx.request));
    const out = join(dir, 'out-bad-refs');
    const r = cli(['convert', input, '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /profile 0\/0\/1: sample 0 stack_index 999 out of range \(stack_table has \d+ entries\)/);
    assert.match(r.stderr, /1 profile\(s\) rejected as bad data/);
    assert.match(r.stdout, /converted 2 of 3 profiles/);
    assert.deepEqual(
      tree(out)
        .filter((f) => f.endsWith('.pb.gz'))
        .map((f) => f.split('/')[1]),
      ['cpu', 'wall'],
    );
  });

  it('garbage and missing inputs exit 1 with a clear message, writing nothing', () => {
    // (Every other kind of bad input is covered in-process by read-profiles.test.ts.)
    const garbage = join(dir, 'garbage.bin');
    writeFileSync(garbage, Buffer.from('this is not a protobuf\u00ff\u00fe', 'latin1'));
    const cases: [string, RegExp][] = [
      [garbage, /garbage\.bin: not an OTLP profiles protobuf/],
      [join(dir, 'missing.pb'), /cannot read .*missing\.pb: no such file/],
    ];
    for (const [input, re] of cases) {
      const r = cli(['convert', input, '-o', join(dir, 'out-never')]);
      assert.equal(r.code, 1, `${input}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    assert.ok(!existsSync(join(dir, 'out-never')), 'nothing written for bad input');
  });

  it('usage errors exit 2', () => {
    const noOutput = cli(['convert', pb]);
    assert.equal(noOutput.code, 2, noOutput.stderr);
    assert.match(noOutput.stderr, /missing -o <output directory>/);
    const badFlag = cli(['convert', pb, '-o', dir, '--timestamps', 'never']);
    assert.equal(badFlag.code, 2, badFlag.stderr);
    assert.match(badFlag.stderr, /--timestamps must be aggregate or label/);
  });

  it('--progress draws a progress bar on stderr even without a terminal', () => {
    const r = cli(['convert', pb, '-o', join(dir, 'out-progress'), '--progress', '--timestamps', 'label']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /converting \[=+\] 3\/3 profiles \| 11 samples/);
    // Without --progress and without a terminal, stderr stays quiet.
    assert.equal(cli(['convert', pb, '-o', join(dir, 'out-quiet')]).stderr, '');
  });
});
