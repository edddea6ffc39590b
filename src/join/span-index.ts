// The span index: what the join knows about recent spans, keyed by span id. Profiles
// reference spans by id only; the index answers "which span is this, what is its name, and
// which request (local root span, endpoint) did it run under?".
//
// Memory is the constraint (an index over a few minutes of a busy service's spans holds
// millions), so the in-memory index keeps spans in typed-array columns laid out as a ring
// (insertion order = age order, so evicting the oldest is O(1)), finds them through an
// open-addressing hash table of slot numbers, and interns names, services and endpoints in
// a refcounted string table: about 75 bytes per span plus the distinct strings, where a Map
// of objects takes several hundred (bench/join.bench.ts). See `bytes`.
import type { ExportTraceServiceRequest, Span } from '../otlp/model.js';
import { SpanFlags, SpanKind } from '../otlp/model.js';
import { stringAttribute } from '../otlp/build.js';
import { isZeroId } from '../otlp/ids.js';
import type { SpanContext } from './span-context.js';
import {
  allocResolved,
  resolvedFromContexts,
  hashWords as hashOf,
  hexOfTraceWords as hexOfTrace,
  hexOfWords,
  u32be,
  type ResolvedSpans,
  type SpanIdBatch,
} from './span-batch.js';

/** What the join knows about one span. Ids are lowercase hex. */
export type { SpanContext };

/**
 * A store of spans the join can look up. Asynchronous on purpose: an implementation shared
 * by several bridge replicas (e.g. in Redis) answers over the network. Lookups are batched
 * so such an implementation can answer a whole profile request in one round trip.
 */
export interface SpanIndex {
  /** Indexes every valid span of the request; returns how many were indexed. */
  put(request: ExportTraceServiceRequest): number | Promise<number>;
  /** The contexts of the given span ids (16 hex chars) that are known; unknown ids are absent. */
  lookup(spanIds: Iterable<string>): Promise<Map<string, SpanContext>>;
  /**
   * Optional batched form of `lookup` over id words, answered in columns (no object or
   * string per span). The join uses it when present, `lookup` otherwise.
   */
  resolve?(ids: SpanIdBatch): ResolvedSpans | Promise<ResolvedSpans>;
  /** Spans currently held. */
  readonly size: number;
  /** Memory the index holds, in bytes (or its best local estimate). */
  readonly bytes: number;
  /** Spans evicted so far (by age or by the byte bound). */
  readonly evictions: number;
}

