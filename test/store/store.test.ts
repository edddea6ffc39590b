// The Store on its own: ingestion through consumeProfiles/consumeTraces, duplicates,
// local-root resolution of spans that arrive children first, back-pressure, and retention
// by age and by size (with a fake clock), checked through its queries and the database.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope, makeSpan } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/model.js';
import { SpanFlags } from '../../src/otlp/model.js';
import { ConsumerError } from '../../src/errors.js';
import { storeConfigSchema } from '../../src/store/config.js';
import { Store } from '../../src/store/store.js';
import { parseTagQuery } from '../../src/store/query/tag-query.js';
import { PROFILES, SPAN, TRACE, MS, profileRequest, tracesRequest } from './fixture.js';

const dirs: string[] = [];
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openStore(config: Record<string, unknown> = {}, now?: () => number): { store: Store; registry: Registry } {
  const dir = mkdtempSync(join(tmpdir(), 'opb-store-'));
  dirs.push(dir);
  const registry = new Registry();
  const store = new Store({
    config: storeConfigSchema.parse({ directory: dir, batch: { flush_interval: 5 }, query: { workers: 0 }, ...config }),
    logger: pino({ level: 'silent' }),
    metrics: registry,
    now,
  });
  store.open();
  stores.push(store);
  return { store, registry };
}

const EVERYTHING = { from: 0, to: Number.MAX_SAFE_INTEGER };

/** A CPU profile of `stacks` distinct one-frame-deep stacks named `${prefix}${i}`, each with value 1 count (1 ms). */
function wideProfile(prefix: string, stacks: number, startMs: number, service = 'wide', id = 0): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const root = b.location([{ functionIndex: b.function('root', 'root.go', 1), line: 1, column: 0 }]);
  const samples = [];
  for (let i = 0; i < stacks; i++) {
    const leaf = b.location([{ functionIndex: b.function(`${prefix}${i}`, `${prefix}.go`, i), line: i + 1, column: 0 }]);
    samples.push(makeSample({ stackIndex: b.stack([leaf, root]), values: [1] }));
  }
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: MS,
    timeUnixNano: BigInt(startMs) * 1_000_000n,
    durationNano: 1_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, i) => (i < 4 ? (id >> (8 * i)) & 0xff : 9)),
    samples,
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': service }), makeScope());
}

