// Numbers in the browser: a real bridge, data through its OTLP receiver, headless Chromium.
// In-use heap snapshots show their average (not their sum) and say so; switching "Group by"
// redraws header, flame graph and table from one answer, so self percentages add up to
// 100 % even when data arrives in between; a span's wall time is explained next to its
// duration; the metrics chart marks its last, still filling bucket.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../../src/otlp/build.js';
import { encodeProfilesRequest, encodeTracesRequest } from '../../src/otlp/index.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import { defaultFactories } from '../../src/components.js';
import { startBridge, type RunningBridge } from '../helpers/bridge.js';
import { ensureUiBuilt, launchChromium, newAppPage, openRoute, uiBridgeConfig } from './browser.js';
import { formatValue } from '../../src/ui/format.js';

const OUT = resolve(process.env.OPB_TEST_OUTPUT ?? 'test-output', 'ui');
const MiB = 1024 * 1024;
const MS = 1_000_000;
const SNAPSHOTS = 5;
const TRACE = 'f1000000000000000000000000000001';
const SPAN = 'f100000000000001';

interface Fr {
  fn: string;
  file: string;
}
const MAIN: Fr = { fn: 'main', file: 'src/main.js' };
const HANDLER: Fr = { fn: 'Shop.handle', file: 'src/shop.js' };
const RENDER: Fr = { fn: 'Shop.render', file: 'src/shop.js' };
const CACHE: Fr = { fn: 'Cache.fill', file: 'src/cache.js' };
const GC: Fr = { fn: '(garbage collector)', file: '' };
const WRITEV: Fr = { fn: 'writev', file: '' };
const NON_JS: Fr = { fn: 'Non JS threads activity', file: '' };

let nextId = 1;
function profile(o: {
  service: string;
  startMs: number;
  sampleType: [string, string];
  periodType: [string, string];
  samples: { stack: Fr[]; value: number; span?: boolean }[];
}): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const loc = (f: Fr) => b.location([{ functionIndex: b.function(f.fn, f.file, 1), line: f.file ? 3 : 0, column: 0 }]);
  const id = nextId++;
  const samples = o.samples.map((s) =>
    makeSample({
      stackIndex: b.stack(s.stack.map(loc)),
      values: [s.value],
      linkIndex: s.span ? b.link(Uint8Array.from(Buffer.from(TRACE, 'hex')), Uint8Array.from(Buffer.from(SPAN, 'hex'))) : 0,
    }),
  );
  const p = makeProfile({
    sampleType: b.valueType(...o.sampleType),
    periodType: b.valueType(...o.periodType),
    period: 1,
    timeUnixNano: BigInt(o.startMs) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? id & 0xff : i === 1 ? id >> 8 : 0x77)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [p], makeResource({ 'service.name': o.service, 'service.version': '2.0' }), makeScope('ui-fidelity', '1'));
}

function traces(startMs: number): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: makeResource({ 'service.name': 'shop' }),
        schemaUrl: '',
        scopeSpans: [
          {
            scope: makeScope('ui-fidelity', '1'),
            schemaUrl: '',
            spans: [
              makeSpan({
                traceId: Uint8Array.from(Buffer.from(TRACE, 'hex')),
                spanId: Uint8Array.from(Buffer.from(SPAN, 'hex')),
                name: 'GET /slow/:id',
                kind: 2,
                attributes: [
                  { key: 'http.route', value: { stringValue: '/slow/:id' }, keyStrindex: 0 },
                  { key: 'http.request.method', value: { stringValue: 'GET' }, keyStrindex: 0 },
                ],
                startTimeUnixNano: BigInt(startMs) * 1_000_000n,
                endTimeUnixNano: BigInt(startMs + 236) * 1_000_000n,
              }),
            ],
          },
        ],
      },
    ],
  };
}

