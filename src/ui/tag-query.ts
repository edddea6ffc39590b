// Editing helpers for the tag query text (`service:checkout -host:web-2 version:1.3,1.4`):
// which term the caret is in, and how to complete it. Pure; the autocomplete uses them.

/** Short names the API accepts for common labels (docs/api.md). */
export const ALIASES: Record<string, string> = {
  service: 'service.name',
  version: 'service.version',
  host: 'host.name',
  env: 'deployment.environment.name',
  namespace: 'service.namespace',
  pod: 'k8s.pod.name',
  container: 'container.name',
};

export type TermAtCaret =
  | { mode: 'key'; start: number; end: number; keyStart: number; prefix: string }
  | { mode: 'value'; start: number; end: number; key: string; valueStart: number; prefix: string };

function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  const body = s.endsWith('"') && s.length > 1 ? s.slice(1, -1) : s.slice(1);
  return body.replace(/\\(["\\])/g, '$1');
}

/** Quotes a key or value when the query syntax needs it. */
export function quoteIfNeeded(s: string): string {
  return /[\s,:"\\]/.test(s) || s === '' ? `"${s.replace(/(["\\])/g, '\\$1')}"` : s;
}

/** Positions of the unquoted occurrences of `ch` in `text`. */
function unquoted(text: string, pred: (ch: string) => boolean): number[] {
  const out: number[] = [];
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuote && ch === '\\') {
      i++;
      continue;
    }
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && pred(ch)) out.push(i);
  }
  return out;
}

export function termAtCaret(text: string, caret: number): TermAtCaret {
  const spaces = unquoted(text, (c) => /\s/.test(c));
  const start = spaces.filter((i) => i < caret).reduce((_, i) => i + 1, 0);
  const end = spaces.find((i) => i >= caret) ?? text.length;
  const term = text.slice(start, caret);
  const keyStart = start + (term.startsWith('-') ? 1 : 0);
  const colon = unquoted(text.slice(keyStart, caret), (c) => c === ':')[0];
  if (colon === undefined) {
    return { mode: 'key', start, end, keyStart, prefix: unquote(text.slice(keyStart, caret)) };
  }
  const key = unquote(text.slice(keyStart, keyStart + colon));
  const valuesText = text.slice(keyStart + colon + 1, caret);
  const lastComma = unquoted(valuesText, (c) => c === ',').pop();
  const valueStart = keyStart + colon + 1 + (lastComma === undefined ? 0 : lastComma + 1);
  return { mode: 'value', start, end, key, valueStart, prefix: unquote(text.slice(valueStart, caret)) };
}

/** The text and caret after choosing `choice` for the term at the caret. */
export function complete(text: string, t: TermAtCaret, choice: string): { text: string; caret: number } {
  if (t.mode === 'key') {
    const ins = `${quoteIfNeeded(choice)}:`;
    const next = text.slice(0, t.keyStart) + ins + text.slice(t.end);
    return { text: next, caret: t.keyStart + ins.length };
  }
  const ins = quoteIfNeeded(choice);
  const rest = text.slice(t.end);
  const sep = rest.length === 0 ? ' ' : '';
  const next = text.slice(0, t.valueStart) + ins + sep + rest;
  return { text: next, caret: t.valueStart + ins.length + sep.length };
}

/** Adds (or replaces) the term `key:value` in a query. */
export function withTerm(query: string, key: string, value: string): string {
  const terms = splitTerms(query).filter((t) => {
    const tk = termAtCaret(t, t.length);
    return !(tk.mode === 'value' && !t.startsWith('-') && (tk.key === key || ALIASES[tk.key] === key || ALIASES[key] === tk.key));
  });
  terms.push(`${quoteIfNeeded(key)}:${quoteIfNeeded(value)}`);
  return terms.join(' ');
}

export function splitTerms(query: string): string[] {
  const spaces = unquoted(query, (c) => /\s/.test(c));
  const out: string[] = [];
  let start = 0;
  for (const i of [...spaces, query.length]) {
    const t = query.slice(start, i);
    if (t) out.push(t);
    start = i + 1;
  }
  return out;
}
