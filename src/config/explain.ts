// Turns zod's issues into messages that say what to write: the nearest known key for a
// typo, the expected type in words, the allowed values of an enum. Pure: the schema and the
// value are only read. Custom messages (written in the schemas) pass through unchanged.
import type { z } from 'zod';
import { valueKind } from './reference/walk.js';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch', 'lazy']);

/** The schema under wrappers and transforms (the input side of a pipe carries the shape). */
function peel(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 50; i++) {
    const d = defOf(s);
    if (d.type === 'lazy') s = (d.getter as () => z.ZodType)();
    else if (WRAPPERS.has(d.type)) s = d.innerType as z.ZodType;
    else if (d.type === 'pipe') s = d.in as z.ZodType;
    else return s;
  }
  return s;
}

/** Every schema a value at `path` may be checked against (several under a union). */
export function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current = [schema];
  for (const key of path) {
    const next: z.ZodType[] = [];
    const visit = (s: z.ZodType): void => {
      const inner = peel(s);
      const d = defOf(inner);
      if (d.type === 'object') {
        const child = (d.shape as Record<string, z.ZodType>)[String(key)];
        if (child) next.push(child);
      } else if (d.type === 'record') next.push(d.valueType as z.ZodType);
      else if (d.type === 'array') next.push(d.element as z.ZodType);
      else if (d.type === 'union') for (const o of d.options as z.ZodType[]) visit(o);
    };
    for (const s of current) visit(s);
    current = next;
  }
  return current;
}

/** The keys an object at `path` may have (every alternative's under a union). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  const collect = (s: z.ZodType): void => {
    const inner = peel(s);
    const d = defOf(inner);
    if (d.type === 'object') for (const k of Object.keys(d.shape as object)) keys.add(k);
    else if (d.type === 'union') for (const o of d.options as z.ZodType[]) collect(o);
  };
  for (const s of schemasAt(schema, path)) collect(s);
  return [...keys];
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate a typo most likely meant, if one is close enough to be a good guess. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const a = norm(word);
    const b = norm(c);
    // Same letters, or one a clipped form of the other (`warning` for `warn`): as good as a match.
    const clipped = Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a));
    const dist = a === b ? 0 : clipped ? 1 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  // A third of the word's length, at least 1 and at most 3 edits: `hold_windw` -> `hold_window`,
  // while `port` is not taken for `sort`... unless one letter is all that differs.
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  object: 'a mapping (indented `key: value` lines or `{ key: value }`)',
  array: 'a list (`[a, b]` or `- item` lines)',
  record: 'a mapping (indented `key: value` lines or `{ key: value }`)',
};

const KIND_WORDS: Record<string, string> = {
  duration: 'a duration such as 500ms, 10s or 1m30s',
  'long-duration': 'a duration such as 10s, 5m or 7d',
  size: 'a size such as 512KiB, 64MiB or 1GB',
  'host:port': 'host:port, e.g. 127.0.0.1:4317',
  'host:port or URL': 'host:port or a URL, e.g. 127.0.0.1:4317 or http://collector:4317',
  URL: 'a URL, e.g. http://127.0.0.1:4040',
};

/** What a value at `path` must be, in words, from the schemas it is checked against. */
function expectedAt(schema: z.ZodType, path: readonly PropertyKey[], zodExpected: string | undefined): string | undefined {
  const words = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const kind = safeKind(s);
    if (kind && KIND_WORDS[kind]) {
      words.add(KIND_WORDS[kind]);
      continue;
    }
    const inner = peel(s);
    const d = defOf(inner);
    if (d.type === 'enum') words.add(`one of ${Object.values(d.entries as Record<string, string>).join(', ')}`);
    else if (d.type === 'literal') words.add(`one of ${(d.values as unknown[]).map(String).join(', ')}`);
    else if (d.type === 'union') {
      for (const o of d.options as z.ZodType[]) {
        const t = defOf(peel(o)).type;
        if (TYPE_WORDS[t]) words.add(TYPE_WORDS[t]);
      }
    } else if (d.type === 'number' && (inner as { isInt?: boolean }).isInt === true) words.add(TYPE_WORDS.int!);
    else if (TYPE_WORDS[d.type]) words.add(TYPE_WORDS[d.type]!);
  }
  if (words.size > 0) return [...words].join(' or ');
  return zodExpected ? (TYPE_WORDS[zodExpected] ?? zodExpected) : undefined;
}

function safeKind(s: z.ZodType): string | undefined {
  try {
    return valueKind(s);
  } catch {
    return undefined;
  }
}

/** How the value the user wrote reads, for "got ...". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `the string "${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`;
  if (typeof v === 'boolean') return `${v} (a boolean)`;
  if (typeof v === 'number') return `${v} (a number)`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

export interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  expected?: string;
  values?: unknown[];
}

/** zod's own wording; anything else was written in a schema and is kept as it is. */
const ZOD_DEFAULT = /^(Invalid input|Invalid option|Unrecognized keys?:)/;

/** One message per issue, saying what to write. `path` in the result is the issue's own. */
export function explainIssue(schema: z.ZodType, value: unknown, issue: Issue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  const got = valueAt(value, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, issue.path);
      return (issue.keys ?? [])
        .map((k) => {
          const near = nearest(k, known);
          if (near) return `unknown key "${k}"; did you mean \`${near}\`?`;
          return known.length > 0 ? `unknown key "${k}"; known keys here: ${known.join(', ')}` : `unknown key "${k}"`;
        })
        .join('; ');
    }
    case 'invalid_value': {
      const allowed = (issue.values ?? []).map(String);
      const near = typeof got === 'string' ? nearest(got, allowed) : undefined;
      return `expected one of ${allowed.join(', ')}, got ${describeValue(got)}${near ? `; did you mean \`${near}\`?` : ''}`;
    }
    case 'invalid_type':
    case 'invalid_union': {
      const expected = expectedAt(schema, issue.path, issue.expected);
      if (got === undefined) return `required: write ${expected ?? 'a value'}`;
      let hint = '';
      if (typeof got === 'string' && expected === TYPE_WORDS.boolean && /^(true|false)$/i.test(got.trim())) hint = ' (write it without quotes)';
      if (typeof got === 'string' && expected?.startsWith('a number') && /^-?\d+(\.\d+)?$/.test(got.trim())) hint = ' (write it without quotes)';
      return `expected ${expected ?? 'another kind of value'}, got ${describeValue(got)}${hint}`;
    }
    default:
      return issue.message;
  }
}
