// What ingestion remembers from one request to the next: the strings, functions, locations,
// frames and stacks already seen, each by value with a dense id. Senders send every request
// with its own dictionary, but the same process sends the same functions and mostly the same
// stacks again and again: a request's dictionary is resolved to these ids once (strings by
// value, then functions, locations and stacks by their ids), and what follows from a
// location or a stack (its frames, its store stack) is worked out the first time it is seen,
// not once per request. The writer then finds a frame's function row and a stack's row by
// an array index (see StoreWriter).
//
// Two identities are kept, as the two paths they replace kept them: pprof's (a stack is its
// locations: mapping, address, function, line, column), by which samples are merged, and the
// store's (a stack is its frames: name, file, line, start line), by which stacks are stored.
//
// Bounded by an estimate of the heap bytes it holds: past the bound it starts afresh (a new
// generation) before the next request, so ids of one generation never mix with another's.
// Pure, no I/O.
import type { FrameInfo } from '../query/types.js';
import { stringBytes } from '../byte-bounded-map.js';
import { idSeqInterner, SeqInterner } from './keys.js';
import { MergedSamples } from './merged.js';
import { NAMED_LOCATION_BYTES, NamedLocations } from './named-locations.js';
import { StringIds } from './strings.js';

/** Default bound: about 200 k distinct functions and locations and 500 k stacks of depth 20. */
export const INGEST_CACHE_BYTES = 64 * 2 ** 20;

/** Per-entry estimates (map slot; the entry's own object), beyond the typed arrays counted by size. */
const STRING_ENTRY_BYTES = 56;
const OBJECT_ENTRY_BYTES = 80;

/** Where a profile's frames and stacks sit in global ids (ExtractedProfile.resolved). */
export interface ResolvedIds {
  /** The IngestCache generation these ids belong to. */
  generation: number;
  /** Global frame id of each of the profile's frames. */
  frames: Int32Array;
  /** Global (store) stack id of each of the profile's stacks. */
  stacks: Int32Array;
}

/** A function as pprof identifies it, with the frame fields the store shows for it. */
export interface CachedFunction {
  /** Its name, else its system name, else '(unknown)'. */
  name: string;
  nameId: number;
  file: string;
  fileId: number;
  startLine: number;
}

let generations = 0;

/** A growable Int32Array. */
class IntList {
  a = new Int32Array(64);
  length = 0;

  push(v: number): void {
    if (this.length === this.a.length) this.a = grown(this.a, this.length + 1);
    this.a[this.length++] = v;
  }

  /** a[i] = v, growing (new slots 0). */
  set(i: number, v: number): void {
    if (i >= this.a.length) this.a = grown(this.a, i + 1);
    this.a[i] = v;
    if (i >= this.length) this.length = i + 1;
  }
}

/**
 * Global id -> a per-profile index, without clearing between profiles: an entry counts only
 * when its stamp is the current one.
 */
export class StampedIndex {
  private marks = new Int32Array(1024);
  private slots = new Int32Array(1024);
  private stamp = 1;

  /** Every get() answers -1 from now on. */
  begin(): void {
    if (++this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.marks.fill(0);
    }
  }

  get(g: number): number {
    return g < this.marks.length && this.marks[g] === this.stamp ? this.slots[g]! : -1;
  }

  set(g: number, i: number): void {
    if (g >= this.marks.length) {
      this.marks = grown(this.marks, g + 1);
      this.slots = grown(this.slots, g + 1);
    }
    this.marks[g] = this.stamp;
    this.slots[g] = i;
  }
}

export class IngestCache {
  private strings = new StringIds();
  private functionIds = new SeqInterner(64);
  private frameIds = new SeqInterner(64);
  private locationIds = new SeqInterner(64);
  private pprofStackIds = idSeqInterner(64);
  private storeStackIds = idSeqInterner(64);
  /** Global function id -> the function. */
  functions: CachedFunction[] = [];
  /** Global frame id -> the frame (one object per distinct frame, shared by the profiles using it). */
  frames: FrameInfo[] = [];
  /** Global location id -> its frames (global frame ids, innermost first): locFrames[locStart, + locCount). */
  private locStart = new IntList();
  private locCount = new IntList();
  private locFrames = new IntList();
  /** Global pprof stack id -> its store stack id. */
  private pprofToStore = new IntList();
  /** One-line locations by their function's name (NamedLocations): found by the name's string id. */
  named = new NamedLocations();
  /** Changes when the cache starts afresh; ids of different generations must not be compared. */
  generation = ++generations;
  private used = 0;
  private readonly tuple = [0, 0, 0, 0];
  private stackBuf: number[] = [];
  /** Per-profile scratch for the extractor (see StampedIndex). */
  readonly frameIndex = new StampedIndex();
  readonly stackIndex = new StampedIndex();
  /** The extractor's merged samples of the profile being extracted (its label sets are the extractor's). */
  readonly merged = new MergedSamples<unknown>();
  /** The extractor's scratch for a profile's global frame ids (copied out at the end). */
  frameGidScratch: Int32Array<ArrayBuffer> = new Int32Array(1024);
  /** The extractor's scratch for the frames of a profile's stacks (profile frame indices), and where each stack's start. */
  walkedFrameScratch: Int32Array<ArrayBuffer> = new Int32Array(16384);
  walkedAtScratch: Int32Array<ArrayBuffer> = new Int32Array(1024);

  constructor(readonly maxBytes: number = INGEST_CACHE_BYTES) {}

