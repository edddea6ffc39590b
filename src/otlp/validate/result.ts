// What a content check returns: the request with the bad parts removed (the same object
// when nothing was removed), how many items were removed, and why.

export interface ValidationResult<T> {
  request: T;
  /** Profiles (or spans) removed. */
  rejected: number;
  /**
   * One line per problem found, naming where it was. At most MAX_MESSAGES lines; when more
   * problems were found, the last line says how many were not listed.
   */
  messages: string[];
}

export const MAX_MESSAGES = 100;

/** Collects messages up to the cap and counts the rest. */
export class MessageLog {
  readonly lines: string[] = [];
  private suppressed = 0;

  add(line: string): void {
    if (this.lines.length < MAX_MESSAGES) this.lines.push(line);
    else this.suppressed++;
  }

  finish(): string[] {
    if (this.suppressed > 0) this.lines.push(`... and ${this.suppressed} more problems not listed`);
    return this.lines;
  }
}

/**
 * The leaves (profiles or spans) of one scope without those `problemOf` finds fault with, or
 * undefined when it finds none (so an untouched scope keeps its array). `reject` is told
 * each one dropped, by index, with the problem.
 */
export function keptLeaves<T>(
  leaves: readonly T[],
  problemOf: (leaf: T) => string | undefined,
  reject: (index: number, problem: string) => void,
): T[] | undefined {
  let kept: T[] | undefined;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    const problem = problemOf(leaf);
    if (problem === undefined) {
      kept?.push(leaf);
      continue;
    }
    kept ??= leaves.slice(0, i);
    reject(i, problem);
  }
  return kept;
}
