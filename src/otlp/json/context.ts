// Where we are while reading an OTLP/JSON value, so an error can name the exact spot:
// "resourceProfiles[0].scopeProfiles[0].profiles[2].samples[5].values[0]: expected an integer".
// The path is a stack of keys and indices pushed and popped as the reader descends; strings
// are only built when an error is thrown.
import { DecodeError } from '../../errors.js';

/** Nesting limit for AnyValue arrays/kvlists (the protobuf decoder has the same limit). */
export const MAX_JSON_DEPTH = 100;

export class JsonContext {
  readonly path: (string | number)[] = [];
  depth = 0;

  /** The current position as text: keys joined with dots, indices in brackets. */
  where(): string {
    let s = '';
    for (const p of this.path) {
      if (typeof p === 'number') s += `[${p}]`;
      else s += s === '' ? p : `.${p}`;
    }
    return s === '' ? '(root)' : s;
  }

  fail(message: string): never {
    throw new DecodeError(`${this.where()}: ${message}`);
  }

  /** A plain JSON object, or a DecodeError naming the path. */
  object(v: unknown): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`expected an object, got ${kindOf(v)}`);
    return v as Record<string, unknown>;
  }

  array(v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(`expected an array, got ${kindOf(v)}`);
    return v;
  }

  /**
   * Reads each element of a JSON array with `read`, with its index on the path. The result
   * has exactly the input's length (growing it by push left most of it as garbage).
   */
  list<T>(v: unknown, read: (ctx: JsonContext, x: unknown) => T): T[] {
    const a = this.array(v);
    const n = a.length;
    const out = new Array<T>(n);
    const path = this.path;
    const at = path.length;
    path.push(0);
    for (let i = 0; i < n; i++) {
      path[at] = i; // nested reads push and pop above this slot
      out[i] = read(this, a[i]);
    }
    path.pop();
    return out;
  }

  enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) this.fail(`values nested deeper than ${MAX_JSON_DEPTH}`);
  }

  leave(): void {
    this.depth--;
  }
}

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}
