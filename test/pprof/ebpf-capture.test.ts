// An OTel eBPF profiler capture (host-wide: one resource, the service on each sample) through
// the `convert` command, checked against an independent reading: protobufjs decodes the
// input and the expected per-service totals and stack counts are worked out from it with
// the naming rules of the semantic conventions (as Pyroscope's OTLP ingest applies them);
// `go tool pprof -raw` reads the files the bridge wrote.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ExportProfilesServiceRequest, KeyValue, AnyValue } from '../../src/otlp/model.js';
import { ebpfCapture, PROCESSES } from '../fixtures/ebpf-profiler/capture.js';
import { goPprof, parseRaw } from '../helpers/go-pprof.js';
import { independentDecode, independentEncode, OTLP_TYPES } from '../helpers/independent-proto.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Expected {
  total: number;
  stacks: number;
}

function text(v: AnyValue | undefined, strings: string[]): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.stringValueStrindex !== undefined) return strings[v.stringValueStrindex] ?? '';
  if (v.intValue !== undefined) return String(v.intValue);
  return '';
}

/** `<service>/<sample type>` -> total and distinct stacks, read from the decoded input. */
function expectedFrom(req: ExportProfilesServiceRequest): Map<string, Expected> {
  const d = req.dictionary!;
  const s = d.stringTable;
  const out = new Map<string, Expected & { keys: Set<string> }>();
  for (const rp of req.resourceProfiles) {
    const attrs: KeyValue[] = rp.resource?.attributes ?? [];
    const named = attrs.find((a) => a.key === 'service.name' && text(a.value, s) !== '');
    const exe = attrs.find((a) => a.key === 'process.executable.name' && text(a.value, s) !== '');
    const resourceService = named ? text(named.value, s) : exe ? `unknown_service:${text(exe.value, s)}` : 'unknown_service';
    for (const sp of rp.scopeProfiles) {
      for (const p of sp.profiles) {
        const type = s[p.sampleType!.typeStrindex]!;
        for (const sample of p.samples) {
          let service = resourceService;
          for (const ai of sample.attributeIndices) {
            const a = d.attributeTable[ai]!;
            if (s[a.keyStrindex] === 'service.name' && text(a.value, s) !== '') {
              service = text(a.value, s);
              break;
            }
          }
          const value = sample.values.length > 0 ? sample.values.reduce((x, y) => x + y, 0) : sample.timestampsUnixNano.length;
          // A stack by what its frames are: address and lines of every location.
          const stackKey = d.stackTable[sample.stackIndex]!.locationIndices.map((li) => {
            const l = d.locationTable[li]!;
            const lines = l.lines.map((ln) => {
              const f = d.functionTable[ln.functionIndex]!;
              return `${s[f.nameStrindex]} ${s[f.filenameStrindex]}:${ln.line}`;
            });
            return `0x${l.address.toString(16)}|${lines.join(';')}`;
          });
          const k = `${service}/${type}`;
          let e = out.get(k);
          if (!e) out.set(k, (e = { total: 0, stacks: 0, keys: new Set() }));
          e.total += value;
          e.keys.add(stackKey.join('\n'));
          e.stacks = e.keys.size;
        }
      }
    }
  }
  return new Map([...out].map(([k, v]) => [k, { total: v.total, stacks: v.stacks }]));
}

/** Total, distinct stacks and the label keys of one pprof file, as go tool pprof reads it. */
function readConverted(file: string): Expected & { labelKeys: Set<string> } {
  const raw = parseRaw(goPprof(['-raw', file]));
  const stacks = new Set<string>();
  const labelKeys = new Set<string>();
  let total = 0;
  for (const sm of raw.samples) {
    total += sm.values[0]!;
    stacks.add(
      sm.locationIds
        .map((id) => {
          const l = raw.locations.get(id)!;
          return `${l.address}|${l.frames.map((f) => `${f.function} ${f.file}:${f.line}`).join(';')}`;
        })
        .join('\n'),
    );
    for (const k of Object.keys(sm.labels)) labelKeys.add(k);
  }
  return { total, stacks: stacks.size, labelKeys };
}

describe('an OTel eBPF profiler capture', () => {
  let dir: string;
  let expected: Map<string, Expected>;
  let got: Map<string, Expected & { labelKeys: Set<string> }>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opb-ebpf-'));
    // The input bytes come from protobufjs, not from the bridge's encoder.
    const bytes = independentEncode(OTLP_TYPES.profilesRequest, ebpfCapture());
    const input = join(dir, 'capture.pb');
    writeFileSync(input, bytes);
    expected = expectedFrom(independentDecode(OTLP_TYPES.profilesRequest, bytes) as ExportProfilesServiceRequest);
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [MAIN, 'convert', input, '-o', out, '--no-fsync'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    // Two OTLP profiles in, one pprof file per service and type out.
    assert.match(r.stdout, /converted 2 of 2 profiles/);
    assert.match(r.stdout, /wrote 4 pprof files/);
    got = new Map();
    for (const service of readdirSync(out)) {
      for (const type of readdirSync(join(out, service))) {
        const files = readdirSync(join(out, service, type)).filter((f) => f.endsWith('.pb.gz'));
        assert.equal(files.length, 1, `${service}/${type}: one pprof per service and type`);
        got.set(`${service}/${type}`, readConverted(join(out, service, type, files[0]!)));
      }
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('becomes one profile per service the samples name, with the totals and stack counts of the input', () => {
    // The fixture's Node.js process announces `checkout`; python and the Go program name no
    // service and, on a host-wide resource without process.executable.name, stay unknown_service.
    assert.ok(PROCESSES.some((p) => p.service === 'checkout'));
    assert.deepEqual([...expected.keys()].sort(), ['checkout/off_cpu', 'checkout/samples', 'unknown_service/off_cpu', 'unknown_service/samples']);
    const typeDir: Record<string, string> = { samples: 'cpu', off_cpu: 'off_cpu' };
    for (const [k, e] of expected) {
      const [service, sampleType] = k.split('/') as [string, string];
      const g = got.get(`${service}/${typeDir[sampleType]}`);
      assert.ok(g, `no converted profile for ${k}; got ${[...got.keys()].join(', ')}`);
      assert.equal(g.total, e.total, `${k} total`);
      assert.equal(g.stacks, e.stacks, `${k} distinct stacks`);
      assert.ok(e.total > 0 && e.stacks > 0);
    }
    assert.equal(got.size, expected.size);
  });

  it('keeps service.name out of the sample labels, and the other per-sample attributes in', () => {
    for (const [k, g] of got) {
      assert.ok(!g.labelKeys.has('service.name'), `${k} has a service.name sample label`);
      for (const key of ['thread.name', 'process.executable.name', 'process.pid', 'thread.id', 'cpu.logical_number'])
        assert.ok(g.labelKeys.has(key), `${k} lacks ${key}`);
    }
  });
});