describe('web UI numbers', () => {
  let dir: string;
  let bridge: RunningBridge;
  let base: string;
  let browser: Browser;
  let page: Page;
  let t0: number;
  const pageErrors: string[] = [];

  const post = async (path: string, body: Uint8Array) => {
    const res = await fetch(`${bridge.http}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
    await res.arrayBuffer();
    assert.equal(res.status, 200, path);
  };
  const storedProfiles = async () => {
    const r = await fetch(`${base}/api/v1/profile-types`);
    const body = (await r.json()) as { types: { profiles: number }[] };
    return body.types.reduce((a, t) => a + t.profiles, 0);
  };
  const waitStored = async (n: number) => {
    for (let i = 0; i < 400; i++) {
      if ((await storedProfiles()) >= n) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${n} stored profiles`);
  };

  const cpuProfile = (startMs: number, scale: number) =>
    profile({
      service: 'shop',
      startMs,
      sampleType: ['cpu', 'nanoseconds'],
      periodType: ['cpu', 'nanoseconds'],
      samples: [
        { stack: [HANDLER, MAIN], value: 40 * MS * scale },
        { stack: [RENDER, HANDLER, MAIN], value: 25 * MS * scale },
        { stack: [CACHE, MAIN], value: 15 * MS * scale },
        { stack: [WRITEV, HANDLER, MAIN], value: 7 * MS * scale },
        { stack: [GC], value: 9 * MS * scale },
        { stack: [NON_JS], value: 4 * MS * scale },
      ],
    });

  before(async () => {
    ensureUiBuilt();
    mkdirSync(OUT, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'opb-ui-numbers-'));
    bridge = await startBridge(uiBridgeConfig(dir), { factories: defaultFactories() });
    base = `http://${bridge.bridge.endpoints()['extensions.api']!.http}`;
    t0 = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
    await post('/v1/traces', encodeTracesRequest(traces(t0 + 1000)));
    for (let i = 0; i < SNAPSHOTS; i++) {
      await post(
        '/v1development/profiles',
        encodeProfilesRequest(
          profile({
            service: 'heapy',
            startMs: t0 + i * 30_000,
            sampleType: ['inuse_space', 'bytes'],
            periodType: ['space', 'bytes'],
            samples: [
              { stack: [CACHE, MAIN], value: 7 * MiB },
              { stack: [HANDLER, MAIN], value: 3 * MiB },
            ],
          }),
        ),
      );
    }
    await post('/v1development/profiles', encodeProfilesRequest(cpuProfile(t0, 1)));
    // 26.9 ms of wall time in the 236 ms span: the rest of it, the span awaited I/O.
    await post(
      '/v1development/profiles',
      encodeProfilesRequest(
        profile({
          service: 'shop',
          startMs: t0,
          sampleType: ['wall', 'nanoseconds'],
          periodType: ['wall', 'nanoseconds'],
          samples: [{ stack: [HANDLER, MAIN], value: 26.9 * MS, span: true }],
        }),
      ),
    );
    await waitStored(SNAPSHOTS + 2);
    browser = await launchChromium();
    page = await newAppPage(browser, pageErrors);
  });

  after(async () => {
    await browser?.close();
    await bridge?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = (hash: string, pageName: string) => openRoute(page, base, hash, pageName);
  const text = async (sel: string) => ((await page.locator(sel).first().textContent()) ?? '').trim();
  const q = (s: string) => encodeURIComponent(s);

  it('shows the average of in-use heap snapshots, and says so', async () => {
    await open(`#/flame?type=inuse_space&query=${q('service:heapy')}`, 'flame');
    assert.equal(await text('[data-testid=total]'), '10 MiB', `${SNAPSHOTS} snapshots of 10 MiB: 10 MiB, not ${SNAPSHOTS * 10}`);
    assert.equal(await text('[data-testid=aggregation]'), `average of ${SNAPSHOTS} snapshots`);
    // The flame graph's root is the same 10 MiB (its tooltip names the value).
    assert.equal(await page.locator('[data-testid=flame-graph]').locator('..').getAttribute('data-total'), String(10 * MiB));
    await open(`#/search?type=inuse_space&query=${q('service:heapy')}`, 'search');
    assert.equal(await text('[data-testid=total]'), '10 MiB');
    assert.equal(await text('[data-testid=aggregation]'), `average of ${SNAPSHOTS} snapshots`);
    await open(`#/flame?type=cpu&query=${q('service:shop')}`, 'flame');
    assert.equal(await text('[data-testid=aggregation]'), 'sum of 1 profile');
  });

  /** Self % of every row of the top table, the header's total, and the view's base. */
  async function tableState() {
    const pcts = await page
      .locator('[data-testid=top-table] tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => Number(((r as unknown as { cells: { textContent: string }[] }).cells[3]!.textContent ?? '').replace('%', ''))),
      );
    const view = page.locator('section.flame-view');
    return {
      pctSum: pcts.reduce((a, b) => a + b, 0),
      rows: pcts.length,
      header: await text('[data-testid=total]'),
      base: Number(await view.getAttribute('data-total')),
      groupBy: await view.getAttribute('data-group-by'),
    };
  }

  it('keeps one base when switching Group by: percentages add up to 100 %, graph and header follow', async () => {
    await open(`#/flame?type=cpu&query=${q('service:shop')}`, 'flame');
    const first = await tableState();
    assert.equal(first.groupBy, 'function');
    assert.ok(Math.abs(first.pctSum - 100) < 0.1 * first.rows + 0.01, `function: ${first.pctSum}%`);
    assert.equal(first.base, 100 * MS);
    // More data arrives while the page is open: a new answer must not meet an old base.
    await post('/v1development/profiles', encodeProfilesRequest(cpuProfile(t0 + 60_000, 2)));
    await waitStored(SNAPSHOTS + 3);
    for (const [value, label] of [
      ['module', 'file'],
      ['line', 'file:line'],
      ['class', 'class'],
      ['function', 'function'],
    ] as const) {
      await page.getByTestId('group-by').selectOption({ label });
      await page.waitForSelector(`section.flame-view[data-group-by="${value}"]`);
      const s = await tableState();
      assert.ok(Math.abs(s.pctSum - 100) < 0.1 * s.rows + 0.01, `${value}: self % adds up to ${s.pctSum}`);
      // Header, flame graph and table share the base of the one answer they came from.
      assert.equal(s.base, 300 * MS, `${value}: the new answer holds both profiles`);
      assert.equal(s.header, formatValue(s.base, 'nanoseconds'), `${value}: the header shows the table's base`);
      await page.locator('[data-testid=flame-graph] g[name="main"]').first().hover();
      assert.match(
        await text('[data-testid=flame-hover]'),
        /total 261 ms/,
        `${value}: the flame graph is drawn from the same answer (main: 3 × 87 ms)`,
      );
      const names = await page.locator('[data-testid=top-table] tbody tr td:first-child').allTextContents();
      if (value !== 'function') {
        for (const native of [GC.fn, WRITEV.fn, NON_JS.fn])
          assert.ok(names.includes(native), `${value}: ${native} has its own row in ${names.join(', ')}`);
        assert.ok(!names.includes(''), `${value}: no nameless row`);
      }
    }
    await page.screenshot({ path: join(OUT, 'numbers-group-by.png'), fullPage: true });
  });

  it('finds a span by span_name and explains its wall time next to its duration', async () => {
    await open(`#/search?type=wall&query=${q('span_name:"GET /slow/:id"')}`, 'search');
    assert.equal(await text('[data-testid=total]'), '26.9 ms');
    await open(`#/search?type=wall&query=${q('"trace endpoint":"GET /slow/:id"')}`, 'search');
    assert.equal(await text('[data-testid=total]'), '26.9 ms');
    await open(`#/hotspots?type=wall&trace_id=${TRACE}`, 'hotspots');
    await open(`#/hotspots?type=wall&span_id=${SPAN}&from=${t0 - 60_000}&to=${Date.now()}`, 'hotspots');
    const note = await text('[data-testid=time-note]');
    assert.match(note, /only|while this span’s context was on the thread/);
    assert.match(note, /awaits I\/O/);
    assert.match(note, /26\.9 ms of wall in a span of 236 ms/);
    await page.screenshot({ path: join(OUT, 'numbers-wall-note.png'), fullPage: true });
  });

  it('hints at the label meant when a key matches nothing', async () => {
    await open(`#/search?type=cpu&query=${q('servce:shop')}`, 'search');
    const body = await text('main');
    assert.match(body, /no profile has a label "servce"; did you mean "service"/);
  });

  it('marks the last, still filling bucket of the metrics chart', async () => {
    await open('#/metrics?type=cpu', 'metrics');
    const band = page.getByTestId('chart-by-label').getByTestId('partial-bucket');
    assert.equal(await band.count(), 1);
    assert.equal((await band.locator('text').textContent())?.trim(), 'partial');
    await page.screenshot({ path: join(OUT, 'numbers-metrics-partial.png'), fullPage: true });
  });

  it('logged no errors in the browser', () => {
    assert.deepEqual(pageErrors, []);
  });
});
