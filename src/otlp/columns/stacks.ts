// The dictionary's stack table as columns instead of an object and an array per stack: a
// 100 k-sample request has about 10 k stacks of tens of frames, whose arrays were the largest
// part of what decoding the dictionary allocated (bench/RESULTS.md, "pprof conversion").
//
// Stack i's location indices are indices[start[i] .. start[i + 1]): int32 values, exactly
// those the object decoder gives. The arrays may be longer than the data (they grow by
// doubling); `length` is the stack count. Only the columnar decoder (decode.ts) makes them;
// the validation and the pprof conversion read either form (see ColumnarDictionary).
import type { ProfilesDictionary, Stack } from '../model.js';
import { growInt32 } from './grow.js';

export interface StackColumns {
  readonly length: number;
  /** `length + 1` offsets into `indices`. */
  readonly start: Int32Array;
  readonly indices: Int32Array;
}

/** A dictionary whose stack table is columns (what decodeProfilesRequestColumnar gives). */
export type ColumnarDictionary = Omit<ProfilesDictionary, 'stackTable'> & { stackTable: StackColumns };

/** A dictionary of either form. */
export type AnyDictionary = ProfilesDictionary | ColumnarDictionary;

/** Whether the dictionary's stack table is an array of Stack objects (not columns). */
export function hasStackObjects(d: AnyDictionary): d is ProfilesDictionary {
  return Array.isArray(d.stackTable);
}

/** Stack i of a columnar table as the Stack the object decoder gives (for tests and cold paths). */
export function stackAt(s: StackColumns, i: number): Stack {
  return { locationIndices: Array.from(s.indices.subarray(s.start[i]!, s.start[i + 1]!)) };
}

/** Appends stacks: `begin`, any number of `add` calls, then `end`. */
export class StackColumnsBuilder implements StackColumns {
  length = 0;
  start: Int32Array;
  indices: Int32Array;
  /** Indices written so far (the next one goes at `indices[used]`). */
  used = 0;

  constructor(stacks = 256, indices = 4096) {
    this.start = new Int32Array(stacks + 1);
    this.indices = new Int32Array(indices);
  }

  /** Empties the builder, keeping its arrays (see ColumnsPool). */
  clear(): void {
    this.length = 0;
    this.used = 0;
  }

  /** Bytes held. */
  bytes(): number {
    return this.start.byteLength + this.indices.byteLength;
  }

  begin(): void {
    if (this.length + 2 > this.start.length) this.start = growInt32(this.start, this.length + 2);
  }

  add(locationIndex: number): void {
    if (this.used === this.indices.length) this.indices = growInt32(this.indices, this.used + 1);
    this.indices[this.used++] = locationIndex;
  }

  /**
   * `indices` with room for `n` more past `used`, for a caller that writes them itself
   * (decodeStack's packed runs: a run of n bytes holds at most n indices) and then sets
   * `used`: no capacity check per index.
   */
  room(n: number): Int32Array {
    if (this.used + n > this.indices.length) this.indices = growInt32(this.indices, this.used + n);
    return this.indices;
  }

  end(): void {
    this.start[++this.length] = this.used;
  }
}