export interface InMemorySpanIndexOptions {
  /** Upper bound of `bytes`. Default 64 MiB. At least 16 KiB. */
  maxBytes?: number;
  /** Spans older than this (since they were indexed) are evicted. Default 5 minutes. */
  ttlMs?: number;
  /** How many parents a local-root walk follows at most. Default 64. */
  maxAncestorDepth?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

export const UNKNOWN_SERVICE = 'unknown_service';

const DEFAULT_MAX_BYTES = 64 * 2 ** 20;
const MIN_MAX_BYTES = 16 * 2 ** 10;
const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * Bytes of the per-slot columns: span id 8, trace id 16, parent id 8, start + end 16,
 * flags 2, name + service + endpoint string ids 12.
 */
const SLOT_BYTES = 8 + 16 + 8 + 16 + 2 + 12;
const HASH_ENTRY_BYTES = 4;
/**
 * A hash entry is `slot + 1` in its low TAG_SHIFT bits and the top bits of the id's hash
 * above them (a tag), so a probe skips most non-matching entries without reading their slot.
 * This caps the ring at 2^26 - 1 slots (a 4 GiB index).
 */
const TAG_SHIFT = 26;
const SLOT_MASK = 2 ** TAG_SHIFT - 1;
const MAX_LOAD = 0.75;
/** Objects, typed-array headers and the age buckets: a fixed allowance. */
const FIXED_BYTES = 4096;
/**
 * Age is tracked per bucket of consecutive insertions rather than per span (no per-span
 * timestamp): a span is evicted between `ttl` and `ttl + ttl/AGE_BUCKETS` after it arrived.
 */
const AGE_BUCKETS = 64;
const REMOTE_PARENT = SpanFlags.CONTEXT_HAS_IS_REMOTE_MASK | SpanFlags.CONTEXT_IS_REMOTE_MASK;

interface Columns {
  capacity: number;
  idHi: Uint32Array;
  idLo: Uint32Array;
  /** 4 words per slot, big-endian order of the 16 bytes. */
  trace: Uint32Array;
  parentHi: Uint32Array;
  parentLo: Uint32Array;
  start: BigUint64Array;
  end: BigUint64Array;
  /** Span.flags & 0xffff (the remote-parent bits are 0x100 / 0x200). */
  flags: Uint16Array;
  name: Uint32Array;
  service: Uint32Array;
  endpoint: Uint32Array;
}

function allocColumns(capacity: number): Columns {
  return {
    capacity,
    idHi: new Uint32Array(capacity),
    idLo: new Uint32Array(capacity),
    trace: new Uint32Array(capacity * 4),
    parentHi: new Uint32Array(capacity),
    parentLo: new Uint32Array(capacity),
    start: new BigUint64Array(capacity),
    end: new BigUint64Array(capacity),
    flags: new Uint16Array(capacity),
    name: new Uint32Array(capacity),
    service: new Uint32Array(capacity),
    endpoint: new Uint32Array(capacity),
  };
}

/**
 * Refcounted string interning. Released ids are reused. `bytes` estimates what V8 holds:
 * the string (header + 1 or 2 bytes a char), its Map entry and its table slots.
 */
class StringTable {
  private readonly ids = new Map<string, number>();
  private values: (string | undefined)[] = [];
  private refs = new Int32Array(64);
  /**
   * Per id: its number in the answer being built (see `local`), valid while its stamp is
   * the answer's. Sized like `refs` (4 bytes each, like it: `bytes` counts 12 per id).
   */
  private localNo = new Int32Array(64);
  private stamp = new Uint32Array(64);
  private answer = 0;
  private readonly free: number[] = [];
  private stringBytes = 0;

  static cost(s: string): number {
    // eslint-disable-next-line no-control-regex
    const perChar = /[^\u0000-\u00ff]/.test(s) ? 2 : 1;
    // 16 B string header (rounded), Map entry ~40 B, values slot 8 B, refcount 4 B.
    return 68 + perChar * s.length;
  }

  get size(): number {
    return this.ids.size;
  }

  /** Read on every put (the byte bound), so kept up to date rather than summed. */
  get bytes(): number {
    return this.stringBytes + this.refs.length * 12 + this.values.length * 8 + this.free.length * 8;
  }

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.free.pop() ?? this.values.length;
      if (id === this.values.length) this.values.push(s);
      else this.values[id] = s;
      if (id >= this.refs.length) this.grow();
      this.refs[id] = 0;
      this.ids.set(s, id);
      this.stringBytes += StringTable.cost(s);
    }
    this.refs[id]!++;
    return id;
  }

  /** One more reference to an interned id (cheaper than interning its string again). */
  addRef(id: number): void {
    this.refs[id]!++;
  }

  get(id: number): string {
    return this.values[id] ?? '';
  }

  /** Starts an answer: `local` numbers strings from 0 again. */
  beginAnswer(): void {
    if (++this.answer > 0xffffffff) {
      this.answer = 1;
      this.stamp.fill(0);
    }
  }

  /**
   * The number of id's string among the distinct strings of the current answer, appending
   * it to `strings` on first use. Taking the text now means the answer stays right even if
   * the id is released and reused before the caller reads it.
   */
  local(id: number, strings: string[]): number {
    if (this.stamp[id] !== this.answer) {
      this.stamp[id] = this.answer;
      this.localNo[id] = strings.push(this.values[id] ?? '') - 1;
    }
    return this.localNo[id]!;
  }

  private grow(): void {
    const n = this.refs.length * 2;
    const refs = new Int32Array(n);
    refs.set(this.refs);
    this.refs = refs;
    const localNo = new Int32Array(n);
    localNo.set(this.localNo);
    this.localNo = localNo;
    const stamp = new Uint32Array(n);
    stamp.set(this.stamp);
    this.stamp = stamp;
  }

  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    const s = this.values[id]!;
    this.ids.delete(s);
    this.values[id] = undefined;
    this.free.push(id);
    this.stringBytes -= StringTable.cost(s);
  }
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Splits 16 hex chars (either case) into two 32-bit words; undefined when not a span id. */
export function spanIdWords(hex: string): [hi: number, lo: number] | undefined {
  if (hex.length !== 16) return undefined;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 16; i++) {
    const v = nibble(hex.charCodeAt(i));
    if (v < 0) return undefined;
    if (i < 8) hi = hi * 16 + v;
    else lo = lo * 16 + v;
  }
  return [hi, lo];
}