  /** Estimated heap bytes held. */
  get bytes(): number {
    const interners =
      this.strings.bytes +
      this.named.bytes +
      this.functionIds.bytes +
      this.frameIds.bytes +
      this.locationIds.bytes +
      this.pprofStackIds.bytes +
      this.storeStackIds.bytes;
    const lists = 4 * (this.locStart.a.length + this.locCount.a.length + this.locFrames.a.length + this.pprofToStore.a.length);
    return this.used + interners + lists;
  }

  /** Starts afresh when over the bound; call between requests only. */
  trim(): void {
    if (this.bytes <= this.maxBytes) return;
    this.strings = new StringIds();
    this.functionIds = new SeqInterner(64);
    this.frameIds = new SeqInterner(64);
    this.locationIds = new SeqInterner(64);
    this.pprofStackIds = idSeqInterner(64);
    this.storeStackIds = idSeqInterner(64);
    this.functions = [];
    this.frames = [];
    this.locStart = new IntList();
    this.locCount = new IntList();
    this.locFrames = new IntList();
    this.pprofToStore = new IntList();
    this.named = new NamedLocations();
    this.generation = ++generations;
    this.used = 0;
  }

  /** The id of a string (equal strings, one id). */
  string(s: string): number {
    const before = this.strings.size;
    const id = this.strings.id(s);
    if (id === before) this.used += stringBytes(s) + STRING_ENTRY_BYTES;
    return id;
  }

  /**
   * The global id of a function by pprof's identity: its name, system name and file (string
   * ids of the strings given) and start line.
   */
  function(nameId: number, ownName: string, sysId: number, systemName: string, fileId: number, file: string, startLine: number): number {
    const t = this.tuple;
    t[0] = nameId;
    t[1] = sysId;
    t[2] = fileId;
    t[3] = startLine;
    const id = this.functionIds.intern(t, 4);
    if (id === this.functions.length) {
      const name = ownName || systemName || '(unknown)';
      this.functions.push({ name, nameId: name === ownName ? nameId : this.string(name), file, fileId, startLine });
      this.used += OBJECT_ENTRY_BYTES;
    }
    return id;
  }

  /** The global id of a frame; nameId and fileId are string() of name and file. */
  frame(nameId: number, name: string, fileId: number, file: string, line: number, startLine: number): number {
    const t = this.tuple;
    t[0] = nameId;
    t[1] = fileId;
    t[2] = line;
    t[3] = startLine;
    const i = this.frameIds.intern(t, 4);
    if (i === this.frames.length) {
      this.frames.push({ name, file, line, startLine });
      this.used += OBJECT_ENTRY_BYTES;
    }
    return i;
  }

  /**
   * The global id of a location by its pprof key (the first n values of `key`): mapping,
   * address, then (function id, line, column) per line. A new one (hasLocation false) is
   * given its frames by the caller: beginLocation, pushFrame per frame, endLocation.
   */
  location(key: ArrayLike<number>, n: number): number {
    return this.locationIds.intern(key, n);
  }

  /** Remembers a one-line location by its function's name (see NamedLocations); counted in the bound. */
  nameLocation(
    nameId: number,
    systemNameId: number,
    fileId: number,
    startLine: number,
    line: number,
    column: number,
    location: number,
    fn: number,
  ): void {
    // Name, system name and file as string ids, their strings counted with the strings.
    if (this.named.add(nameId, systemNameId, fileId, startLine, line, column, location, fn)) this.used += NAMED_LOCATION_BYTES;
  }

  get locationCount(): number {
    return this.locStart.length;
  }

  /** Records the frames of a new location: call beginLocation, pushFrame per frame, endLocation. */
  beginLocation(id: number): void {
    this.locStart.set(id, this.locFrames.length);
  }

  pushFrame(frame: number): void {
    this.locFrames.push(frame);
  }

  endLocation(id: number): void {
    this.locCount.set(id, this.locFrames.length - this.locStart.a[id]!);
  }

  /** True when the location of this id has its frames recorded. */
  hasLocation(id: number): boolean {
    return id < this.locCount.length && this.locCount.a[id]! > 0;
  }

  /** The global pprof stack id of the first n location ids of `locations`; its store stack is worked out when new. */
  stack(locations: ArrayLike<number>, n: number): number {
    const before = this.pprofStackIds.size;
    const id = this.pprofStackIds.intern(locations, n);
    if (id === before) {
      // New: its frames are its locations' frames in order, leaf first.
      const buf = this.stackBuf;
      let m = 0;
      const ls = this.locStart.a;
      const lc = this.locCount.a;
      const lf = this.locFrames.a;
      for (let k = 0; k < n; k++) {
        const li = locations[k]!;
        for (let f = ls[li]!, end = f + lc[li]!; f < end; f++) buf[m++] = lf[f]!;
      }
      this.pprofToStore.set(id, this.storeStackIds.intern(buf, m));
    }
    return id;
  }

  /** The store stack id of a pprof stack id. */
  storeStack(pprofStack: number): number {
    return this.pprofToStore.a[pprofStack]!;
  }

  /** The frames of a store stack: global frame ids at values()[start, start + length). */
  stackStart(storeStack: number): number {
    return this.storeStackIds.start(storeStack);
  }

  stackLength(storeStack: number): number {
    return this.storeStackIds.length(storeStack);
  }

  /** The array stackStart indexes (changes as stacks are added: read it after resolving). */
  get stackValues(): Int32Array {
    return this.storeStackIds.values;
  }

  /** Starts a profile's scratch (frameIndex, stackIndex answer -1 again). */
  beginProfile(): void {
    this.frameIndex.begin();
    this.stackIndex.begin();
  }
}

function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  let len = Math.max(16, a.length);
  while (len < n) len *= 2;
  const b = new Int32Array(len);
  b.set(a);
  return b;
}
