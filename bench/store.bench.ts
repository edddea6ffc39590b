// The embedded store: ingestion rate (profiles/s, samples/s through consumeProfiles:
// extraction from OTLP + batched write), the same against the former path through a pprof
// conversion (interleaved rounds, same process; its own quick suite, ingestSuite), and query latency over 1 M stored samples (1000
// profiles × 1000 distinct stacks) — merged flame tree, top functions, an endpoint hotspot,
// compare and time series — both in a query worker (what the API uses) and inline, with the
// inline run split into its parts (read + merge, tree, table).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeResource, makeSample, makeScope } from '../src/otlp/build.js';
import type { ExportProfilesServiceRequest } from '../src/otlp/model.js';
import { decodeProfilesRequest } from '../src/otlp/decode.js';
import { encodeProfilesRequest } from '../src/otlp/encode.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR } from '../src/join/attributes.js';
import { storeConfigSchema } from '../src/store/config.js';
import { convertProfilesRequest } from '../src/pprof/convert.js';
import { extractProfile, type ExtractedProfile } from '../src/store/ingest/extract.js';
import { extractRequest } from '../src/store/ingest/otlp.js';
import { LAST_SEEN_SLACK_MS, StoreWriter } from '../src/store/writer.js';
import { Store } from '../src/store/store.js';
import { StoreReader } from '../src/store/reader.js';
import { StoreQueries, type Selection } from '../src/store/queries.js';
import { openReadDatabase } from '../src/store/schema.js';
import { buildFlameTree } from '../src/store/query/flame.js';
import { topFunctions } from '../src/store/query/top.js';
import { parseTagQuery } from '../src/store/query/tag-query.js';
import { fmt, table, time, type BenchSuite } from './harness.js';
import { isDeepStrictEqual } from 'node:util';
import type Database from 'better-sqlite3';
import { encodeSamples, encodeStack, openWriteDatabase } from '../src/store/schema.js';
import { compactBuckets } from '../src/store/buckets/compact.js';
import { BucketReader } from '../src/store/buckets/read.js';
import { mulberry32 } from '../test/helpers/prng.js';

const PROFILES = 1000;
const STACKS_PER_PROFILE = 1000;
const STACK_POOL = 20_000;
const FUNCTIONS = 3000;
const T0 = 1_750_000_000_000;
const ENDPOINTS = ['GET /cart', 'POST /checkout', 'GET /users/:id', 'GET /search'];

const rng = mulberry32;

/** A pool of realistic stacks: walks down a fixed random call graph, depth 8..32, leaf first. */
export function stackPool(): number[][] {
  const r = rng(42);
  const callees = Array.from({ length: FUNCTIONS }, () => Array.from({ length: 4 }, () => Math.floor(r() * FUNCTIONS)));
  const pool: number[][] = [];
  for (let i = 0; i < STACK_POOL; i++) {
    const depth = 8 + Math.floor(r() * 25);
    const path = [Math.floor(r() * 20)]; // a handful of entry points
    for (let d = 1; d < depth; d++) path.push(callees[path[d - 1]!]![Math.floor(r() * 4)]!);
    pool.push(path.reverse());
  }
  return pool;
}

export function profileRequest(i: number, pool: number[][]): ExportProfilesServiceRequest {
  const r = rng(1000 + i);
  const b = new DictionaryBuilder();
  const fn = (f: number) =>
    b.location([
      {
        functionIndex: b.function(`pkg${f % 40}.Type${f % 97}.fn${f}`, `src/pkg${f % 40}/file${f % 13}.go`, f % 500),
        line: (f * 7) % 900,
        column: 0,
      },
    ]);
  const endpoint = ENDPOINTS[i % ENDPOINTS.length]!;
  const joined = [
    b.attribute(SPAN_NAME_ATTR, 'handler'),
    b.attribute(LOCAL_ROOT_SPAN_ID_ATTR, (i + 1).toString(16).padStart(16, '0')),
    b.attribute(TRACE_ENDPOINT_ATTR, endpoint),
  ];
  const trace = new Uint8Array(16).fill((i % 250) + 1);
  const samples = [];
  const start = Math.floor(r() * (STACK_POOL - STACKS_PER_PROFILE));
  for (let k = 0; k < STACKS_PER_PROFILE; k++) {
    const stack = b.stack(pool[start + k]!.map(fn));
    // One sample in ten ran under a span (the join's attributes attached).
    const linked = k % 10 === 0;
    const span = new Uint8Array(8);
    new DataView(span.buffer).setUint32(4, i * STACKS_PER_PROFILE + k + 1);
    samples.push(
      makeSample({
        stackIndex: stack,
        values: [1 + Math.floor(r() * 20)],
        linkIndex: linked ? b.link(trace, span) : 0,
        attributeIndices: linked ? joined : [],
      }),
    );
  }
  const profile = makeProfile({
    sampleType: b.valueType('samples', 'count'),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: 10_000_000,
    timeUnixNano: BigInt(T0 + i * 10_000) * 1_000_000n,
    durationNano: 10_000_000_000n,
    profileId: Uint8Array.from({ length: 16 }, (_, k) => (k < 4 ? (i >> (8 * k)) & 0xff : 0x5a)),
    samples,
  });
  const version = i % 2 === 0 ? '1.3' : '1.4';
  return makeProfilesRequest(
    b.dictionary,
    [profile],
    makeResource({ 'service.name': 'bench', 'service.version': version, 'host.name': `host-${i % 8}` }),
    makeScope(),
  );
}

