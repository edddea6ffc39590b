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
 * One level of the request tree (resources, scopes or their profiles / spans) passed through
 * `check`, which returns the node itself when nothing in it was rejected, a copy with fewer
 * children, or undefined to drop it. Undefined when every node came back as it was, so an
 * untouched level keeps its array (and the request stays the same object).
 */
export function keptNodes<T>(nodes: readonly T[], check: (node: T, index: number) => T | undefined): T[] | undefined {
  let kept: T[] | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const out = check(node, i);
    if (out === node) {
      kept?.push(node);
      continue;
    }
    kept ??= nodes.slice(0, i);
    if (out !== undefined) kept.push(out);
  }
  return kept;
}
