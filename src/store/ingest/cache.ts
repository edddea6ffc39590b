// What ingestion remembers from one request to the next: the strings, frames and stacks
// already seen, each with a dense id. Senders send every request with its own dictionary,
// but the same process sends the same functions and mostly the same stacks again and again;
// with these ids the extractor resolves a request's dictionary to integers once, and the
// writer finds a frame's function row and a stack's row by an array index instead of a hash
// lookup per frame and per stack (see StoreWriter).
//
// Bounded by an estimate of the heap bytes it holds: past the bound it starts afresh (a new
// generation) before the next request, so ids of one generation never mix with another's.
// Pure, no I/O.
import type { FrameInfo } from '../query/types.js';
import { stringBytes } from '../byte-bounded-map.js';
import { SeqInterner } from './keys.js';

/** Default bound: about 200 k distinct functions and 500 k stacks of depth 20. */
export const INGEST_CACHE_BYTES = 64 * 2 ** 20;

/** Per-entry estimates (map or table slot, the entry's own objects). */
const STRING_ENTRY_BYTES = 56;
/** The frame's object (the interners' typed arrays are counted by their size). */
const FRAME_ENTRY_BYTES = 80;

/** Where a profile's frames and stacks sit in global ids (ExtractedProfile.resolved). */
export interface ResolvedIds {
  /** The IngestCache generation these ids belong to. */
  generation: number;
  /** Global frame id of each of the profile's frames. */
  frames: Int32Array;
  /** Global stack id of each of the profile's stacks. */
  stacks: Int32Array;
}

let generations = 0;

export class IngestCache {
  private strings = new Map<string, number>();
  private frameIds = new SeqInterner(1024);
  private stackIds = new SeqInterner(1024);
  /** Global frame id -> the frame (one object per distinct frame, shared by the profiles using it). */
  frames: FrameInfo[] = [];
  /** Changes when the cache starts afresh; ids of different generations must not be compared. */
  generation = ++generations;
  private used = 0;
  /** Per-profile scratch, stamped (no clearing between profiles): global id -> profile index. */
  private frameStamp = new Int32Array(1024);
  private frameSlot = new Int32Array(1024);
  private stackStamp = new Int32Array(1024);
  private stackSlot = new Int32Array(1024);
  private stamp = 0;
  private readonly tuple = [0, 0, 0, 0];

  constructor(readonly maxBytes: number = INGEST_CACHE_BYTES) {}

  /** Estimated heap bytes held. */
  get bytes(): number {
    return this.used + this.frameIds.bytes + this.stackIds.bytes;
  }

  get stackCount(): number {
    return this.stackIds.size;
  }

  /** Starts afresh when over the bound; call between requests only. */
  trim(): void {
    if (this.bytes <= this.maxBytes) return;
    this.strings = new Map();
    this.frameIds = new SeqInterner(1024);
    this.stackIds = new SeqInterner(1024);
    this.frames = [];
    this.generation = ++generations;
    this.used = 0;
  }

  /** The id of a string (equal strings, one id). */
  string(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      this.strings.set(s, (id = this.strings.size));
      this.used += stringBytes(s) + STRING_ENTRY_BYTES;
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
      this.used += FRAME_ENTRY_BYTES;
    }
    return i;
  }

  /** The global id of the stack of the first n global frame ids of `frames`. */
  stack(frames: ArrayLike<number>, n: number): number {
    return this.stackIds.intern(frames, n);
  }

  /** Starts a profile's scratch: every frameIndex / stackIndex reads -1 until set. */
  beginProfile(): void {
    if (++this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.frameStamp.fill(0);
      this.stackStamp.fill(0);
    }
    if (this.frameStamp.length < this.frames.length) {
      this.frameStamp = grown(this.frameStamp, this.frames.length);
      this.frameSlot = grown(this.frameSlot, this.frames.length);
    }
    if (this.stackStamp.length < this.stackIds.size) {
      this.stackStamp = grown(this.stackStamp, this.stackIds.size);
      this.stackSlot = grown(this.stackSlot, this.stackIds.size);
    }
  }

  /** The profile's index of a global frame id, or -1. */
  frameIndex(g: number): number {
    return this.frameStamp[g] === this.stamp ? this.frameSlot[g]! : -1;
  }

  setFrameIndex(g: number, i: number): void {
    this.frameStamp[g] = this.stamp;
    this.frameSlot[g] = i;
  }

  /** The profile's index of a global stack id, or -1. */
  stackIndex(g: number): number {
    return this.stackStamp[g] === this.stamp ? this.stackSlot[g]! : -1;
  }

  setStackIndex(g: number, i: number): void {
    this.stackStamp[g] = this.stamp;
    this.stackSlot[g] = i;
  }
}

function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  let len = a.length;
  while (len < n) len *= 2;
  const b = new Int32Array(len);
  b.set(a);
  return b;
}