/** CPU time of this process in ms (user + system): less sensitive than wall time to other load. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Store ingestion, 1000-stack profiles: the OTLP path (extractRequest) with the writer's
 * ingestion cache (as the Store runs it), the same with a new cache per request (nothing
 * reused across requests), and the former pprof path (convert, then extractProfile), each
 * into its own database through a StoreWriter, one transaction per 10 profiles (the Store
 * batches so). Each round starts with the next path so that changing load hits all alike.
 * Requests are encoded ahead (what a receiver hands the store worker: bytes); each is decoded
 * right before its extraction, as the store worker does (src/workers/store/entry.ts:
 * consumeProfiles(decodeProfilesRequest(bytes))), so extraction reads a request just decoded
 * and still in cache. One more path runs the cache path as this bench used to: all 25 requests
 * of a round decoded first, then extracted (the former layout, for comparison in one run).
 */
async function ingestionPaths(pool: number[][], dir: string): Promise<(string | number)[][]> {
  type Extract = (r: ExportProfilesServiceRequest, w: StoreWriter) => ExtractedProfile[];
  const withCache: Extract = (r, w) => extractRequest(r, w.ingestCache).profiles;
  const paths: { name: string; extract: Extract; decodeAhead?: boolean }[] = [
    { name: 'pprof path: convert + extract + write (before)', extract: (r) => convertProfilesRequest(r).profiles.map(extractProfile) },
    { name: 'OTLP path, a new ingestion cache per request (before: nothing reused)', extract: (r) => extractRequest(r).profiles },
    { name: "OTLP path with the writer's ingest cache, a round's 25 requests decoded first (former layout)", extract: withCache, decodeAhead: true },
    { name: "OTLP path with the writer's ingest cache (now)", extract: withCache },
  ];
  const state = paths.map((p, i) => {
    const db = openWriteDatabase(join(dir, `paths-${i}.db`));
    return { ...p, db, writer: new StoreWriter(db), wall: 0, cpu: 0, extractCpu: 0, decodeCpu: 0 };
  });
  const ROUNDS = 12;
  const PER_ROUND = 25;
  const BATCH = 10;
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with another path, so no path always runs first (or last).
    for (let j = 0; j < state.length; j++) {
      const s = state[(round + j) % state.length]!;
      // As the receivers hand requests to the store worker: protobuf bytes (built outside the clock).
      const bytes = Array.from({ length: PER_ROUND }, (_, k) => encodeProfilesRequest(profileRequest(round * PER_ROUND + k, pool)));
      let decoded: ExportProfilesServiceRequest[] = [];
      if (s.decodeAhead) {
        const c0 = cpuMs();
        decoded = bytes.map((b) => decodeProfilesRequest(b));
        s.decodeCpu += cpuMs() - c0;
      }
      let batch: ExtractedProfile[] = [];
      let inBatch = 0;
      for (let k = 0; k < bytes.length; k++) {
        let req: ExportProfilesServiceRequest;
        if (s.decodeAhead) req = decoded[k]!;
        else {
          const d0 = cpuMs();
          req = decodeProfilesRequest(bytes[k]!);
          s.decodeCpu += cpuMs() - d0;
        }
        const w0 = performance.now();
        const c0 = cpuMs();
        batch.push(...s.extract(req, s.writer));
        const c1 = cpuMs();
        s.extractCpu += c1 - c0;
        // The Store writes what is queued in one transaction per 10 profiles.
        if (++inBatch === BATCH || k === bytes.length - 1) {
          s.writer.writeProfiles(batch);
          batch = [];
          inBatch = 0;
        }
        s.cpu += cpuMs() - c0;
        s.wall += performance.now() - w0;
      }
    }
  }
  for (const s of state) s.db.close();
  const n = ROUNDS * PER_ROUND;
  const samples = n * STACKS_PER_PROFILE * 1000;
  const rows = state.map((s) => [
    s.name,
    fmt(samples / s.wall),
    fmt(samples / s.cpu),
    fmt(samples / (s.cpu + s.decodeCpu)),
    ms(s.decodeCpu / n),
    ms(s.extractCpu / n),
    ms((s.cpu - s.extractCpu) / n),
  ]);
  const ratio = (name: string, a: (typeof state)[number], b: (typeof state)[number]): string[] => [
    name,
    `${(a.wall / b.wall).toFixed(2)}×`,
    `${(a.cpu / b.cpu).toFixed(2)}×`,
    `${((a.cpu + a.decodeCpu) / (b.cpu + b.decodeCpu)).toFixed(2)}×`,
    `${(a.decodeCpu / b.decodeCpu).toFixed(2)}×`,
    `${(a.extractCpu / b.extractCpu).toFixed(2)}×`,
    `${((a.cpu - a.extractCpu) / (b.cpu - b.extractCpu)).toFixed(2)}×`,
  ];
  rows.push(ratio('ratio, now / pprof path (samples/s; ms: pprof path / now)', state[0]!, state[3]!));
  rows.push(ratio('ratio, now / OTLP path without the cache (samples/s; ms: before / now)', state[1]!, state[3]!));
  rows.push(ratio('ratio, now / former layout (samples/s; ms: former layout / now)', state[2]!, state[3]!));
  return rows;
}

