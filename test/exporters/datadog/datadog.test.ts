// The datadog exporter against a test double of the agent's profiling intake: multipart
// bodies parsed with busboy, event.json checked field by field, the attachments gunzip'd
// and decoded as pprof by protobufjs. Profiles go through a real Bridge.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePprofIndependent, labelRecord } from '../../helpers/pprof-decoded.js';
import { HttpBackend, waitUntil } from '../helpers/backends.js';
import { parseMultipart } from '../helpers/multipart.js';
import { ENDPOINT, ROOT_SPAN_ID_DEC, SPAN_ID_DEC, SPAN_ID_HEX, SPAN_NAME, joinedRequest } from '../helpers/joined.js';
import { RECEIVER_YAML, postProfiles, startBridge, type RunningBridge } from '../../helpers/bridge.js';
import pino from 'pino';
import { datadogConfigSchema, withApiKey } from '../../../src/exporters/datadog/config.js';
import { parseConfigText } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { Bridge } from '../../../src/service/bridge.js';
import { buildUploads, tagsProfiler } from '../../../src/exporters/datadog/event.js';
import { encodeMultipart } from '../../../src/exporters/datadog/multipart.js';
import { pprofUploads } from '../../../src/exporters/shared/pprof-uploads.js';
import { packageVersion } from '../../../src/version.js';

