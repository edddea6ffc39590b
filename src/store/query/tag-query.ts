// The tag query language of the search box:
//
//   service:checkout version:1.3,1.4 -host:web-2 env:"prod eu" region:*
//
// Terms are separated by spaces and must all hold. `key:v1,v2` holds when the label has any
// of the values; a leading `-` negates a term (a profile without the label matches a
// negation); `key:*` means "has the label". Keys and values may be double-quoted (with \"
// and \\ escapes) to carry spaces, commas, colons or quotes. Pure: text in, query out.
import { QueryError } from './errors.js';

export interface TagTerm {
  /** The key as written (an alias or a label name). */
  key: string;
  /** Values to match (any of them); empty when the term is `key:*`. */
  values: string[];
  /** `key:*`: the label is present. */
  any: boolean;
  negated: boolean;
}

export interface TagQuery {
  terms: TagTerm[];
}

/** Short names for the usual OTel resource attributes, with fallbacks in order. */
export const LABEL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  service: ['service.name'],
  version: ['service.version'],
  host: ['host.name'],
  env: ['deployment.environment.name', 'deployment.environment'],
  namespace: ['service.namespace'],
  pod: ['k8s.pod.name'],
  container: ['container.name'],
};

const MAX_QUERY_LENGTH = 4096;

export function parseTagQuery(text: string | undefined): TagQuery {
  const terms: TagTerm[] = [];
  if (text === undefined) return { terms };
  if (text.length > MAX_QUERY_LENGTH) throw new QueryError('syntax', `query is longer than ${MAX_QUERY_LENGTH} characters`);
  let i = 0;
  const n = text.length;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const fail = (msg: string): never => {
    throw new QueryError('syntax', `query: ${msg} at position ${i + 1} in "${text}"`);
  };

  /** A quoted or bare word; bare words end at any of `stops`. */
  const word = (stops: string): { text: string; quoted: boolean } => {
    if (text[i] === '"') {
      i++;
      let out = '';
      for (;;) {
        if (i >= n) fail('unclosed quote');
        const c = text[i]!;
        if (c === '\\' && i + 1 < n) {
          out += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          return { text: out, quoted: true };
        } else {
          out += c;
          i++;
        }
      }
    }
    const start = i;
    while (i < n && !isSpace(text[i]) && !stops.includes(text[i]!)) {
      if (text[i] === '"') fail('a quote inside a word (quote the whole key or value)');
      i++;
    }
    return { text: text.slice(start, i), quoted: false };
  };

  for (;;) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    let negated = false;
    if (text[i] === '-') {
      negated = true;
      i++;
    }
    const key = word(':,');
    if (key.text === '' && !key.quoted) fail('expected a label name');
    if (text[i] !== ':') fail(`expected key:value, found "${key.text}" without ':'`);
    i++;
    const values: string[] = [];
    let any = false;
    for (;;) {
      const v = word(',');
      if (!v.quoted && v.text === '*') any = true;
      else if (!v.quoted && v.text === '') fail(`expected a value after "${key.text}:"`);
      else values.push(v.text);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (i < n && !isSpace(text[i])) fail(`unexpected "${text[i]}"`);
      break;
    }
    if (any && values.length > 0) fail(`"${key.text}:*" cannot be combined with values`);
    terms.push({ key: key.text, values, any, negated });
  }
  return { terms };
}

/**
 * The label names a term's key stands for: the key itself when some stored label has that
 * exact name, else its alias targets (in order of preference), else the key.
 */
export function labelKeysFor(key: string, known: ReadonlySet<string> | undefined): readonly string[] {
  if (known?.has(key)) return [key];
  // Own properties only: `constructor` or `__proto__` is a label name like any other.
  return Object.hasOwn(LABEL_ALIASES, key) ? LABEL_ALIASES[key]! : [key];
}

/**
 * The value of the first of `keys` the labels have. Own properties only: label sets are
 * plain objects, and `labels.toString` is Object.prototype's, not a label.
 */
export function labelValue(labels: Readonly<Record<string, string>>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    if (!Object.hasOwn(labels, k)) continue;
    const v = labels[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** A query compiled against the set of known label names: a predicate on a label set. */
export function compileTagQuery(q: TagQuery, known?: ReadonlySet<string>): (labels: Readonly<Record<string, string>>) => boolean {
  const terms = q.terms.map((t) => ({ ...t, keys: labelKeysFor(t.key, known), set: new Set(t.values) }));
  if (terms.length === 0) return () => true;
  return (labels) => {
    for (const t of terms) {
      const v = labelValue(labels, t.keys);
      const hit = v !== undefined && (t.any || t.set.has(v));
      if (hit === t.negated) return false;
    }
    return true;
  };
}

/** The query written back in canonical form (quotes only where needed). */
export function formatTagQuery(q: TagQuery): string {
  const quote = (s: string) => (s === '' || /[\s,:"\\*]/.test(s) || s.startsWith('-') ? `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"` : s);
  return q.terms.map((t) => `${t.negated ? '-' : ''}${quote(t.key)}:${t.any ? '*' : t.values.map(quote).join(',')}`).join(' ');
}
