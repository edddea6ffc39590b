// Acknowledged means kept, through the join: a bridge process (the real CLI) with the join
// persisting its holds, the store, the file exporter and a Pyroscope exporter with a
// persisted queue is killed with SIGKILL while span-linked profiles stream in; a second
// process on the same config, with the backend up, delivers every profile that was answered
// 200 to all three — and the store holds each exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fileTimestamp } from '../../../src/exporters/file/layout.js';
import { DATABASE_FILE } from '../../../src/store/store.js';
import { waitUntil } from '../helpers/backends.js';
import { outageRig, uploadKeys } from '../helpers/child-bridge.js';
import { T0_SECONDS, joinedRequest, startOf } from '../helpers/joined.js';
import { postProfiles } from '../../helpers/bridge.js';

const SENDERS = 3;
const MAX_REQUESTS = 120;
/** Acknowledged requests after which the first process is killed. */
const KILL_AFTER = 24;
const TYPES = ['samples', 'wall'] as const;

describe('kill -9 with the join holding profiles', () => {
  const rig = outageRig('opb-durable-join-');
  const dir = rig.dir;

  it('delivers every acknowledged profile to the store, the files and the backend after a restart', async (t) => {
    const backend = await rig.downBackend(); // the port is reserved; the first process cannot deliver
    const config = join(dir, 'bridge.yaml');
    const files = join(dir, 'files');
    writeFileSync(
      config,
      `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  join: { hold_window: 2s, directory: ${JSON.stringify(join(dir, 'holds'))} }
exporters:
  store: { directory: ${JSON.stringify(join(dir, 'store'))}, query: { workers: 0 } }
  file: { directory: ${JSON.stringify(files)} }
  pyroscope:
    endpoint: ${backend.url}
    sending_queue: { directory: ${JSON.stringify(join(dir, 'queue'))}, drain_timeout: 200ms }
    retry: { initial_interval: 100ms, max_interval: 500ms }
service:
  telemetry: { logs: { level: info } }
  pipelines:
    profiles: { receivers: [otlp], processors: [join], exporters: [store, file, pyroscope] }
`,
    );

    const first = await rig.start(config);
    // Several senders at once, so the kill lands with requests held, in flight and queued.
    const acked: number[] = [];
    let nextSeq = 0;
    let killed = false;
    const sender = async () => {
      while (!killed && nextSeq < MAX_REQUESTS) {
        const seq = nextSeq++;
        let status = 0;
        try {
          status = await postProfiles(first.http, joinedRequest({ seq }));
        } catch {
          // Cut by the kill: not acknowledged.
        }
        if (status === 200) acked.push(seq);
        if (acked.length >= KILL_AFTER && !killed) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    assert.ok(killed, 'the first process was killed mid-stream');
    await first.exited;
    const holdFiles = () => (existsSync(join(dir, 'holds')) ? readdirSync(join(dir, 'holds')).filter((f) => f.endsWith('.item')) : []);
    const heldAtKill = holdFiles().length;
    t.diagnostic(`${acked.length} requests acknowledged before the kill; ${heldAtKill} held on disk at the kill`);

    await backend.up();
    const second = await rig.start(config);

    const expected = new Set(acked.flatMap((seq) => TYPES.map((type) => `${seq}/${type}`)));
    const atBackend = () => uploadKeys(backend);
    await waitUntil(() => [...expected].every((k) => atBackend().has(k)), 30_000, 'every acknowledged profile at the backend');

    // The files: one pprof (and sidecar) per profile, named by its start and id.
    const fileNames = new Set<string>();
    for (const service of readdirSync(files))
      for (const type of readdirSync(join(files, service))) for (const f of readdirSync(join(files, service, type))) fileNames.add(f);
    const missingFiles = acked.filter(
      (seq) => [...fileNames].filter((f) => f.startsWith(`${fileTimestamp(startOf(seq))}_`) && f.endsWith('.pb.gz')).length !== TYPES.length,
    );
    assert.deepEqual(missingFiles, [], 'every acknowledged request has its two pprof files');

    // The store: stop the process (flushes and closes the database), then read it.
    second.proc.kill('SIGTERM');
    assert.equal(await second.exited, 0, 'clean shutdown');
    const db = new Database(join(dir, 'store', DATABASE_FILE), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT start_ms AS startMs, sample_type AS type, count(*) AS n FROM profiles GROUP BY start_ms, sample_type')
        .all() as {
        startMs: number;
        type: string;
        n: number;
      }[];
      const stored = new Map(rows.map((r) => [`${r.startMs / 1000 - T0_SECONDS}/${r.type}`, r.n]));
      assert.deepEqual(
        [...expected].filter((k) => !stored.has(k)),
        [],
        'every acknowledged profile is in the store',
      );
      assert.deepEqual(
        rows.filter((r) => r.n !== 1),
        [],
        'no profile stored twice',
      );
      const total = db.prepare('SELECT count(*) FROM profiles').pluck().get() as number;
      assert.equal(total, stored.size, 'one row per profile');
    } finally {
      db.close();
    }
    assert.deepEqual(holdFiles(), [], 'no held request left on disk');
    assert.deepEqual(
      readdirSync(join(dir, 'queue', 'pyroscope')).filter((f) => f.endsWith('.item')),
      [],
      'queue drained',
    );
  });
});
