// The thread each sample ran on, in the store: kept per sample (span_samples.thread_name /
// thread_id), a sample-level facet of the tag query, and carried by pprof downloads. And a
// database written by schema version 2 (no thread columns) upgrades in place when opened.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Profile } from 'pprof-format';
import { Registry } from 'prom-client';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../../src/otlp/model.js';
import { storeConfigSchema } from '../../src/store/config.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { parseTagQuery } from '../../src/store/query/tag-query.js';
import { MS, PROFILES, SPAN, fixtureT0, profileRequest, tracesRequest } from './fixture.js';

const dirs: string[] = [];
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openStore(dir?: string): Store {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'opb-threads-'));
  if (!dir) dirs.push(d);
  const store = new Store({
    config: storeConfigSchema.parse({ directory: d, batch: { flush_interval: 5 }, query: { workers: 0 } }),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
  });
  store.open();
  stores.push(store);
  return store;
}

const EVERYTHING = { from: 0, to: Number.MAX_SAFE_INTEGER };

/**
 * A CPU profile of service `threaded` as the SDK plugin sends it: `thread.name` (string) and
 * `thread.id` (integer) on every sample; `work` 30 ms on main (thread 0, 20 ms of it in span
 * S1 of the fixture's trace), `poll` 12 ms on worker-3 (thread 3).
 */
function threadedProfile(startMs: number, id: number): ExportProfilesServiceRequest {
  const b = new DictionaryBuilder();
  const loc = (fn: string) => b.location([{ functionIndex: b.function(fn, `${fn}.js`, 1), line: 2, column: 0 }]);
  const main = [b.attribute('thread.name', 'main'), b.attribute('thread.id', 0)];
  const worker = [b.attribute('thread.name', 'worker-3'), b.attribute('thread.id', 3)];
  const link = b.link(Buffer.from('11111111111111111111111111111111', 'hex'), Buffer.from(SPAN.S1, 'hex'));
  const work = b.stack([loc('work'), loc('main')]);
  const poll = b.stack([loc('poll')]);
  const profile = makeProfile({
    sampleType: b.valueType('cpu', 'nanoseconds'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10 * MS,
    timeUnixNano: BigInt(startMs) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? id : 0x7c)),
    samples: [
      makeSample({ stackIndex: work, values: [10 * MS], attributeIndices: main }),
      makeSample({ stackIndex: work, values: [20 * MS], attributeIndices: main, linkIndex: link }),
      makeSample({ stackIndex: poll, values: [12 * MS], attributeIndices: worker }),
    ],
  });
  return makeProfilesRequest(b.dictionary, [profile], makeResource({ 'service.name': 'threaded' }), makeScope('threads', '1'));
}