/** Where a CPU profile's self time goes, by the part of ingestion the function belongs to. */
const PARTS: [string, (fn: string, url: string) => boolean][] = [
  ['decoding the request (protobuf bytes to objects)', (_fn, url) => /otlp\/(decode|bad-input)\.js$|protobuf\/reader\.js$/.test(url)],
  ['SQLite (statements run by the writer)', (fn, url) => url === '' && (fn === 'run' || fn === 'get' || fn === 'all')],
  ['garbage collection', (fn) => fn === '(garbage collector)'],
  [
    'labels of samples (span ids, join attributes, threads)',
    (fn, url) =>
      /labelSet|rootHex|rawAttributeKey|attributePart|sampleAttributes|mergedText|restId|spanPartId|wordOf/.test(fn) ||
      /pprof\/labels|otlp\/ids/.test(url) ||
      fn === 'hexSlice',
  ],
  [
    "resolving the request's dictionary (strings, functions, locations, stacks)",
    (fn, url) =>
      /ingest\/(cache|keys|named-locations|strings)\.js$/.test(url) ||
      (/ingest\/otlp\.js$/.test(url) && /^(stack|location|function|stringId|mappingKey|stackAt)$/.test(fn)),
  ],
  ["merging samples and the profile's frames, stacks, span rows", (fn, url) => /ingest\/(otlp|merged)\.js$/.test(url)],
  ['writer (JS side: rows by index, blobs, parameters)', (fn, url) => /store\/writer\.js$|better-sqlite3/.test(url)],
];

/** Self time of a CPU profile's samples, by part (the rest is 'other'), as shares. */
function profileParts(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples?: number[];
}): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const counts = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples ?? []) {
    const f = byId.get(id)!;
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    const part = PARTS.find(([, match]) => match(f.functionName, f.url))?.[0] ?? 'other';
    counts.set(part, (counts.get(part) ?? 0) + 1);
    total++;
  }
  return [...PARTS.map(([name]) => name), 'other'].map((name) => [name, (counts.get(name) ?? 0) / Math.max(1, total)]);
}

/**
 * The OTLP path with the writer's cache (as the Store runs it), under the V8 profiler: rounds
 * of 25 profiles after a warm-up, each request decoded from its bytes right before its
 * extraction (as the store worker does), self time by part (profileParts).
 */
async function ingestionProfile(pool: number[][], dir: string): Promise<(string | number)[][]> {
  const db = openWriteDatabase(join(dir, 'profiled.db'));
  const writer = new StoreWriter(db);
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  const ingest = (bytes: Uint8Array[]): void => {
    let batch: ExtractedProfile[] = [];
    for (let k = 0; k < bytes.length; k++) {
      batch.push(...extractRequest(decodeProfilesRequest(bytes[k]!), writer.ingestCache).profiles);
      if (batch.length === 10 || k === bytes.length - 1) {
        writer.writeProfiles(batch);
        batch = [];
      }
    }
  };
  const roundBytes = (r: number): Uint8Array[] => Array.from({ length: 25 }, (_, k) => encodeProfilesRequest(profileRequest(r * 25 + k, pool)));
  try {
    for (let r = 0; r < 4; r++) ingest(roundBytes(r));
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 250 });
    // Requests are built and encoded outside the profile: decoding, extraction and writing are sampled.
    const rounds = Array.from({ length: 8 }, (_, r) => roundBytes(4 + r));
    await post('Profiler.start');
    for (const bytes of rounds) ingest(bytes);
    const { profile } = (await post('Profiler.stop')) as { profile: Parameters<typeof profileParts>[0] };
    return profileParts(profile).map(([name, share]) => [name, `${(share * 100).toFixed(0)} %`]);
  } finally {
    session.disconnect();
    db.close();
  }
}

function ms(n: number): string {
  return n < 10 ? n.toFixed(2) : n.toFixed(0);
}

