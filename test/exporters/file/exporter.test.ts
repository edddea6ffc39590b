import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { validate } from '../../../src/config/load.js';
import { ConfigError, ConsumerError } from '../../../src/errors.js';
import { fileExporterConfigSchema, type FileExporterConfig } from '../../../src/exporters/file/config.js';
import { FileExporter } from '../../../src/exporters/file/exporter.js';
import { fileExporterFactory } from '../../../src/exporters/file/factory.js';
import { FILE_EXPORTER_METRIC } from '../../../src/exporters/file/metrics.js';
import type { ProfileSidecar } from '../../../src/exporters/file/sidecar.js';
import { isTempFileName } from '../../../src/exporters/shared/atomic-write.js';
import type { ComponentContext } from '../../../src/component/factory.js';
import { defaultFactories } from '../../../src/components.js';
import { goPprof, parseRaw, rawStack } from '../../helpers/go-pprof.js';
import { decodePprofIndependent } from '../../helpers/pprof-decoded.js';
import { CPU_PROFILE_ID_HEX, ROOT_SPAN_ID_DEC, SPAN_ID_DEC, SPAN_ID_HEX, T0, richRequest, simpleRequest } from '../../helpers/profile-fixtures.js';
import { tree } from '../../helpers/files.js';

function context(metrics = new Registry(), id = 'file'): ComponentContext {
  return {
    id,
    logger: pino({ level: 'silent' }),
    metrics,
    lookup: () => {
      throw new Error('no lookups in this test');
    },
  };
}

function exporter(directory: string, extra: Partial<FileExporterConfig> = {}, metrics = new Registry()): FileExporter {
  const config = validate(fileExporterConfigSchema, { directory, ...extra }, 'exporters.file');
  return fileExporterFactory.create(config, context(metrics)) as FileExporter;
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((s, v) => s + v.value, 0);
}

