// Sample-level labels in the tag query. Series labels (resource attributes) select whole
// profiles; `span_name`, `trace endpoint`, `span_id`, `trace_id` (the span a sample ran
// under) and `thread.name` (the thread it ran on) belong to single samples, so a term on them
// selects those samples within the profiles the other terms select. Also: hints for keys
// nothing carries. Pure.
import { QueryError } from './errors.js';
import { LABEL_ALIASES, labelKeysFor, type TagQuery, type TagTerm } from './tag-query.js';
import type { SpanTarget } from '../reader.js';
import { THREAD_NAME_LABELS } from '../ingest/extract.js';

/** Sample-level label keys the tag query understands, and the keys they may be written as. */
export const SAMPLE_LABEL_KEYS: Readonly<Record<string, readonly string[]>> = {
  span_name: ['span_name', 'span.name'],
  'trace endpoint': ['trace endpoint', 'trace_endpoint', 'endpoint'],
  span_id: ['span_id', 'span id'],
  trace_id: ['trace_id'],
  // The OTel semantic conventions' key (the converter keeps it as the pprof label key), and
  // the spellings other profilers use (`thread name`: @datadog/pprof).
  'thread.name': THREAD_NAME_LABELS,
};

/** The sample-level label a key names, if any (a stored series label of that name wins). */
export function sampleLabelOf(key: string, known: ReadonlySet<string>): string | undefined {
  if (known.has(key)) return undefined;
  for (const [name, keys] of Object.entries(SAMPLE_LABEL_KEYS)) if (keys.includes(key)) return name;
  return undefined;
}

/** The query split into its series terms and the sample target of its sample-level terms. */
export function splitSampleTerms(
  q: TagQuery | undefined,
  known: ReadonlySet<string>,
): { series: TagQuery | undefined; target: SpanTarget | undefined } {
  if (!q) return { series: q, target: undefined };
  const series: TagTerm[] = [];
  const target: { -readonly [K in keyof SpanTarget]: SpanTarget[K] } = {};
  let any = false;
  for (const t of q.terms) {
    const name = sampleLabelOf(t.key, known);
    if (name === undefined) {
      series.push(t);
      continue;
    }
    if (t.negated)
      throw new QueryError(
        'syntax',
        `query: "-${t.key}:…" — sample-level labels (span_name, trace endpoint, span_id, trace_id, thread.name) cannot be negated`,
      );
    any = true;
    const and = (prev: readonly string[] | undefined, next: readonly string[]) => (prev ? prev.filter((v) => next.includes(v)) : [...next]);
    switch (name) {
      case 'span_name':
        if (t.any) target.hasSpanName = true;
        else target.spanNames = and(target.spanNames, t.values);
        break;
      case 'trace endpoint':
        if (t.any) target.hasEndpoint = true;
        else target.endpoints = and(target.endpoints, t.values);
        break;
      case 'span_id':
        if (t.any) target.hasSpan = true;
        else
          target.spanIds = and(
            target.spanIds,
            t.values.map((v) => v.toLowerCase()),
          );
        break;
      case 'trace_id':
        if (t.any) target.hasSpan = true;
        else
          target.traceIds = and(
            target.traceIds,
            t.values.map((v) => v.toLowerCase()),
          );
        break;
      case 'thread.name':
        if (t.any) target.hasThread = true;
        else target.threadNames = and(target.threadNames, t.values);
        break;
    }
  }
  return { series: { terms: series }, target: any ? target : undefined };
}

/**
 * One hint per term whose key no stored label, alias or sample-level label stands for,
 * naming the nearest known keys (a typo, a missing alias); empty when every key is known.
 */
export function unknownKeyHints(q: TagQuery | undefined, known: ReadonlySet<string>): string[] {
  if (!q) return [];
  const candidates = [...new Set([...known, ...Object.keys(LABEL_ALIASES), ...Object.keys(SAMPLE_LABEL_KEYS)])];
  const hints: string[] = [];
  for (const t of q.terms) {
    if (sampleLabelOf(t.key, known) !== undefined) continue;
    if (labelKeysFor(t.key, known).some((k) => known.has(k))) continue;
    const near = nearest(t.key, candidates, 5);
    hints.push(
      near.length > 0
        ? `no profile has a label "${t.key}"; did you mean ${near.map((n) => JSON.stringify(n)).join(', ')}?`
        : `no profile has a label "${t.key}"; known labels: ${candidates
            .slice(0, 10)
            .map((n) => JSON.stringify(n))
            .join(', ')}`,
    );
  }
  return hints;
}

/** Up to `n` candidates closest to `key`: containing it (or contained), else by edit distance ≤ 3. */
export function nearest(key: string, candidates: readonly string[], n: number): string[] {
  const k = key.toLowerCase();
  const scored: [string, number][] = [];
  for (const c of candidates) {
    const l = c.toLowerCase();
    const d = l.includes(k) || k.includes(l) ? 0 : editDistance(k, l);
    if (d <= 3) scored.push([c, d]);
  }
  scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return scored.slice(0, n).map(([c]) => c);
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