/** Store ingestion alone (quick): the paths of ingestionPaths, with the load they ran under, and a CPU profile of the path the Store runs. */
export const ingestSuite: BenchSuite = {
  title: 'Embedded store: ingestion, 1000-stack profiles',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'opb-ingest-bench-'));
    try {
      const load0 = loadavg()[0]!;
      const pool = stackPool();
      const paths = await ingestionPaths(pool, dir);
      const load1 = loadavg()[0]!;
      const parts = await ingestionProfile(pool, dir);
      return [
        `Data: 1000-stack CPU profiles (depth 8–32, from a pool of ${fmt(STACK_POOL, 0)} stacks over ${FUNCTIONS} functions), one sample in ten attributed to a span, one profile per request with its own dictionary (as senders send them), each request encoded before the clock starts (what a receiver hands the store worker: protobuf bytes), then decoded right before its extraction, as the store worker does (src/workers/store/entry.ts hands consumeProfiles the request it has just decoded). Load average (1 min) ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end, on ${cpus().length} cores.`,
        '',
        '### store ingestion, 1000-stack profiles',
        '',
        table(
          [
            'path',
            'samples/s (wall, extract + write)',
            'samples/s (CPU time, extract + write)',
            'samples/s (CPU time, all in: decode + extract + write)',
            'decode ms/profile (CPU)',
            'extract ms/profile (CPU)',
            'write ms/profile (CPU)',
          ],
          paths,
        ),
        '',
        `Same process, same data, 12 rounds of 25 profiles per path (each round starting with the next path), each path writing its own new database through its own StoreWriter (one transaction per 10 profiles, as the Store batches: 10, 10 and 5 a round). The first three columns' rate counts extraction and writing (what the store adds to a decoded request); the all-in rate adds decoding, which is what a store worker spends per request in all, and the decode column is the protobuf decoding alone (the same code and bytes for every path; its CPU time is taken around each decode). The former layout is how this bench ran before: a round's 25 requests decoded first, then extracted and written, so each request's objects were read long after they were decoded (by then likely out of the caches); the store worker never does that, it decodes a request and extracts it at once, as the rows marked now do. How much the layout changes the figures varies with the machine's load from run to run: the ratio of extract + write CPU time, former layout / now, was 1.05× to 1.56× over the runs made when this layout was introduced (2 December 2026), so read one run's ratio with that spread. Garbage collection counts to the step it runs in: the young generation is swept when it fills, so part of decoding's garbage is collected during extraction or writing; in the former layout a round's 25 decoded requests were all alive at once and outlived those sweeps (copied, then promoted), which is most likely why decoding them cost more there. The write columns of the two layouts do the same work on the same profiles: the gap between them in a run (from none to 1.4× in this bench's runs so far) is the collection and load that land there, and gives the spread to read the layout ratios with. The writer finds rows by index only for profiles extracted with its own ingestion cache; for the other paths it looks frames and stacks up by value, which is why their write columns differ. CPU time is this process's (user + system): less sensitive than wall time to the other jobs on the machine; compare the ratios of one run.`,
        '',
        '### where the time goes (OTLP path with the cache)',
        '',
        table(['part', 'share of CPU samples'], parts),
        '',
        `The V8 profiler's self time over 200 more profiles through the same path (after 100 of warm-up; requests built and encoded outside the profile, each decoded right before its extraction, so decoding is sampled too and is its own part), by the part of ingestion each function belongs to (a function the compiler inlined counts to the one it was inlined into, so the parts are approximate: the profile's own loop has the resolution of its stacks inlined, which counts to merging here). Per profile the dictionary holds about 2800 functions and locations, 3300 strings and 1000 stacks (20 k location references): resolving them is mostly reading the decoded request (one location, its line, its function, its name: a few objects each, decoded just before) and one lookup of each name and file in the cache's string table (a seeded open-addressing table: hashing the string's code units and comparing it with the one found is most of it), the location then found by its name's string id (an array index) and compared field by field, then one interned list of location ids per stack (int32 ids, one probe of a table of all the stacks seen). A profile's stacks come out as three typed arrays (frame offsets, frame indices, values), its label sets and span rows are told apart by integer tuples (the link's ids as 32-bit words, the other labels' text once per attribute list), so a sample allocates next to nothing and garbage collection is a small part. 100 samples name a span each, so 100 span_samples rows are written, each into the table and its five indexes (32 rows a statement, the rest one by one). A stack row's last_seen_ms is rewritten when a profile uses it more than the ${LAST_SEEN_SLACK_MS / 60_000}-minute last-seen slack after its last rewrite; the 300 profiles of each path cover 50 minutes of windows (10 s apart), within the slack, so none is rewritten here. A longer run would rewrite about ${fmt(STACK_POOL / (LAST_SEEN_SLACK_MS / 10_000), 0)} stack rows a profile (the pool over the slack's number of windows), in one statement per profile.`,
      ].join('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const suite: BenchSuite = {
  title: 'Embedded store: ingestion and queries over 1 M samples',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'opb-store-bench-'));
    const store = new Store({
      config: storeConfigSchema.parse({ directory: dir, query: { workers: 1 }, retention: { max_age: '3650d', max_size: '100GiB' } }),
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      now: () => T0,
    });
    store.open();
    try {
      const pool = stackPool();
      // Ingestion: requests are built ahead (not timed) in chunks, then sent 32 at a time.
      let ingestMs = 0;
      const CHUNK = 100;
      // The first chunk is taken apart: extraction, and the rest of consumeProfiles (queue + write).
      const parts = { extract: 0, write: 0 };
      for (let c = 0; c < PROFILES; c += CHUNK) {
        const reqs = Array.from({ length: CHUNK }, (_, k) => profileRequest(c + k, pool));
        const t = performance.now();
        if (c === 0) {
          for (const r of reqs) extractRequest(r);
          parts.extract = performance.now() - t;
        }
        const t2 = performance.now();
        for (let k = 0; k < reqs.length; k += 32) await Promise.all(reqs.slice(k, k + 32).map((q) => store.consumeProfiles(q)));
        if (c === 0) parts.write = performance.now() - t2 - parts.extract;
        ingestMs += performance.now() - t;
      }
      const samples = PROFILES * STACKS_PER_PROFILE;
      const dbBytes =
        statSync(store.file).size +
        (() => {
          try {
            return statSync(`${store.file}-wal`).size;
          } catch {
            return 0;
          }
        })();

      const all: Selection = { type: 'cpu', from: T0, to: T0 + PROFILES * 10_000 };
      const v13: Selection = { ...all, query: parseTagQuery('version:1.3') };
      const v14: Selection = { ...all, query: parseTagQuery('version:1.4') };
      const q = store.queries;
      const rows: (string | number)[][] = [];
      const measure = async (name: string, fn: () => unknown, iterations = 7) => {
        const t = await time(fn, iterations, 2);
        rows.push([name, ms(t.medianMs), ms(t.minMs), ms(t.maxMs)]);
      };
      // As the API runs them: in the worker, answered as JSON text.
      await measure('flame tree, 1 M samples', () => q.runJson('flame', all, {}));
      await measure('flame tree, 1 M samples (answer as objects, not JSON text)', () => q.run('flame', all, {}));
      await measure('search: 100 profiles listed + flame tree, 1 M samples', () => q.runJson('search', all, { limit: 100 }));
      await measure('top functions, 1 M samples', () => q.runJson('top', all, { limit: 100 }));
      await measure('top by line, 1 M samples', () => q.runJson('top', all, { groupBy: 'line', limit: 100 }));
      await measure('flame tree, version:1.3 (500 k samples)', () => q.runJson('flame', v13, {}));
      await measure('compare version:1.3 vs 1.4 (diff tree + table)', () => q.runJson('compare', v13, v14, {}), 5);
      await measure('hotspots of an endpoint (25 k attributed samples)', () => q.runJson('hotspots', { kind: 'endpoint', id: 'GET /cart' }, all, {}));
      await measure('time series by version', () => q.runJson('timeseries', all, { groupBy: 'version' }));
      await measure('pprof download, 1 M samples (gzip)', () => q.run('pprof', all, undefined), 5);

      // Inline, split into parts, on a fresh reader with warm caches after the first round.
      const db = openReadDatabase(store.file);
      const reader = new StoreReader(db);
      const inline = new StoreQueries(reader);
      const ids = reader.profileRefs('cpu', all.from, all.to).map((r) => r.id);
      let agg = reader.aggregate(ids);
      let resolved = reader.resolve(agg);
      await measure('  inline: read + merge samples of 1000 profiles', () => (agg = reader.aggregate(ids)));
      await measure('  inline: resolve stacks and frames', () => (resolved = reader.resolve(agg)));
      await measure('  inline: build flame tree', () => buildFlameTree(resolved.stacks, resolved.frames));
      await measure('  inline: top functions table', () => topFunctions(resolved.stacks, resolved.frames, { limit: 100 }));
      await measure('  inline: whole flame query', () => inline.flame(all));
      db.close();

      // Ingestion while a heavy query loop runs in the worker: does the writer keep going?
      const during: number[] = [];
      let querying = true;
      const loop = (async () => {
        while (querying) {
          const t = performance.now();
          await q.run('flame', all, {});
          during.push(performance.now() - t);
        }
      })();
      const extra = Array.from({ length: 100 }, (_, k) => profileRequest(PROFILES + k, pool));
      const t = performance.now();
      for (let k = 0; k < extra.length; k += 32) await Promise.all(extra.slice(k, k + 32).map((x) => store.consumeProfiles(x)));
      const duringIngestMs = performance.now() - t;
      querying = false;
      await loop;

      const distinctStacks = (reader as unknown as { stacks: Map<number, unknown> }).stacks.size;
      return [
        `Data: ${PROFILES} CPU profiles × ${STACKS_PER_PROFILE} distinct stacks (depth 8–32, drawn from a pool of ${fmt(STACK_POOL, 0)} over ${FUNCTIONS} functions) = ${fmt(samples, 0)} stored samples; one sample in ten attributed to a span. ${fmt(distinctStacks, 0)} distinct stacks stored; database ${(dbBytes / 2 ** 20).toFixed(0)} MiB.`,
        '',
        table(
          ['ingestion through consumeProfiles (extract from OTLP + batched write)', 'value'],
          [
            ['profiles/s', fmt((PROFILES / ingestMs) * 1000)],
            ['samples/s', fmt((samples / ingestMs) * 1000)],
            ['ms per profile', ms(ingestMs / PROFILES)],
            ['  of which: extraction (frames, stacks, span attribution)', ms(parts.extract / CHUNK)],
            ['  of which: queue + SQLite write', ms(parts.write / CHUNK)],
            ['profiles/s while a flame query loops in the worker', fmt((extra.length / duringIngestMs) * 1000)],
            [
              'flame queries completed meanwhile (median ms)',
              `${during.length} (${ms([...during].sort((a, b) => a - b)[Math.floor(during.length / 2)] ?? 0)})`,
            ],
          ],
        ),
        '',
        'The ingestion paths side by side (the OTLP path with and without its cache across requests, and the pprof path it replaced) are their own quick suite: `npm run bench -- store-ingest`, section "Embedded store: ingestion, 1000-stack profiles".',
        '',
        table(['query', 'median ms', 'min ms', 'max ms'], rows),
        '',
        'Queries run as the API runs them: in a worker thread with its own read-only connection (WAL), so ingestion continues meanwhile, answering JSON text serialised in the worker. The `inline` rows run in the calling thread and split the flame query into its parts. Samples are stored per profile as two blobs (stack ids, values), so reading 1 M samples is 1000 row reads plus typed-array merging. This machine was shared with other work while measuring; compare rows of one run only.',
      ].join('\n');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

// ---------------------------------------------------------------------------------------
// Long ranges: the flame tree over N stored samples, served from the time buckets vs read
// from every raw profile. A fleet of 50 services, one CPU profile per service per minute,
// 200 distinct stacks per profile drawn from the service's 2000 (services overlap in a pool
// of 20 k stacks over 3000 functions). 10⁶ and 10⁷ samples: raw rows written straight into
// the tables (as the writer lays them out), then merged by the real compaction. 10⁸ samples
// (7 days × 50 services) would take hours to store raw here, so its buckets are written
// directly with the sums compaction writes (the same profiles, added up per bucket), with
// raw profiles and 1 min / 10 min buckets only within an hour of the range's edges, the only
// places that query reads them.
const FLEET_SERVICES = 50;
const FLEET_STACKS = 200;
const FLEET_SERVICE_POOL = 2000;
const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const FLEET_T0 = Date.UTC(2026, 0, 5);
const CPU_NS = 10_000_000;

/** Functions, the stack pool (ids 1..STACK_POOL), series and the type, in a fresh database. */
function fleetDictionary(db: Database.Database): void {
  const pool = stackPool();
  db.transaction(() => {
    const fn = db.prepare('INSERT INTO functions (id, name, file, line, start_line, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?)');
    for (let f = 0; f < FUNCTIONS; f++)
      fn.run(f + 1, `pkg${f % 40}.Type${f % 97}.fn${f}`, `src/pkg${f % 40}/file${f % 13}.go`, (f * 7) % 900, f % 500, 9e15);
    const st = db.prepare('INSERT INTO stacks (id, frames, last_seen_ms) VALUES (?, ?, ?)');
    // The pool repeats a few stacks; each id gets its own (one more root frame until distinct).
    const seen = new Set<string>();
    pool.forEach((frames, i) => {
      const ids = frames.map((f) => f + 1);
      while (seen.has(ids.join())) ids.push(1 + (i % FUNCTIONS));
      seen.add(ids.join());
      st.run(i + 1, encodeStack(ids), 9e15);
    });
    const se = db.prepare('INSERT INTO series (id, key, labels) VALUES (?, ?, ?)');
    for (let s = 0; s < FLEET_SERVICES; s++) se.run(s + 1, `svc-${s}`, JSON.stringify({ service_name: `svc-${s}` }));
    db.prepare(`INSERT INTO profile_types (type, unit, period_type, period_unit, period) VALUES ('cpu', 'nanoseconds', 'cpu', 'nanoseconds', ?)`).run(
      CPU_NS,
    );
    db.prepare(`INSERT INTO meta (key, value) VALUES ('max_profile_duration_ms', '60000')`).run();
  })();
}

/** The profile of service `s` at minute `m`: 200 distinct stack ids of its pool, values in ns. */
function fleetProfile(s: number, m: number): { ids: Uint32Array; vals: Float64Array } {
  const r = rng(s * 10_000_019 + m);
  const start = Math.floor(r() * FLEET_SERVICE_POOL);
  const ids = new Uint32Array(FLEET_STACKS);
  const vals = new Float64Array(FLEET_STACKS);
  for (let k = 0; k < FLEET_STACKS; k++) {
    ids[k] = ((s * 360 + ((start + k * 7) % FLEET_SERVICE_POOL)) % STACK_POOL) + 1;
    vals[k] = (1 + Math.floor(r() * 20)) * CPU_NS;
  }
  return { ids, vals };
}

function insertRawProfiles(db: Database.Database, minutes: Iterable<number>): number {
  const ins = db.prepare(
    `INSERT INTO profiles (profile_key, type, series_id, start_ms, end_ms, unit, sample_type, sample_unit, period_type, period_unit, period, total, samples, stacks)
     VALUES (?, 'cpu', ?, ?, ?, 'nanoseconds', 'cpu', 'nanoseconds', 'cpu', 'nanoseconds', ?, ?, ?, ?)`,
  );
  const smp = db.prepare('INSERT INTO samples (profile_id, stack_ids, vals) VALUES (?, ?, ?)');
  let n = 0;
  db.transaction(() => {
    for (const m of minutes) {
      for (let s = 0; s < FLEET_SERVICES; s++) {
        const p = fleetProfile(s, m);
        let total = 0;
        for (const v of p.vals) total += v;
        const start = FLEET_T0 + m * MIN_MS + 1000;
        const id = Number(ins.run(`p-${s}-${m}`, s + 1, start, start + MIN_MS - 2000, CPU_NS, total, FLEET_STACKS, FLEET_STACKS).lastInsertRowid);
        const b = encodeSamples(p.ids, p.vals);
        smp.run(id, b.ids, b.vals);
        n++;
      }
    }
  })();
  return n;
}

/** Buckets of minutes [0, minutes) written directly; minute buckets and raw profiles only for minutes `detailed` says. */
function insertFleetBuckets(db: Database.Database, minutes: number, detailed: (m: number) => boolean): void {
  const ins = db.prepare(
    'INSERT INTO buckets (resolution_ms, type, start_ms, series_id, snapshots, total, first_ms, last_ms, stack_ids, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const write = (res: number, start: number, s: number, snapshots: number, sums: Float64Array, first: number, last: number) => {
    const ids: number[] = [];
    const vals: number[] = [];
    let total = 0;
    for (let i = 0; i < sums.length; i++) {
      if (sums[i] === 0) continue;
      ids.push(i);
      vals.push(sums[i]!);
      total += sums[i]!;
    }
    const b = encodeSamples(ids, vals);
    ins.run(res, 'cpu', start, s + 1, snapshots, total, first, last, b.ids, b.vals);
  };
  const raw: number[] = [];
  for (let m = 0; m < minutes; m++) if (detailed(m)) raw.push(m);
  insertRawProfiles(db, raw);
  db.prepare('DELETE FROM bucket_pending').run(); // those profiles are in the buckets below
  // Coarser buckets are sums of finer ones: each (width, accumulator) is written and reset
  // when its bucket ends. 1 min and 10 min buckets only where `detailed`.
  const levels: { width: number; everywhere: boolean }[] = [
    { width: 10 * MIN_MS, everywhere: false },
    { width: HOUR_MS, everywhere: true },
    { width: 6 * HOUR_MS, everywhere: true },
    { width: DAY_MS, everywhere: true },
  ];
  db.transaction(() => {
    for (let s = 0; s < FLEET_SERVICES; s++) {
      const acc = levels.map(() => new Float64Array(STACK_POOL + 1));
      for (let m = 0; m < minutes; m++) {
        const p = fleetProfile(s, m);
        const t = FLEET_T0 + m * MIN_MS;
        for (const a of acc) for (let k = 0; k < p.ids.length; k++) a[p.ids[k]!] += p.vals[k]!;
        if (detailed(m)) {
          const one = new Float64Array(STACK_POOL + 1);
          for (let k = 0; k < p.ids.length; k++) one[p.ids[k]!] = p.vals[k]!;
          write(MIN_MS, t, s, 1, one, t + 1000, t + MIN_MS - 1000);
        }
        levels.forEach((l, i) => {
          const end = t + MIN_MS;
          if ((end - FLEET_T0) % l.width !== 0) return;
          const start = end - l.width;
          if (l.everywhere || detailed((start - FLEET_T0) / MIN_MS) || detailed((end - FLEET_T0) / MIN_MS - 1)) {
            write(l.width, start, s, l.width / MIN_MS, acc[i]!, start + 1000, end - 1000);
          }
          acc[i]!.fill(0);
        });
      }
    }
  })();
}

function bytesOf(file: string): number {
  let n = statSync(file).size;
  try {
    n += statSync(`${file}-wal`).size;
  } catch {
    // no WAL
  }
  return n;
}

export const bucketsSuite: BenchSuite = {
  title: 'Embedded store: flame tree over N stored samples, from time buckets vs raw',
  async run() {
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    // 10⁶ and 10⁷: raw, then compacted by compactBuckets, both answers measured and compared.
    for (const minutes of [100, 1000]) {
      const dir = mkdtempSync(join(tmpdir(), 'opb-buckets-bench-'));
      try {
        const file = join(dir, 'profiles.db');
        const db = openWriteDatabase(file);
        fleetDictionary(db);
        const profiles = insertRawProfiles(
          db,
          Array.from({ length: minutes }, (_, m) => m),
        );
        const samples = profiles * FLEET_STACKS;
        const t = performance.now();
        let runs = 0;
        while (compactBuckets(db, { now: FLEET_T0 + 30 * DAY_MS, settleMs: 0, maxProfiles: 1000 }).more) runs++;
        const compactMs = performance.now() - t;
        const read = openReadDatabase(file);
        const reader = new StoreReader(read);
        const raw = new StoreQueries(reader, { buckets: false });
        const bucketed = new StoreQueries(new StoreReader(read));
        const sel: Selection = { type: 'cpu', from: FLEET_T0, to: FLEET_T0 + minutes * MIN_MS - 1 };
        // Untruncated, so ties among equally heavy nodes at the max_nodes cut do not count.
        const same = isDeepStrictEqual(raw.flame(sel, { top: {}, maxNodes: 1e6 }), bucketed.flame(sel, { top: {}, maxNodes: 1e6 }));
        const agg = new BucketReader(read).aggregate('cpu', sel.from, sel.to, undefined, 'sum', 60_000)!;
        let entries = 0;
        for (const p of agg.plan.pieces)
          entries += read
            .prepare(
              'SELECT coalesce(sum(length(stack_ids)), 0) / 4 FROM buckets WHERE type = ? AND resolution_ms = ? AND start_ms >= ? AND start_ms < ?',
            )
            .pluck()
            .get('cpu', p.resolutionMs, p.fromMs, p.toMs) as number;
        const tr = await time(() => raw.flame(sel), minutes > 100 ? 3 : 5, 1);
        const tb = await time(() => bucketed.flame(sel), 7, 2);
        const label = `${fmt(samples, 0)} samples (${minutes} min × ${FLEET_SERVICES} services)`;
        rows.push([`flame tree over ${label}, raw`, ms(tr.medianMs), ms(tr.minMs), ms(tr.maxMs), `${fmt(samples, 1)} pairs`, '']);
        rows.push([
          `flame tree over ${label}, buckets`,
          ms(tb.medianMs),
          ms(tb.minMs),
          ms(tb.maxMs),
          `${fmt(entries, 1)} pairs in ${agg.bucketRows} buckets + ${agg.rawProfiles} raw`,
          `${(tr.medianMs / tb.medianMs).toFixed(1)}× faster`,
        ]);
        notes.push(
          `${label}: compaction ${ms(compactMs)} ms for ${profiles} profiles in ${runs + 1} runs (${fmt((samples / compactMs) * 1000)} samples/s); untruncated flame tree and top table from buckets and raw identical: ${same ? 'yes' : 'NO'}; database ${(bytesOf(file) / 2 ** 20).toFixed(0)} MiB.`,
        );
        read.close();
        db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // 10⁸: 7 days × 50 services, buckets written directly (see above).
    const dir = mkdtempSync(join(tmpdir(), 'opb-buckets-bench-'));
    try {
      const file = join(dir, 'profiles.db');
      const db = openWriteDatabase(file);
      fleetDictionary(db);
      const days = 8;
      const from = FLEET_T0 + 12 * HOUR_MS + 23 * MIN_MS + 17_500;
      const to = from + 7 * DAY_MS - 1;
      const near = (m: number) => {
        const t = FLEET_T0 + m * MIN_MS;
        return Math.abs(t - from) <= HOUR_MS + MIN_MS || Math.abs(t - to) <= HOUR_MS + MIN_MS;
      };
      const t0 = performance.now();
      insertFleetBuckets(db, days * 1440, near);
      const buildMs = performance.now() - t0;
      const read = openReadDatabase(file);
      const q = new StoreQueries(new StoreReader(read));
      const br = new BucketReader(read);
      const cases: [string, Selection][] = [
        ['7 days from 12:23:17.5 (unaligned: 1 min to 6 h buckets at both ends)', { type: 'cpu', from, to }],
        ['7 whole days (day buckets only)', { type: 'cpu', from: FLEET_T0 + DAY_MS, to: FLEET_T0 + 8 * DAY_MS - 1 }],
      ];
      for (const [name, sel] of cases) {
        const samples = Math.round(((sel.to + 1 - sel.from) / MIN_MS) * FLEET_SERVICES * FLEET_STACKS);
        const agg = br.aggregate('cpu', sel.from, sel.to, undefined, 'sum', 60_000)!;
        const tb = await time(() => q.flame(sel), 7, 2);
        const ta = await time(() => br.aggregate('cpu', sel.from, sel.to, undefined, 'sum', 60_000), 7, 2);
        rows.push([
          `flame tree over ${fmt(samples, 1)} samples, ${name}, buckets`,
          ms(tb.medianMs),
          ms(tb.minMs),
          ms(tb.maxMs),
          `${agg.bucketRows} buckets + ${agg.rawProfiles} raw`,
          `of which read + merge: ${ms(ta.medianMs)} ms`,
        ]);
      }
      notes.push(
        `10⁸ (7 days × 50 services): buckets written directly in ${(buildMs / 1000).toFixed(0)} s (8 days of 1 h, 6 h and 1 day buckets, 1 min and 10 min buckets and raw profiles within an hour of the unaligned range's edges); database ${(bytesOf(file) / 2 ** 20).toFixed(0)} MiB. Raw at 10⁸ is not measured (storing 10⁸ raw samples takes too long for a bench run): by the raw rows above it grows linearly with samples.`,
      );
      read.close();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return [
      `Data: ${FLEET_SERVICES} services, one CPU profile per service per minute, ${FLEET_STACKS} distinct stacks per profile from the service's ${FLEET_SERVICE_POOL} (services overlap within a pool of ${fmt(STACK_POOL, 0)} stacks over ${FUNCTIONS} functions). Queries run inline (StoreQueries.flame, answer as objects) on a read-only connection; "raw" is the same query with buckets off. Buckets: 1 min, 10 min, 1 h, 6 h, 1 day per series and type.`,
      '',
      table(['query', 'median ms', 'min ms', 'max ms', 'read', 'note'], rows),
      '',
      ...notes.map((n) => `- ${n}`),
      '',
      'The machine was heavily loaded by other work while measuring (load average far above its 2 cores): absolute figures are pessimistic; compare rows of one run (ratios).',
    ].join('\n');
  },
};