describe('file exporter', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'opb-file-exporter-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is registered as `file` and validates its config', () => {
    assert.equal(defaultFactories().exporters.file, fileExporterFactory);
    assert.throws(
      () => validate(fileExporterConfigSchema, {}, 'exporters.file'),
      (e: unknown) => e instanceof ConfigError && /exporters\.file\.directory: directory is required/.test(e.message),
    );
    assert.throws(() => validate(fileExporterConfigSchema, { directory: '/x', colour: 1 }, 'exporters.file'), ConfigError);
    assert.deepEqual(validate(fileExporterConfigSchema, { directory: 'd' }, 'x'), { directory: 'd', fsync: true, sidecar: true, format: 'pprof' });
  });

  it('writes a gzip pprof and a sidecar per profile, laid out by service, type and start time', async () => {
    const dir = join(root, 'layout');
    const metrics = new Registry();
    const exp = exporter(dir, {}, metrics);
    await exp.start();
    const result = await exp.consumeProfiles(richRequest().request);
    assert.deepEqual(result, { rejected: 0 });
    await exp.shutdown();

    const files = tree(dir);
    assert.equal(files.length, 6, files.join('\n'));
    const cpuBase = `checkout/cpu/20251125T101500.123000000Z_${CPU_PROFILE_ID_HEX}`;
    assert.ok(files.includes(`${cpuBase}.pb.gz`), files.join('\n'));
    assert.ok(files.includes(`${cpuBase}.json`));
    assert.equal(files.filter((f) => /^checkout\/alloc_space\/20251125T101500\.123000000Z_[0-9a-f]{32}\.pb\.gz$/.test(f)).length, 1);
    assert.equal(files.filter((f) => /^checkout\/wall\/20251125T101500\.124000000Z_[0-9a-f]{32}\.pb\.gz$/.test(f)).length, 1);

    const sidecar = JSON.parse(readFileSync(join(dir, `${cpuBase}.json`), 'utf8')) as ProfileSidecar;
    assert.deepEqual(sidecar, {
      pprof: `20251125T101500.123000000Z_${CPU_PROFILE_ID_HEX}.pb.gz`,
      profileId: CPU_PROFILE_ID_HEX,
      profileType: 'cpu',
      seriesLabels: {
        'service.name': 'checkout',
        'host.name': 'h1',
        'process.pid': '123',
        'deployment.environment.name': 'prod',
        'profile.source': 'fixture',
      },
      start: '2025-11-25T10:15:00.123000000Z',
      end: '2025-11-25T10:15:10.123000000Z',
      startUnixNano: T0.toString(),
      durationNano: '10000000000',
      sampleTypes: [{ type: 'samples', unit: 'count' }],
      periodType: { type: 'cpu', unit: 'nanoseconds' },
      period: 10_000_000,
      sampleCount: 5,
      endpointCounts: { 'GET /users/:id': 1 },
    });

    assert.equal(await metricValue(metrics, FILE_EXPORTER_METRIC.written), 3);
    const bytes = files.reduce((s, f) => s + readFileSync(join(dir, f)).length, 0);
    assert.equal(await metricValue(metrics, FILE_EXPORTER_METRIC.bytes), bytes);
  });

  it('go tool pprof reads every file it writes', async () => {
    const dir = join(root, 'go');
    const exp = exporter(dir, { fsync: false });
    await exp.start();
    await exp.consumeProfiles(richRequest().request);
    await exp.consumeProfiles(simpleRequest('other', 9));
    await exp.shutdown();
    const pprofs = tree(dir).filter((f) => f.endsWith('.pb.gz'));
    assert.equal(pprofs.length, 4);
    const totals: Record<string, number> = {};
    for (const f of pprofs) {
      const raw = parseRaw(goPprof(['-raw', join(dir, f)]));
      totals[f.split('/').slice(0, 2).join('/')] = raw.samples.reduce((s, x) => s + x.values[0]!, 0);
      // Every sample's frames resolve to function file:line.
      for (const s of raw.samples) for (const frame of rawStack(raw, s)) assert.match(frame, /^\S.* \S*:\d+$/);
    }
    // go -raw leaves out the cpu profile's one empty-stack sample (4 of 17).
    assert.deepEqual(totals, { 'checkout/cpu': 13, 'checkout/alloc_space': 4260, 'checkout/wall': 4, 'other/cpu': 9 });
    const cpu = pprofs.find((f) => f.startsWith('checkout/cpu/'))!;
    const raw = parseRaw(goPprof(['-raw', join(dir, cpu)]));
    const linked = raw.samples.find((s) => s.values[0] === 7)!;
    assert.deepEqual(rawStack(raw, linked), ['parse parse.go:105', 'handle server.go:42', 'main main.go:12']);
    assert.deepEqual(linked.labels['span_id'], [SPAN_ID_HEX]);
    assert.deepEqual(linked.labels['span id'], [SPAN_ID_DEC]);
    assert.deepEqual(linked.labels['local root span id'], [ROOT_SPAN_ID_DEC]);
    assert.deepEqual(linked.labels['trace endpoint'], ['GET /users/:id']);
    const other = pprofs.find((f) => f.startsWith('other/'))!;
    const otherRaw = parseRaw(goPprof(['-raw', join(dir, other)]));
    assert.deepEqual(rawStack(otherRaw, otherRaw.samples[0]!), ['hot hot.js:2', 'caller caller.js:6']);
    assert.match(goPprof(['-top', join(dir, cpu)]), /of 17 total/);
  });

  it('a hostile service.name stays inside the directory', async () => {
    const dir = join(root, 'hostile');
    const exp = exporter(dir, { fsync: false });
    await exp.start();
    for (const name of ['../../escaped', '/etc/passwd', '..', '.hidden', 'a\\b\u0000c', '']) await exp.consumeProfiles(simpleRequest(name));
    await exp.shutdown();
    const files = tree(dir);
    assert.equal(files.length, 12);
    // An empty name has no service.name, so it is the converter's unknown_service.
    assert.deepEqual([...new Set(files.map((f) => f.split('/')[0]))].sort(), [
      '_..',
      '_.._.._escaped',
      '_.hidden',
      '_etc_passwd',
      'a_b_c',
      'unknown_service',
    ]);
    for (const f of files) assert.ok(!f.split('/').some((seg) => seg === '..' || seg === '.' || (seg.startsWith('.') && !isTempFileName(seg))), f);
    assert.ok(!existsSync(join(root, 'escaped')));
  });

  it('unconvertible profiles are a partial rejection; the rest are written', async () => {
    const dir = join(root, 'partial');
    const metrics = new Registry();
    const exp = exporter(dir, { fsync: false }, metrics);
    await exp.start();
    const fx = richRequest();
    fx.request.resourceProfiles[0]!.scopeProfiles[0]!.profiles[1]!.samples[0]!.stackIndex = 4242;
    const r = await exp.consumeProfiles(fx.request);
    assert.equal(r.rejected, 1);
    assert.match(
      r.message ?? '',
      /1 profile\(s\) could not be converted to pprof: resource_profiles\[0\]\.scope_profiles\[0\]\.profiles\[1\]: samples\[0\]\.stack_index 4242 is out of range/,
    );
    await exp.shutdown();
    assert.equal(tree(dir).filter((f) => f.endsWith('.pb.gz')).length, 2);
    assert.equal(await metricValue(metrics, FILE_EXPORTER_METRIC.rejected), 1);
    assert.equal(await metricValue(metrics, FILE_EXPORTER_METRIC.written), 2);
  });

  it('an I/O error refuses the request as retryable; the retry writes the same files', async () => {
    const dir = join(root, 'io');
    mkdirSync(dir);
    // A file where the service directory should go.
    writeFileSync(join(dir, 'svc'), 'in the way');
    const metrics = new Registry();
    const exp = exporter(dir, { fsync: false }, metrics);
    await exp.start();
    const req = simpleRequest('svc');
    await assert.rejects(exp.consumeProfiles(req), (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_EXPORT_RETRYABLE' && e.retryable);
    assert.equal(await metricValue(metrics, FILE_EXPORTER_METRIC.writeErrors), 1);
    rmSync(join(dir, 'svc'));
    assert.deepEqual(await exp.consumeProfiles(req), { rejected: 0 });
    assert.deepEqual(await exp.consumeProfiles(req), { rejected: 0 });
    assert.equal(tree(dir).length, 2, 'a retried request overwrites its own files');
    const pprof = tree(dir).find((f) => f.endsWith('.pb.gz'))!;
    assert.deepEqual(
      decodePprofIndependent(readFileSync(join(dir, pprof))).samples.map((s) => s.values),
      [[3]],
    );
    await exp.shutdown();
  });

  it('start fails clearly on an unusable directory and clears leftover temporary files', async () => {
    const notDir = join(root, 'plain-file');
    writeFileSync(notDir, 'x');
    await assert.rejects(
      exporter(notDir).start(),
      (e: unknown) => e instanceof ConfigError && /exporters\.file\.directory: .*plain-file is not a writable directory/.test(e.message),
    );

    const dir = join(root, 'leftovers');
    mkdirSync(join(dir, 'svc', 'cpu'), { recursive: true });
    writeFileSync(join(dir, 'svc', 'cpu', '.x.pb.gz.tmp-00112233aabb'), 'partial');
    const exp = exporter(dir, { sidecar: false });
    await exp.start();
    await exp.consumeProfiles(simpleRequest('svc'));
    await exp.shutdown();
    const files = tree(dir);
    assert.equal(files.length, 1, files.join('\n'));
    assert.match(files[0]!, /^svc\/cpu\/\d{8}T\d{6}\.\d{9}Z_[0-9a-f]{32}\.pb\.gz$/);
  });

  it('after shutdown it refuses with a retryable error', async () => {
    const exp = exporter(join(root, 'closed'));
    await exp.start();
    await exp.shutdown();
    await exp.shutdown();
    await assert.rejects(
      exp.consumeProfiles(simpleRequest()),
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_PIPELINE_UNAVAILABLE' && e.retryable,
    );
  });

  it('two file exporters share one metrics registry', async () => {
    const metrics = new Registry();
    const a = fileExporterFactory.create({ directory: join(root, 'm1'), fsync: false, sidecar: true, format: 'pprof' }, context(metrics, 'file/a'));
    const b = fileExporterFactory.create({ directory: join(root, 'm2'), fsync: false, sidecar: true, format: 'pprof' }, context(metrics, 'file/b'));
    await a.start!();
    await b.start!();
    await a.consumeProfiles!(simpleRequest());
    const m = await metrics.getSingleMetric(FILE_EXPORTER_METRIC.written)!.get();
    assert.deepEqual(m.values.map((v) => [v.labels.exporter, v.value]).sort(), [
      ['file/a', 1],
      ['file/b', 0],
    ]);
    await a.shutdown!();
    await b.shutdown!();
  });
});