function countRows(store: Store, table: string): number {
  const db = new Database(store.file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('store ingestion', () => {
  it('keeps profiles, their samples and span attribution, and skips duplicates', async () => {
    const { store, registry } = openStore();
    const t0 = 1_700_000_000_000;
    await store.consumeTraces(tracesRequest(t0));
    for (const p of PROFILES) await store.consumeProfiles(profileRequest(p, t0));
    // A retried export is the same profile again: it is not stored twice.
    await store.consumeProfiles(profileRequest(PROFILES[0]!, t0));
    assert.equal(store.profiles, 5);
    const top = await store.queries.run('top', { type: 'cpu', ...EVERYTHING }, {});
    assert.equal(top.total, 66 * MS);
    // Without the join there is no endpoint label, but the samples' links still name spans.
    const hs = await store.queries.run('hotspots', { kind: 'span', id: SPAN.S1, includeChildren: true }, { ...EVERYTHING });
    assert.equal(hs.total, 15 * MS);
    const trace = await store.queries.run('hotspots', { kind: 'trace', id: TRACE.T3 }, { ...EVERYTHING });
    assert.equal(trace.total, 28 * MS);
    const metrics = await registry.getSingleMetricAsString('otel_profile_bridge_store_dropped_total');
    assert.match(metrics, /reason="duplicate"} 1/);
  });

  it('resolves local roots and endpoints of spans that arrive before their parents', async () => {
    const { store } = openStore();
    const t0 = 1_700_000_000_000;
    const all = tracesRequest(t0).resourceSpans[0]!.scopeSpans[0]!.spans;
    const one = (id: string, service = 'checkout'): ExportTraceServiceRequest => ({
      resourceSpans: [
        {
          resource: makeResource({ 'service.name': service }),
          schemaUrl: '',
          scopeSpans: [{ scope: makeScope(), schemaUrl: '', spans: all.filter((s) => Buffer.from(s.spanId).toString('hex') === id) }],
        },
      ],
    });
    // Children first, one request each (the usual export order), root last.
    await store.consumeTraces(one(SPAN.S2));
    await store.consumeTraces(one(SPAN.S1));
    let t = await store.queries.run('trace', TRACE.T1);
    // The root is unknown so far: each span shows the outermost endpoint seen.
    assert.deepEqual(
      t.spans.map((s) => s.endpoint),
      ['checkout.handle', 'db.query'],
    );
    await store.consumeTraces(one(SPAN.R1));
    t = await store.queries.run('trace', TRACE.T1);
    assert.deepEqual(
      t.spans.map((s) => [s.name, s.endpoint]),
      [
        ['GET /checkout', 'GET /checkout'],
        ['checkout.handle', 'GET /checkout'],
        ['db.query', 'GET /checkout'],
      ],
    );
    // A span whose parent runs in another service starts its own service's local tree.
    const remoteChild = makeSpan({
      traceId: Buffer.from(TRACE.T1, 'hex'),
      spanId: Buffer.from('dd00000000000001', 'hex'),
      parentSpanId: Buffer.from(SPAN.S2, 'hex'),
      name: 'inventory.lookup',
      kind: 2,
      flags: SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK | SpanFlags.CONTEXT_IS_REMOTE_MASK,
      startTimeUnixNano: BigInt(t0 + 1030) * 1_000_000n,
      endTimeUnixNano: BigInt(t0 + 1040) * 1_000_000n,
    });
    await store.consumeTraces({
      resourceSpans: [
        {
          resource: makeResource({ 'service.name': 'inventory' }),
          schemaUrl: '',
          scopeSpans: [{ scope: makeScope(), schemaUrl: '', spans: [remoteChild] }],
        },
      ],
    });
    t = await store.queries.run('trace', TRACE.T1);
    const inv = t.spans.find((s) => s.service === 'inventory')!;
    assert.equal(inv.endpoint, 'inventory.lookup');
    // include_children crosses services: the inventory span is a descendant of S1.
    const desc = await store.queries.run('hotspots', { kind: 'span', id: SPAN.S1, includeChildren: true }, { ...EVERYTHING });
    assert.deepEqual([...desc.spanIds].sort(), [SPAN.S1, SPAN.S2, 'dd00000000000001'].sort());
  });

  it('pushes back with a retryable error when the write queue is full', async () => {
    const { store } = openStore({ batch: { max_queue_bytes: 1, flush_interval: 50 } });
    const first = store.consumeProfiles(wideProfile('q', 3, 1_700_000_000_000, 'q', 1));
    await assert.rejects(store.consumeProfiles(wideProfile('q', 3, 1_700_000_000_000, 'q', 2)), (e: unknown) => {
      assert.ok(e instanceof ConsumerError);
      assert.equal(e.code, 'ERR_PIPELINE_FULL');
      assert.equal(e.retryable, true);
      return true;
    });
    await first;
    assert.equal(store.profiles, 1);
  });

  it('refuses data once closed, and its queries say the store is not open', async () => {
    const { store } = openStore();
    await store.close();
    await assert.rejects(
      store.consumeProfiles(wideProfile('c', 1, 0)),
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_PIPELINE_UNAVAILABLE',
    );
    assert.throws(
      () => store.queries,
      (e: unknown) => e instanceof ConsumerError && e.code === 'ERR_STORE',
    );
  });

  it('reopens an existing database with its data', async () => {
    const { store } = openStore();
    await store.consumeProfiles(wideProfile('r', 4, 1_700_000_000_000, 'reopen'));
    await store.close();
    store.open();
    assert.equal(store.profiles, 1);
    const r = await store.queries.run('search', { ...EVERYTHING, query: parseTagQuery('service:reopen') }, {});
    assert.equal(r.total, 4 * MS);
  });
});

describe('store retention', () => {
  it('deletes profiles, spans and stacks older than max_age, in bounded runs', async () => {
    let now = 1_800_000_000_000;
    const day = 86_400_000;
    const { store, registry } = openStore({ retention: { max_age: '7d', max_deletes_per_run: 2 } }, () => now);
    const old = now - 8 * day;
    const fresh = now - 3_600_000;
    for (let i = 0; i < 5; i++) await store.consumeProfiles(wideProfile('ancient', 3, old + i * 60_000, 'svc', i));
    await store.consumeProfiles(wideProfile('fresh', 2, fresh, 'svc', 100));
    await store.consumeTraces(tracesRequest(old));
    await store.consumeTraces({
      resourceSpans: [
        {
          resource: makeResource({ 'service.name': 'svc' }),
          schemaUrl: '',
          scopeSpans: [
            {
              scope: makeScope(),
              schemaUrl: '',
              spans: [
                makeSpan({
                  traceId: Buffer.alloc(16, 7),
                  spanId: Buffer.alloc(8, 7),
                  name: 'recent',
                  startTimeUnixNano: BigInt(fresh) * 1_000_000n,
                  endTimeUnixNano: BigInt(fresh + 5) * 1_000_000n,
                }),
              ],
            },
          ],
        },
      ],
    });
    assert.equal(store.profiles, 6);
    const stacksBefore = countRows(store, 'stacks');

    const first = store.retain();
    assert.equal(first.deletedByAge, 2, 'at most max_deletes_per_run per run');
    assert.equal(first.more, true);
    for (let i = 0; i < 10 && store.retain().more; i++);
    assert.equal(store.profiles, 1);
    const left = await store.queries.run('top', { type: 'cpu', ...EVERYTHING }, {});
    assert.deepEqual(left.rows.map((r) => r.name).sort(), ['fresh0', 'fresh1', 'root']);
    assert.equal(countRows(store, 'spans'), 1, 'old spans deleted, the recent one kept');
    assert.equal(countRows(store, 'span_samples'), 0);
    // The 3 ancient stacks (shared by the 5 old profiles) and their functions are referenced by no remaining profile.
    assert.equal(countRows(store, 'stacks'), stacksBefore - 3);
    assert.equal(countRows(store, 'functions'), 3, 'root, fresh0, fresh1');
    assert.match(await registry.getSingleMetricAsString('otel_profile_bridge_store_retention_deleted_total'), /reason="age"} 5/);

    // A stack shared with the deleted profiles but still used by a kept one stays.
    now += 2 * day;
    await store.consumeProfiles(wideProfile('fresh', 2, now - 1000, 'svc', 101));
    store.retain();
    const again = await store.queries.run('top', { type: 'cpu', ...EVERYTHING }, {});
    assert.equal(again.total, 4 * MS);
  });

  it('deletes the oldest data while the database is larger than max_size', async () => {
    const maxSize = 400 * 1024;
    const { store, registry } = openStore({ retention: { max_age: '3650d', max_size: maxSize, max_deletes_per_run: 20 } }, () => 1_800_000_000_000);
    const t0 = 1_700_000_000_000;
    const count = 60;
    // One profile an hour, each with the same 1000 stacks (as a running service has): the
    // per-profile samples are what grows.
    for (let i = 0; i < count; i++) await store.consumeProfiles(wideProfile('fn', 1000, t0 + i * 60 * 60_000, 'size', i));
    // The writes that crossed max_size ran retention already.
    assert.ok(store.profiles < count, `size retention ran while writing: ${store.profiles} of ${count} kept`);
    const before = store.retain();
    let runs = 1;
    let last = before;
    while (last.more && runs < 100) {
      last = store.retain();
      runs++;
    }
    assert.ok(last.usedBytes <= maxSize, `used ${last.usedBytes} <= ${maxSize} after ${runs} runs`);
    const kept = store.profiles;
    assert.ok(kept > 0 && kept < count, `kept ${kept} of ${count}`);
    // What is left is the newest profiles.
    const r = await store.queries.run('search', { ...EVERYTHING, query: parseTagQuery('service:size') }, { limit: 1000 });
    const starts = r.profiles.map((p) => (p.startMs - t0) / 3_600_000).sort((a, b) => a - b);
    assert.deepEqual(
      starts,
      Array.from({ length: kept }, (_, i) => count - kept + i),
    );
    assert.match(await registry.getSingleMetricAsString('otel_profile_bridge_store_retention_deleted_total'), /reason="size"} \d+/);
  });
});