/** What a pprof download's samples carry: value per (sorted) label text. */
function labelledValues(bytes: Uint8Array): Map<string, number> {
  const p = Profile.decode(gunzipSync(bytes));
  const s = p.stringTable.strings;
  const out = new Map<string, number>();
  for (const sample of p.sample) {
    const labels = sample.label
      .map((l) => `${s[Number(l.key)]}=${Number(l.str) !== 0 ? s[Number(l.str)] : `#${l.num}`}`)
      .sort()
      .join(' ');
    out.set(labels, (out.get(labels) ?? 0) + Number(sample.value[0]));
  }
  return out;
}

describe('thread names in the store', () => {
  it('selects samples by thread.name (any spelling), lists its values, hints at near keys', async () => {
    const store = openStore();
    const t0 = fixtureT0();
    await store.consumeProfiles(threadedProfile(t0, 1));
    await store.consumeProfiles(threadedProfile(t0 + 10_000, 2));
    const flame = (query: string) => store.queries.run('flame', { type: 'cpu', ...EVERYTHING, query: parseTagQuery(query) }, {});
    assert.equal((await flame('service:threaded')).total, 2 * 42 * MS);
    assert.equal((await flame('thread.name:main')).total, 2 * 30 * MS);
    assert.equal((await flame('thread_name:worker-3')).total, 2 * 12 * MS);
    assert.equal((await flame('"thread name":main,worker-3')).total, 2 * 42 * MS);
    assert.equal((await flame('thread.name:*')).total, 2 * 42 * MS);
    assert.equal((await flame('thread.name:nope')).total, 0);
    // With other sample-level terms: both must hold.
    assert.equal((await flame(`thread.name:main span_id:${SPAN.S1}`)).total, 2 * 20 * MS);
    assert.equal((await flame(`thread.name:worker-3 span_id:${SPAN.S1}`)).total, 0);
    assert.deepEqual((await flame('thread.name:main')).hints, []);
    const typo = await flame('thread.nme:main');
    assert.equal(typo.total, 0);
    assert.equal(typo.hints.length, 1);
    assert.match(typo.hints[0]!, /no profile has a label "thread\.nme"; did you mean .*"thread\.name"/);
    await assert.rejects(flame('-thread.name:main'), /cannot be negated/);

    const names = await store.queries.run('labelNames', { ...EVERYTHING, type: 'cpu' }, {});
    assert.ok(names.names.includes('thread.name'), names.names.join(', '));
    const values = await store.queries.run('labelValues', 'thread_name', { ...EVERYTHING, type: 'cpu' }, {});
    assert.deepEqual(values, {
      name: 'thread.name',
      values: [
        { value: 'main', profiles: 2 },
        { value: 'worker-3', profiles: 2 },
      ],
      truncated: false,
    });

    // Downloads: thread.name and thread.id as string labels (a numeric 0 would be dropped by pprof readers).
    const all = labelledValues(await store.queries.run('pprof', { type: 'cpu', ...EVERYTHING }, undefined, { labels: true }));
    assert.deepEqual(
      all,
      new Map([
        ['thread.id=0 thread.name=main', 2 * 10 * MS],
        [`span_id=${SPAN.S1} thread.id=0 thread.name=main trace_id=${'1'.repeat(32)}`, 2 * 20 * MS],
        ['thread.id=3 thread.name=worker-3', 2 * 12 * MS],
      ]),
    );
  });

  it('upgrades a database of schema version 2 in place: its data stays, new samples keep their thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opb-threads-v2-'));
    dirs.push(dir);
    const t0 = fixtureT0();
    let store = openStore(dir);
    await store.consumeTraces(tracesRequest(t0));
    for (const p of PROFILES) await store.consumeProfiles(profileRequest(p, t0));
    const before = {
      profiles: store.profiles,
      top: await store.queries.run('top', { type: 'cpu', ...EVERYTHING }, {}),
      span: await store.queries.run('hotspots', { kind: 'span', id: SPAN.S1, includeChildren: true }, { type: 'cpu', ...EVERYTHING }),
      endpoint: await store.queries.run('flame', { type: 'cpu', ...EVERYTHING, query: parseTagQuery('"trace endpoint":"GET /checkout"') }, {}),
    };
    await store.close();

    // The database as version 2 wrote it: span_samples without the thread columns and index,
    // and only the rows version 2 wrote (samples attributed to a span, trace or endpoint).
    let db = new Database(join(dir, 'profiles.db'));
    db.exec(`DELETE FROM span_samples WHERE span_id = '' AND trace_id = '' AND endpoint = '';
      DROP INDEX span_samples_by_thread;
      ALTER TABLE span_samples DROP COLUMN thread_id;
      ALTER TABLE span_samples DROP COLUMN thread_name;
      UPDATE meta SET value = '2' WHERE key = 'schema_version';`);
    assert.deepEqual(
      (db.prepare('PRAGMA table_info(span_samples)').all() as { name: string }[]).map((c) => c.name),
      ['profile_id', 'span_id', 'trace_id', 'local_root_span_id', 'endpoint', 'stack_id', 'value'],
      "version 2's span_samples",
    );
    const v2Rows = db.prepare('SELECT count(*) FROM span_samples').pluck().get() as number;
    assert.ok(v2Rows > 0);
    db.close();

    store = openStore(dir);
    db = new Database(join(dir, 'profiles.db'), { readonly: true });
    assert.equal(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get(), String(SCHEMA_VERSION));
    assert.equal(SCHEMA_VERSION, 3);
    const cols = (db.prepare('PRAGMA table_info(span_samples)').all() as { name: string }[]).map((c) => c.name);
    assert.ok(cols.includes('thread_name') && cols.includes('thread_id'), cols.join(', '));
    assert.ok(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'span_samples_by_thread'`).get());
    assert.equal(db.prepare(`SELECT count(*) FROM span_samples WHERE thread_name = '' AND thread_id = ''`).pluck().get(), v2Rows);
    db.close();

    // What version 2 stored answers as before.
    assert.equal(store.profiles, before.profiles);
    assert.deepEqual(await store.queries.run('top', { type: 'cpu', ...EVERYTHING }, {}), before.top);
    assert.deepEqual(
      await store.queries.run('hotspots', { kind: 'span', id: SPAN.S1, includeChildren: true }, { type: 'cpu', ...EVERYTHING }),
      before.span,
    );
    assert.deepEqual(
      await store.queries.run('flame', { type: 'cpu', ...EVERYTHING, query: parseTagQuery('"trace endpoint":"GET /checkout"') }, {}),
      before.endpoint,
    );
    // Its samples have no thread (version 2 did not keep one): the facet has no values yet.
    assert.deepEqual((await store.queries.run('labelValues', 'thread.name', { ...EVERYTHING }, {})).values, []);
    // Deduplication still holds: a re-sent profile is not stored twice.
    await store.consumeProfiles(profileRequest(PROFILES[0]!, t0));
    assert.equal(store.profiles, before.profiles);
    // New profiles keep their threads.
    await store.consumeProfiles(threadedProfile(t0, 1));
    await store.consumeProfiles(threadedProfile(t0, 1));
    assert.equal(store.profiles, before.profiles + 1);
    const main = await store.queries.run('flame', { type: 'cpu', ...EVERYTHING, query: parseTagQuery('thread.name:main') }, {});
    assert.equal(main.total, 30 * MS);
    // Reopening a current database changes nothing.
    await store.close();
    store = openStore(dir);
    assert.equal(store.profiles, before.profiles + 1);
    assert.equal((await store.queries.run('flame', { type: 'cpu', ...EVERYTHING, query: parseTagQuery('thread.name:main') }, {})).total, 30 * MS);
    // A newer schema than the code knows is refused, not guessed at.
    await store.close();
    db = new Database(join(dir, 'profiles.db'));
    db.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run();
    db.close();
    assert.throws(() => openStore(dir), /store schema version 99 is not supported \(expected 3\)/);
  });
});
