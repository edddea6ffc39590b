// The locations most profilers send (one line, one function, no mapping, no address: what a
// symbolizing runtime writes) found again from their function's name: one map lookup of the
// name a request sent, then its few candidates compared field by field (system name and file
// by their IngestCache string ids, which the request resolves once per string, not once per
// location: comparing the strings themselves read two more strings per location). Without it a request's
// such location costs a lookup of the name's string id, an intern of the function's tuple and
// one of the location's key; the answer is the same id (the entries are written from those
// interns' answers). Part of an IngestCache: same generation, bounded with it. Pure, no I/O.

/** Candidates looked at per name before giving up (the caller then resolves the location in full). */
const MAX_CANDIDATES = 8;

/** Estimated heap bytes of one entry (map slot or array slots). */
export const NAMED_LOCATION_BYTES = 64;

export class NamedLocations {
  /** Function name (as sent, non-empty) -> its first entry + 1. */
  private readonly heads = new Map<string, number>();
  /** String ids (IngestCache.string) of the system name and the file. */
  private systemNames: number[] = [];
  private files: number[] = [];
  private startLines: number[] = [];
  private lines: number[] = [];
  private columns: number[] = [];
  private locations: number[] = [];
  private functions: number[] = [];
  /** Next entry of the same name + 1 (0: none). */
  private next: number[] = [];

  get size(): number {
    return this.locations.length;
  }

  /** The entry for these values (system name and file as string ids), or -1; location() and functionOf() read it. */
  find(name: string, systemName: number, file: number, startLine: number, line: number, column: number): number {
    let e = (this.heads.get(name) ?? 0) - 1;
    for (let n = 0; e >= 0 && n < MAX_CANDIDATES; n++) {
      if (
        this.lines[e] === line &&
        this.files[e] === file &&
        this.startLines[e] === startLine &&
        this.columns[e] === column &&
        this.systemNames[e] === systemName
      ) {
        return e;
      }
      e = this.next[e]! - 1;
    }
    return -1;
  }

  location(e: number): number {
    return this.locations[e]!;
  }

  functionOf(e: number): number {
    return this.functions[e]!;
  }

  /** Records what a full resolution gave for these values (unless the name has candidates enough). */
  add(name: string, systemName: number, file: number, startLine: number, line: number, column: number, location: number, fn: number): boolean {
    const head = this.heads.get(name) ?? 0;
    let n = 0;
    for (let e = head - 1; e >= 0 && n < MAX_CANDIDATES; e = this.next[e]! - 1) n++;
    if (n >= MAX_CANDIDATES) return false;
    const e = this.locations.length;
    this.systemNames.push(systemName);
    this.files.push(file);
    this.startLines.push(startLine);
    this.lines.push(line);
    this.columns.push(column);
    this.locations.push(location);
    this.functions.push(fn);
    this.next.push(head);
    this.heads.set(name, e + 1);
    return true;
  }
}
