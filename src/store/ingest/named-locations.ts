// The locations most profilers send (one line, one function, no mapping, no address: what a
// symbolizing runtime writes) found again from their function's name: its IngestCache string
// id (which the request resolves once per string, not once per location) indexes the name's
// first entry, then its few candidates are compared field by field (system name and file by
// their string ids too: comparing the strings themselves read two more strings per location). Without it a request's
// such location costs a lookup of the name's string id, an intern of the function's tuple and
// one of the location's key; the answer is the same id (the entries are written from those
// interns' answers). Part of an IngestCache: same generation, bounded with it. Pure, no I/O.
import { growFloat64, growInt32 } from '../../otlp/columns/grow.js';

/** Candidates looked at per name before giving up (the caller then resolves the location in full). */
const MAX_CANDIDATES = 8;

/** Estimated heap bytes of one entry (map slot or array slots). */
export const NAMED_LOCATION_BYTES = 64;

/** Numbers per entry in NamedLocations.entries, and their offsets. */
const STRIDE = 8;
const SYSTEM_NAME = 0;
const FILE = 1;
const START_LINE = 2;
const LINE = 3;
const COLUMN = 4;
const LOCATION = 5;
const FUNCTION = 6;
/** Next entry of the same name + 1 (0: none). */
const NEXT = 7;

export class NamedLocations {
  /** String id of a function name (non-empty) -> its first entry + 1 (0: none). */
  private heads = new Int32Array(1024);
  /**
   * Every entry's numbers side by side (STRIDE a entry: one cache line, where an array per
   * field read five lines per location): system name and file as string ids
   * (IngestCache.string), start line, line, column, location id, function id, next entry.
   * Float64: lines and columns are whatever numbers the sender wrote.
   */
  private entries = new Float64Array(STRIDE * 256);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes of the per-name heads (the entries are counted per entry: NAMED_LOCATION_BYTES). */
  get bytes(): number {
    return this.heads.byteLength;
  }

  /** The entry for these values (name, system name and file as string ids), or -1; location() and functionOf() read it. */
  find(name: number, systemName: number, file: number, startLine: number, line: number, column: number): number {
    let e = (name < this.heads.length ? this.heads[name]! : 0) - 1;
    const a = this.entries;
    for (let n = 0; e >= 0 && n < MAX_CANDIDATES; n++) {
      const o = e * STRIDE;
      if (
        a[o + LINE] === line &&
        a[o + FILE] === file &&
        a[o + START_LINE] === startLine &&
        a[o + COLUMN] === column &&
        a[o + SYSTEM_NAME] === systemName
      ) {
        return e;
      }
      e = a[o + NEXT]! - 1;
    }
    return -1;
  }

  location(e: number): number {
    return this.entries[e * STRIDE + LOCATION]!;
  }

  functionOf(e: number): number {
    return this.entries[e * STRIDE + FUNCTION]!;
  }

  /** Records what a full resolution gave for these values (unless the name has candidates enough). */
  add(name: number, systemName: number, file: number, startLine: number, line: number, column: number, location: number, fn: number): boolean {
    const head = name < this.heads.length ? this.heads[name]! : 0;
    let n = 0;
    for (let e = head - 1; e >= 0 && n < MAX_CANDIDATES; e = this.entries[e * STRIDE + NEXT]! - 1) n++;
    if (n >= MAX_CANDIDATES) return false;
    const e = this.count++;
    this.entries = growFloat64(this.entries, e * STRIDE + STRIDE);
    const a = this.entries;
    const o = e * STRIDE;
    a[o + SYSTEM_NAME] = systemName;
    a[o + FILE] = file;
    a[o + START_LINE] = startLine;
    a[o + LINE] = line;
    a[o + COLUMN] = column;
    a[o + LOCATION] = location;
    a[o + FUNCTION] = fn;
    a[o + NEXT] = head;
    this.heads = growInt32(this.heads, name + 1);
    this.heads[name] = e + 1;
    return true;
  }
}
