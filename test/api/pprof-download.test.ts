// `go tool pprof` (the reference reader) fetches selections from the running API over HTTP,
// as it would from Go's net/http/pprof, and its -top table agrees with the API's top
// functions and with the hand-computed fixture.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { EXPECTED, MS, PROFILES, SPAN, fixtureT0, profileRequest, tracesRequest } from '../store/fixture.js';
import { getJson, sendProfiles, sendTraces, startProfiler, type Profiler } from './helpers.js';
import { goPprofAsync, parseTop } from './go-pprof-url.js';

/** `35000000ns` / `1000B` / `0` -> number. */
function amount(text: string): number {
  const m = /^([\d.]+)(ns|B)?$/.exec(text);
  assert.ok(m, `an amount: ${text}`);
  return Number(m[1]);
}

describe('pprof download', () => {
  let p: Profiler;
  let t0: number;

  before(async () => {
    p = await startProfiler();
    t0 = fixtureT0();
    await sendTraces(p, tracesRequest(t0));
    for (const pr of PROFILES) await sendProfiles(p, profileRequest(pr, t0));
  });
  after(() => p?.stop());

  async function agree(
    pprofPath: string,
    apiPath: string,
    params: Record<string, string | number | boolean>,
    unitFlag: string,
  ): Promise<Map<string, { flat: number; cum: number }>> {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const top = parseTop(await goPprofAsync(['-top', `-unit=${unitFlag}`, `${p.api}${pprofPath}?${qs}`]));
    const fromGo = new Map(top.map((r) => [r.name, { flat: amount(r.flat), cum: amount(r.cum) }]));
    const api = await getJson(p, apiPath, params);
    assert.equal(api.status, 200, JSON.stringify(api.body));
    const rows: { name: string; self: number; total: number }[] = apiPath.endsWith('hotspots') ? api.body.top : api.body.rows;
    assert.equal(fromGo.size, rows.length, `same functions: ${[...fromGo.keys()].join(',')}`);
    for (const r of rows) assert.deepEqual(fromGo.get(r.name), { flat: r.self, cum: r.total }, r.name);
    return fromGo;
  }

  it('serves a tag selection that go tool pprof reads, agreeing with /top', async () => {
    const params = { type: 'cpu', from: t0, to: t0 + 4 * 60_000 - 1 };
    const all = await agree('/api/v1/pprof', '/api/v1/top', params, 'ns');
    for (const want of EXPECTED.topSelf) assert.deepEqual(all.get(want.name), { flat: want.self * MS, cum: want.total * MS }, want.name);
    const v13 = await agree('/debug/pprof/profile', '/api/v1/top', { ...params, query: 'version:1.3' }, 'ns');
    assert.equal(v13.get('parse')!.flat, 14 * MS);
  });

  it('serves a span hotspot (with children) and an allocation profile', async () => {
    const span = await agree('/api/v1/pprof', '/api/v1/hotspots', { span_id: SPAN.S1, include_children: true }, 'ns');
    assert.deepEqual([...span.keys()].sort(), ['handle', 'main', 'parse', 'query']);
    // `seconds` is what `go tool pprof -seconds N` adds: the last N seconds.
    const alloc = await agree('/debug/pprof/profile', '/api/v1/top', { type: 'alloc_space', seconds: 3600 }, 'B');
    assert.deepEqual(alloc.get('parse'), { flat: 1000, cum: 1000 });
    assert.deepEqual(alloc.get('gc'), { flat: 500, cum: 500 });
  });

  it('names sample type, unit and window in the profile', async () => {
    const res = await fetch(`${p.api}/api/v1/pprof?type=cpu&from=${t0}&to=${t0 + 4 * 60_000 - 1}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.match(res.headers.get('content-disposition') ?? '', /cpu\.pb\.gz/);
    const prof = Profile.decode(gunzipSync(Buffer.from(await res.arrayBuffer())));
    const str = prof.stringTable.strings;
    assert.equal(str[Number(prof.sampleType[0]!.type)], 'cpu');
    assert.equal(str[Number(prof.sampleType[0]!.unit)], 'nanoseconds');
    // The window of the data: P1 starts at t0, P4 (minute 3) ends 10 s later.
    assert.equal(BigInt(prof.timeNanos), BigInt(t0) * 1_000_000n);
    assert.equal(BigInt(prof.durationNanos), BigInt(3 * 60_000 + 10_000) * 1_000_000n);
    const lines = new Set(prof.location.map((l) => `${str[Number(prof.function[Number(l.line[0]!.functionId) - 1]!.name)]}:${l.line[0]!.line}`));
    assert.ok(lines.has('parse:9') && lines.has('parse:12'), 'line numbers are kept');
  });

  it('answers a bad selection with 400, not a broken profile', async () => {
    const r = await getJson(p, '/api/v1/pprof', { type: 'nope' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.reason, 'profile_type');
  });
});
