// The data the pure query functions work on: aggregated stacks of frame ids and the frames
// they name. The store's reader produces these; flame trees, top tables, diffs and pprof
// downloads are computed from them without touching the database.

/** One frame: a function at a line. Inlined functions are frames of their own. */
export interface FrameInfo {
  name: string;
  file: string;
  /** Line of this frame's location within the function (0 = unknown). */
  line: number;
  /** First line of the function (0 = unknown). */
  startLine: number;
}

/** A stack (frame ids, leaf first) with the value of every sample that had it. */
export interface StackValue {
  frames: ArrayLike<number>;
  value: number;
}

/** Frame ids to frames. */
export type FrameTable = ReadonlyMap<number, FrameInfo>;

export const UNKNOWN_FRAME: FrameInfo = Object.freeze({ name: '(unknown)', file: '', line: 0, startLine: 0 });