/** `METHOD route` for an HTTP server span (current and older semantic conventions), else the name. */
export function endpointOf(span: Pick<Span, 'kind' | 'name' | 'attributes'>): string {
  if (span.kind !== SpanKind.SERVER) return span.name;
  const route = stringAttribute(span.attributes, 'http.route');
  if (!route) return span.name;
  const method = stringAttribute(span.attributes, 'http.request.method') ?? stringAttribute(span.attributes, 'http.method');
  return method ? `${method} ${route}` : span.name;
}

export function serviceOf(resource: ExportTraceServiceRequest['resourceSpans'][number]['resource']): string {
  return stringAttribute(resource?.attributes, 'service.name') || UNKNOWN_SERVICE;
}

/**
 * The in-memory SpanIndex: bounded by bytes and by age, oldest evicted first.
 *
 * Layout: slot `s` of the ring holds one span across the columns; `first` is the oldest
 * slot, and the next `size` slots (mod capacity) are live. The hash table maps a span id to
 * `slot + 1` (0 = empty; plus a tag, see TAG_SHIFT) with linear probing and backward-shift deletion (no tombstones).
 * Capacity grows by doubling while the byte bound allows and shrinks when interned strings
 * need the room; both re-lay the ring from slot 0.
 */
export class InMemorySpanIndex implements SpanIndex {
  readonly maxBytes: number;
  readonly ttlMs: number;
  private readonly maxDepth: number;
  private readonly now: () => number;
  private cols: Columns;
  private table: Int32Array;
  private mask: number;
  private first = 0;
  private count = 0;
  private evicted = 0;
  private readonly strings = new StringTable();
  /** Sequence number of the oldest live span; the newest is `oldestSeq + count - 1`. */
  private oldestSeq = 0;
  /**
   * Age buckets, oldest first: the end sequence (exclusive) of a run of insertions and the
   * time the run started. A run lasts at most `bucketSpan` ms, so every span of a bucket is
   * at least `ttl` old once `start + bucketSpan <= now - ttl`.
   */
  private bucketEnd: number[] = [];
  private bucketTime: number[] = [];
  private bucketHead = 0;
  private readonly bucketSpan: number;
  /** String bytes when growth was last found impossible; -1 = growth may be possible. */
  private noGrowthAt = -1;
  /** Out-parameter of `walk`: the missing parent's words. */
  private readonly walkMissing = new Uint32Array(2);