describe('datadog exporter, agent route', () => {
  let backend: HttpBackend;
  let run: RunningBridge;
  before(async () => {
    backend = await HttpBackend.start();
    run = await startBridge(`${RECEIVER_YAML}
exporters:
  datadog:
    endpoint: ${backend.url}
    tags: { team: payments }
  datadog/keyed:
    endpoint: ${backend.url}/keyed
    api_key: k-123
service:
  pipelines:
    profiles: { receivers: [otlp], exporters: [datadog, datadog/keyed] }
`);
  });
  after(async () => {
    await run.stop();
    await backend.close();
  });

  it('uploads one multipart event per series and window, with both profiles attached', async () => {
    assert.equal(await postProfiles(run.http, joinedRequest({ seq: 2 })), 200);
    await waitUntil(() => backend.accepted.length === 2, 10_000, 'two uploads (one per exporter)');
    const plain = backend.accepted.find((c) => c.url.pathname === '/profiling/v1/input')!;
    const keyed = backend.accepted.find((c) => c.url.pathname === '/keyed/profiling/v1/input')!;
    assert.ok(plain && keyed);

    assert.equal(plain.headers['dd-evp-origin'], 'otel-profile-bridge');
    assert.equal(plain.headers['dd-evp-origin-version'], packageVersion());
    assert.equal(plain.headers['dd-api-key'], undefined, 'the agent route needs no key');
    assert.equal(keyed.headers['dd-api-key'], 'k-123');
    assert.match(String(plain.headers['content-type']), /^multipart\/form-data; boundary=/);

    const parts = await parseMultipart(plain.headers, plain.body);
    // Node's tracer sends wall and cpu time of one window together in wall.pprof.
    assert.deepEqual(
      parts.map((p) => p.name),
      ['event', 'wall.pprof'],
    );
    const eventPart = parts[0]!;
    assert.equal(eventPart.filename, 'event.json');
    assert.equal(eventPart.mimeType, 'application/json');
    const event = JSON.parse(eventPart.data.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(event.attachments, ['wall.pprof']);
    const wall = decodePprofIndependent(parts[1]!.data);
    assert.deepEqual(wall.sampleTypes, [
      { type: 'wall', unit: 'nanoseconds' },
      // The fixture's CPU profile is a count of 10 ms samples: written as count × period ns.
      { type: 'cpu', unit: 'nanoseconds' },
    ]);
    const byLeaf = new Map(wall.samples.map((s) => [s.locations[0]!.lines[0]!.function!.name, s.values.map(Number)]));
    assert.deepEqual(byLeaf.get('queryOrders'), [70_000_000, 70_000_000]);
    assert.deepEqual(byLeaf.get('idle'), [20_000_000, 20_000_000]);
    assert.equal(event.start, '2025-11-25T10:15:02.000Z');
    assert.equal(event.end, '2025-11-25T10:15:12.000Z');
    assert.equal(event.family, 'node');
    assert.equal(event.version, '4');
    const tags = String(event.tags_profiler).split(',');
    for (const t of ['service:checkout', 'env:prod', 'version:1.4.2', 'host:web-1', 'runtime:nodejs', 'team:payments']) {
      assert.ok(tags.includes(t), `tags_profiler has ${t}: ${event.tags_profiler}`);
    }
    assert.deepEqual(event.endpoint_counts, { [ENDPOINT]: 1 });

    for (const p of parts.slice(1)) {
      assert.equal(p.filename, p.name);
      assert.equal(p.mimeType, 'application/octet-stream');
      assert.equal(p.data[0], 0x1f, 'gzip');
      const pprof = decodePprofIndependent(p.data);
      const linked = pprof.samples.map(labelRecord).find((l) => l['span id'] !== undefined);
      assert.ok(linked, `${p.name} has a span-linked sample`);
      assert.equal(linked['span id'], SPAN_ID_DEC);
      assert.equal(linked['local root span id'], ROOT_SPAN_ID_DEC);
      assert.equal(linked['trace endpoint'], ENDPOINT);
      assert.equal(linked.span_id, SPAN_ID_HEX);
      assert.equal(linked.span_name, SPAN_NAME);
    }
  });
});

describe('datadog config', () => {
  const agentless = `receivers:
  otlp:
exporters:
  datadog:
    site: datadoghq.eu
service:
  pipelines:
    profiles:
      receivers: [otlp]
      exporters: [datadog]
`;

  it('agentless: site gives the intake URL and the key comes from DD_API_KEY', () => {
    const c = withApiKey(datadogConfigSchema.parse({ site: 'datadoghq.eu' }), { DD_API_KEY: 'from-env' }, 'exporters.datadog');
    assert.equal(c.mode, 'agentless');
    assert.equal(c.url, 'https://intake.profile.datadoghq.eu/api/v2/profile');
    assert.equal(c.api_key, 'from-env');
    // An explicit key wins over the variable; the agent route never takes the variable.
    assert.equal(withApiKey(datadogConfigSchema.parse({ site: 'datadoghq.eu', api_key: 'own' }), { DD_API_KEY: 'from-env' }, 'x').api_key, 'own');
    assert.equal(withApiKey(datadogConfigSchema.parse({}), { DD_API_KEY: 'from-env' }, 'x').api_key, undefined);
  });

  it('the DD_API_KEY default comes from the env the bridge is given, the one the config was loaded with', () => {
    const env = { DD_API_KEY: 'from-env' };
    const bridge = Bridge.create(parseConfigText(agentless, env), { logger: pino({ level: 'silent' }), env });
    assert.ok(bridge.component('exporter', 'datadog'));
  });

  it('agentless without any key is a config error naming api_key, whatever process.env holds', () => {
    const before = process.env.DD_API_KEY;
    process.env.DD_API_KEY = 'only-in-process-env';
    try {
      assert.throws(
        () => Bridge.create(parseConfigText(agentless, {}), { logger: pino({ level: 'silent' }), env: {} }),
        (e: unknown) => e instanceof ConfigError && /exporters\.datadog\.api_key: agentless upload \(site\) needs an API key/.test(e.message),
      );
      assert.throws(
        () => withApiKey(datadogConfigSchema.parse({ site: 'datadoghq.com' }), { DD_API_KEY: '' }, 'exporters.datadog'),
        /exporters\.datadog\.api_key:/,
      );
    } finally {
      if (before === undefined) delete process.env.DD_API_KEY;
      else process.env.DD_API_KEY = before;
    }
  });

  it('defaults to the local agent', () => {
    const c = datadogConfigSchema.parse({});
    assert.equal(c.mode, 'agent');
    assert.equal(c.url, 'http://127.0.0.1:8126/profiling/v1/input');
  });
});

describe('datadog uploads (pure)', () => {
  it('a repeated profile type for the same series and window opens a second upload', async () => {
    const { uploads } = await pprofUploads(joinedRequest());
    const out = buildUploads([...uploads, ...uploads], {}, '1.0.0');
    assert.equal(out.length, 2);
    for (const u of out) assert.deepEqual(u.event.attachments, ['wall.pprof']);
    for (const u of out)
      assert.deepEqual(
        u.attachments[0]!.profiles.map((p) => p.converted.profileType),
        ['wall', 'cpu'],
      );
    assert.equal(out[0]!.key, out[1]!.key, 'same series: delivered in order');
  });

  it('different services are different uploads', async () => {
    const a = (await pprofUploads(joinedRequest({ service: 'a' }))).uploads;
    const b = (await pprofUploads(joinedRequest({ service: 'b', types: ['cpu'], runtime: 'go' }))).uploads;
    const out = buildUploads([...a, ...b], {}, '1.0.0');
    assert.equal(out.length, 2);
    assert.equal(out[1]!.event.family, 'go');
    assert.notEqual(out[0]!.key, out[1]!.key);
  });

  it('tag values cannot break the comma-separated list', () => {
    assert.equal(tagsProfiler({ 'service.name': 'a,b', 'host.name': 'h\n1' }, { 'k:x': 'v,w' }), 'service:a_b,host:h_1,k_x:v_w');
  });

  it('multipart bodies survive parts that look like boundaries', async () => {
    const tricky = Buffer.from('\r\n--not-the-boundary\r\n\r\n--', 'latin1');
    const { body, contentType } = encodeMultipart([
      { name: 'event', filename: 'event.json', contentType: 'application/json', data: Buffer.from('{"a":1}') },
      { name: 'x"y', filename: 'we\r\nird.pprof', contentType: 'application/octet-stream', data: tricky },
      { name: 'empty', filename: 'empty.pprof', contentType: 'application/octet-stream', data: new Uint8Array(0) },
    ]);
    const parts = await parseMultipart({ 'content-type': contentType }, body);
    assert.equal(parts.length, 3);
    assert.equal(parts[1]!.name, 'x%22y');
    assert.equal(parts[1]!.filename, 'we%0D%0Aird.pprof');
    assert.deepEqual(parts[1]!.data, tricky);
    assert.equal(parts[2]!.data.length, 0);
  });
});