  constructor(options: InMemorySpanIndexOptions = {}) {
    this.maxBytes = Math.max(MIN_MAX_BYTES, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.maxDepth = options.maxAncestorDepth ?? 64;
    this.now = options.now ?? Date.now;
    this.bucketSpan = Math.max(1, this.ttlMs / AGE_BUCKETS);
    const initial = Math.min(1024, this.maxCapacity());
    this.cols = allocColumns(initial);
    this.table = new Int32Array(hashSizeFor(initial));
    this.mask = this.table.length - 1;
  }

  get size(): number {
    return this.count;
  }

  get evictions(): number {
    return this.evicted;
  }

  /** Columns and hash table as allocated (not as used), interned strings, fixed overhead. */
  get bytes(): number {
    return this.arrayBytes(this.cols.capacity, this.table.length) + this.strings.bytes + FIXED_BYTES;
  }

  /** Distinct strings interned (names, services, endpoints). */
  get distinctStrings(): number {
    return this.strings.size;
  }

  put(request: ExportTraceServiceRequest): number {
    const now = this.now();
    this.expire(now);
    let indexed = 0;
    for (const rs of request.resourceSpans) {
      // The service is interned once per resource; this reference keeps it while its spans
      // are added (each takes its own).
      const serviceId = this.strings.intern(serviceOf(rs.resource));
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) if (this.putOne(span, serviceId, now)) indexed++;
      }
      this.strings.release(serviceId);
    }
    return indexed;
  }

  /** Indexes one span; false when its ids are invalid. Exposed for bulk loaders and benchmarks. */
  putSpan(span: Span, service: string, now = this.now()): boolean {
    const serviceId = this.strings.intern(service);
    const ok = this.putOne(span, serviceId, now);
    this.strings.release(serviceId);
    return ok;
  }

  private putOne(span: Span, serviceId: number, now: number): boolean {
    const id = span.spanId;
    const trace = span.traceId;
    if (id.length !== 8 || trace.length !== 16 || isZeroId(id) || isZeroId(trace)) return false;
    const parent = span.parentSpanId.length === 8 ? span.parentSpanId : undefined;
    const hi = u32be(id, 0);
    const lo = u32be(id, 4);
    const nameId = this.strings.intern(span.name);
    this.strings.addRef(serviceId);
    // Most spans' endpoint is their name: take another reference instead of a second lookup.
    const endpoint = endpointOf(span);
    let endpointId = nameId;
    if (endpoint === span.name) this.strings.addRef(nameId);
    else endpointId = this.strings.intern(endpoint);

    let s = this.slotOf(hi, lo);
    if (s >= 0) {
      // A re-sent span (an exporter retry): refresh its fields, keep its age.
      this.releaseStrings(s);
    } else {
      if (this.count === this.cols.capacity) this.makeRoom();
      s = (this.first + this.count) % this.cols.capacity;
      this.count++;
      this.trackAge(now);
      this.cols.idHi[s] = hi;
      this.cols.idLo[s] = lo;
      this.insertHash(s);
    }
    const c = this.cols;
    c.trace[s * 4] = u32be(trace, 0);
    c.trace[s * 4 + 1] = u32be(trace, 4);
    c.trace[s * 4 + 2] = u32be(trace, 8);
    c.trace[s * 4 + 3] = u32be(trace, 12);
    c.parentHi[s] = parent ? u32be(parent, 0) : 0;
    c.parentLo[s] = parent ? u32be(parent, 4) : 0;
    c.start[s] = BigInt.asUintN(64, span.startTimeUnixNano);
    c.end[s] = BigInt.asUintN(64, span.endTimeUnixNano);
    c.flags[s] = span.flags & 0xffff;
    c.name[s] = nameId;
    c.service[s] = serviceId;
    c.endpoint[s] = endpointId;
    // Strings are the part that can outgrow the bound: shrink the ring to make room.
    if (this.bytes > this.maxBytes) {
      this.resize(this.maxCapacity());
      this.noGrowthAt = this.strings.bytes;
    }
    return true;
  }

  async lookup(spanIds: Iterable<string>): Promise<Map<string, SpanContext>> {
    const out = new Map<string, SpanContext>();
    this.expire(this.now());
    for (const id of spanIds) {
      const ctx = this.contextById(id);
      if (ctx) out.set(id, ctx);
    }
    return out;
  }

  /**
   * The batched lookup: one pass over the ids' words, answers written into columns; names
   * and endpoints are numbers into the answer's own list of distinct strings, so the only
   * allocations are the columns and that list. Resolves local roots now, like `get`.
   */
  resolve(ids: SpanIdBatch): ResolvedSpans {
    this.expire(this.now());
    const out = allocResolved(ids.count);
    const c = this.cols;
    const strings = this.strings;
    strings.beginAnswer();
    const { known, trace, name, endpoint, rootRef, rootHi, rootLo, missingHi, missingLo } = out;
    const texts = out.strings;
    const qhi = ids.hi;
    const qlo = ids.lo;
    for (let i = 0; i < ids.count; i++) {
      const s = this.slotOf(qhi[i]!, qlo[i]!);
      if (s < 0) continue;
      known[i] = 1;
      trace[i * 4] = c.trace[s * 4]!;
      trace[i * 4 + 1] = c.trace[s * 4 + 1]!;
      trace[i * 4 + 2] = c.trace[s * 4 + 2]!;
      trace[i * 4 + 3] = c.trace[s * 4 + 3]!;
      name[i] = strings.local(c.name[s]!, texts);
      const root = this.walk(s);
      // A span that is its own local root is entry i of the batch: say so, saving the
      // linker a lookup of its root's id.
      rootRef[i] = root === s ? i : -1;
      rootHi[i] = c.idHi[root]!;
      rootLo[i] = c.idLo[root]!;
      endpoint[i] = strings.local(c.endpoint[root]!, texts);
      missingHi[i] = this.walkMissing[0]!;
      missingLo[i] = this.walkMissing[1]!;
    }
    return out;
  }

  /** The span's context, or undefined when unknown (or not 16 hex chars). Resolves the local root now. */
  get(spanIdHex: string): SpanContext | undefined {
    this.expire(this.now());
    return this.contextById(spanIdHex);
  }

  /** Evicts spans older than the TTL. Called by put and get; callable on a timer. */
  expire(now = this.now()): void {
    const cutoff = now - this.ttlMs;
    while (this.bucketHead < this.bucketEnd.length && this.bucketTime[this.bucketHead]! + this.bucketSpan <= cutoff) {
      const end = this.bucketEnd[this.bucketHead]!;
      while (this.oldestSeq < end && this.count > 0) this.evictOldest();
      this.bucketHead++;
    }
    this.compactBuckets();
  }

  // ---------------------------------------------------------------- internals

  private contextById(spanIdHex: string): SpanContext | undefined {
    const words = spanIdWords(spanIdHex);
    if (!words) return undefined;
    const s = this.slotOf(words[0], words[1]);
    return s < 0 ? undefined : this.contextOf(s);
  }

  /**
   * Walks from slot `s` towards its local root; returns the outermost slot found and leaves
   * in `walkMissing` the parent it could not find (0/0 when the root is certain).
   */
  private walk(s: number): number {
    const c = this.cols;
    let cur = s;
    this.walkMissing[0] = 0;
    this.walkMissing[1] = 0;
    for (let depth = 0; depth < this.maxDepth; depth++) {
      const ph = c.parentHi[cur]!;
      const pl = c.parentLo[cur]!;
      if ((ph === 0 && pl === 0) || (c.flags[cur]! & REMOTE_PARENT) === REMOTE_PARENT) break;
      const p = this.slotOf(ph, pl);
      if (p < 0) {
        this.walkMissing[0] = ph;
        this.walkMissing[1] = pl;
        break;
      }
      if (c.service[p] !== c.service[cur] || !this.sameTrace(p, cur)) break;
      cur = p;
    }
    return cur;
  }

  private contextOf(s: number): SpanContext {
    const c = this.cols;
    const cur = this.walk(s);
    const mh = this.walkMissing[0]!;
    const ml = this.walkMissing[1]!;
    const ph = c.parentHi[s]!;
    const pl = c.parentLo[s]!;
    return {
      spanId: hexOfWords(c.idHi[s]!, c.idLo[s]!),
      traceId: hexOfTrace(c.trace, s * 4),
      parentSpanId: ph === 0 && pl === 0 ? '' : hexOfWords(ph, pl),
      name: this.strings.get(c.name[s]!),
      service: this.strings.get(c.service[s]!),
      startUnixNano: c.start[s]!,
      endUnixNano: c.end[s]!,
      localRootSpanId: hexOfWords(c.idHi[cur]!, c.idLo[cur]!),
      traceEndpoint: this.strings.get(c.endpoint[cur]!),
      missingAncestorId: mh === 0 && ml === 0 ? '' : hexOfWords(mh, ml),
    };
  }

  private sameTrace(a: number, b: number): boolean {
    const t = this.cols.trace;
    return t[a * 4] === t[b * 4] && t[a * 4 + 1] === t[b * 4 + 1] && t[a * 4 + 2] === t[b * 4 + 2] && t[a * 4 + 3] === t[b * 4 + 3];
  }

  private slotOf(hi: number, lo: number): number {
    const { idHi, idLo } = this.cols;
    const t = this.table;
    const mask = this.mask;
    const h = hashOf(hi, lo);
    const tag = h >>> TAG_SHIFT;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = t[i]!;
      if (e === 0) return -1;
      // The tag rules out most other ids of the probe run without reading their slots (a
      // cache miss each, at random places of the columns).
      if (e >>> TAG_SHIFT === tag) {
        const s = (e & SLOT_MASK) - 1;
        if (idHi[s] === hi && idLo[s] === lo) return s;
      }
    }
  }

  private insertHash(s: number): void {
    const h = hashOf(this.cols.idHi[s]!, this.cols.idLo[s]!);
    let i = h & this.mask;
    while (this.table[i] !== 0) i = (i + 1) & this.mask;
    this.table[i] = ((h >>> TAG_SHIFT) << TAG_SHIFT) | (s + 1);
  }

  private removeHash(s: number): void {
    const { idHi, idLo } = this.cols;
    const mask = this.mask;
    const t = this.table;
    let i = hashOf(idHi[s]!, idLo[s]!) & mask;
    while ((t[i]! & SLOT_MASK) !== s + 1) i = (i + 1) & mask;
    // Backward-shift deletion: pull later entries of the probe run into the hole.
    for (;;) {
      t[i] = 0;
      let j = i;
      for (;;) {
        j = (j + 1) & mask;
        const e = t[j]!;
        if (e === 0) return;
        const o = (e & SLOT_MASK) - 1;
        const k = hashOf(idHi[o]!, idLo[o]!) & mask;
        const stays = i <= j ? i < k && k <= j : i < k || k <= j;
        if (!stays) {
          t[i] = e;
          i = j;
          break;
        }
      }
    }
  }

  private releaseStrings(s: number): void {
    this.strings.release(this.cols.name[s]!);
    this.strings.release(this.cols.service[s]!);
    this.strings.release(this.cols.endpoint[s]!);
  }

  private evictOldest(): void {
    const s = this.first;
    this.removeHash(s);
    this.releaseStrings(s);
    this.first = (this.first + 1) % this.cols.capacity;
    this.count--;
    this.oldestSeq++;
    this.evicted++;
  }

  /** The ring is full: grow if the bound allows, else evict the oldest span. */
  private makeRoom(): void {
    // Once the bound stops growth it stays stopped until interned strings shrink, so the
    // capacity computation is skipped until they have (it would run on every put otherwise).
    const strings = this.strings.bytes;
    if (this.noGrowthAt < 0 || strings < this.noGrowthAt - this.maxBytes / 64) {
      const target = Math.min(Math.max(16, this.cols.capacity * 2), this.maxCapacity());
      if (target > this.cols.capacity) {
        this.resize(target);
        this.noGrowthAt = -1;
      } else this.noGrowthAt = strings;
    }
    if (this.count === this.cols.capacity && this.count > 0) this.evictOldest();
    // Strings alone may fill the bound: keep at least one slot so put can proceed; the
    // bound check after the put shrinks back (evicting it) if it does not fit.
    if (this.cols.capacity === 0) this.resize(1);
  }

  /** Re-lays the ring into `capacity` slots from 0, evicting the oldest spans that do not fit. */
  private resize(capacity: number): void {
    while (this.count > capacity) this.evictOldest();
    const old = this.cols;
    const next = allocColumns(capacity);
    // The live slots are at most two runs of the old ring: [first, end of ring) and [0, rest).
    const firstRun = Math.min(this.count, old.capacity - this.first);
    const runs: [from: number, to: number, at: number][] = [
      [this.first, this.first + firstRun, 0],
      [0, this.count - firstRun, firstRun],
    ];
    for (const [from, to, at] of runs) {
      if (to <= from) continue;
      next.idHi.set(old.idHi.subarray(from, to), at);
      next.idLo.set(old.idLo.subarray(from, to), at);
      next.trace.set(old.trace.subarray(from * 4, to * 4), at * 4);
      next.parentHi.set(old.parentHi.subarray(from, to), at);
      next.parentLo.set(old.parentLo.subarray(from, to), at);
      next.start.set(old.start.subarray(from, to), at);
      next.end.set(old.end.subarray(from, to), at);
      next.flags.set(old.flags.subarray(from, to), at);
      next.name.set(old.name.subarray(from, to), at);
      next.service.set(old.service.subarray(from, to), at);
      next.endpoint.set(old.endpoint.subarray(from, to), at);
    }
    this.cols = next;
    this.first = 0;
    this.table = new Int32Array(hashSizeFor(capacity));
    this.mask = this.table.length - 1;
    for (let k = 0; k < this.count; k++) this.insertHash(k);
  }

  private arrayBytes(capacity: number, hashSize: number): number {
    return capacity * SLOT_BYTES + hashSize * HASH_ENTRY_BYTES;
  }

  /**
   * The most slots that fit beside the current strings, leaving headroom for new strings
   * (a quarter of the current string bytes, at least 1/32 of the bound) so that a slow
   * growth of distinct names does not shrink the ring on every put.
   */
  private maxCapacity(): number {
    const strings = this.strings.bytes;
    const budget = this.maxBytes - FIXED_BYTES - strings - Math.max(strings / 4, this.maxBytes / 32);
    let best = 0;
    for (let h = 16; HASH_ENTRY_BYTES * h < budget; h *= 2) {
      const c = Math.min(Math.floor(h * MAX_LOAD), Math.floor((budget - HASH_ENTRY_BYTES * h) / SLOT_BYTES));
      if (c > best) best = c;
    }
    return Math.min(best, SLOT_MASK - 1);
  }

  private trackAge(now: number): void {
    const end = this.oldestSeq + this.count;
    const last = this.bucketEnd.length - 1;
    if (last >= this.bucketHead && now - this.bucketTime[last]! < this.bucketSpan && now >= this.bucketTime[last]!) {
      this.bucketEnd[last] = end;
    } else {
      this.bucketEnd.push(end);
      this.bucketTime.push(now);
    }
  }

  private compactBuckets(): void {
    // Drop buckets whose spans were all evicted by the byte bound.
    while (this.bucketHead < this.bucketEnd.length && this.bucketEnd[this.bucketHead]! <= this.oldestSeq) this.bucketHead++;
    if (this.bucketHead > 32 && this.bucketHead * 2 > this.bucketEnd.length) {
      this.bucketEnd = this.bucketEnd.slice(this.bucketHead);
      this.bucketTime = this.bucketTime.slice(this.bucketHead);
      this.bucketHead = 0;
    }
  }
}

/** A power-of-two table size keeping the load at or under MAX_LOAD. */
function hashSizeFor(capacity: number): number {
  let h = 16;
  while (h * MAX_LOAD < capacity) h *= 2;
  return h;
}

/** The index's answer for `ids`: its batched form when it has one, else `lookup` by hex id. */
export async function resolveSpans(index: SpanIndex, ids: SpanIdBatch): Promise<ResolvedSpans> {
  if (index.resolve) return index.resolve(ids);
  const known = await index.lookup(ids.hexIds());
  return resolvedFromContexts(ids, (id) => known.get(id));
}
