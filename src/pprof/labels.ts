// Sample labels for pprof: the span identity of a sample in both conventions backends read
// (Pyroscope's hex `span_id`/`span_name`, Datadog's decimal `span id`, `local root span id`
// and `trace endpoint`), plus every other sample attribute under its own key.
//
// Pure: data in, label specs out. String interning into a pprof string table happens in
// tables.ts, which memoizes these per link and per attribute list (label-runs.ts), or per
// (link, attribute list) for a list with a context attribute.
import type { AnyValue, Link } from '../otlp/model.js';
import { anyValueToString } from '../otlp/build.js';
import { hexOf, isZeroId, spanIdToDecimal } from '../otlp/ids.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_ID_ATTR_KEYS, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR, TRACE_ID_ATTR_KEYS } from '../join/attributes.js';

/** pprof label keys the converter writes. */
export const PPROF_LABELS = {
  /** 32 lowercase hex chars (Pyroscope accepts it). */
  TRACE_ID: 'trace_id',
  /** 16 lowercase hex chars (Pyroscope span profiles). */
  SPAN_ID: 'span_id',
  /** Span name (Pyroscope promotes it to a series label). */
  SPAN_NAME: 'span_name',
  /** The span id as an unsigned 64-bit big-endian decimal, as a string (Datadog). */
  SPAN_ID_DECIMAL: 'span id',
  /** The local root span id as a decimal string (Datadog). */
  LOCAL_ROOT_SPAN_ID: 'local root span id',
  /** The local root span's resource, e.g. `GET /users/:id` (Datadog). */
  TRACE_ENDPOINT: 'trace endpoint',
  /** Event time in ns since the epoch; only in the `timestamps: 'label'` conversion mode. */
  END_TIMESTAMP_NS: 'end_timestamp_ns',
} as const;

/**
 * A thread's name and id: the OTel semantic conventions' attribute keys. The converter keeps
 * every other attribute's key as its label key, so these are the thread labels of converted
 * OTel profiles (the SDK plugin's, the eBPF profiler's); the store's pprof downloads write them
 * too. Not context keys: they label a sample on their own.
 */
export const THREAD_LABELS = {
  NAME: 'thread.name',
  ID: 'thread.id',
} as const;

/**
 * Attribute keys whose label depends on the rest of the sample (span identity, the join's
 * attributes and the label names those become). A sample without any of them gets exactly
 * its link's labels followed by one label per attribute, which lets the converter cache
 * both separately.
 */
export const CONTEXT_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set<string>([
  ...SPAN_ID_ATTR_KEYS,
  ...TRACE_ID_ATTR_KEYS,
  SPAN_NAME_ATTR,
  TRACE_ENDPOINT_ATTR,
  LOCAL_ROOT_SPAN_ID_ATTR,
  ...Object.values(PPROF_LABELS),
]);

/** One pprof label before interning: a string label, or a numeric one with an optional unit. */
export type LabelSpec = { key: string; str: string } | { key: string; num: number | bigint; numUnit: string };

/** A sample attribute with its key and unit already resolved through the string table. */
export interface ResolvedAttribute {
  key: string;
  value: AnyValue | undefined;
  unit: string;
}

export interface SampleLabels {
  labels: LabelSpec[];
  /** `trace endpoint`, when the sample has one (for endpoint_counts). */
  endpoint?: string;
  /** Decimal local root span id, when known. */
  localRootSpanId?: string;
  /** Hex trace id, when known. */
  traceId?: string;
}

const HEX16 = /^[0-9a-fA-F]{16}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;
const DECIMAL = /^\d{1,20}$/;
const U64_MAX = (1n << 64n) - 1n;

/** 16 hex chars -> unsigned 64-bit decimal (Datadog's span id form). */
export function hexToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString(10);
}

/** Unsigned 64-bit decimal -> 16 lowercase hex chars; undefined when out of range. */
export function decimalToHex16(decimal: string): string | undefined {
  const v = BigInt(decimal);
  return v > U64_MAX ? undefined : v.toString(16).padStart(16, '0');
}

export interface LinkIds {
  /** 32 lowercase hex chars. */
  traceId?: string;
  /** 16 lowercase hex chars. */
  spanId?: string;
  /** The span id as an unsigned 64-bit decimal. */
  spanIdDecimal?: string;
}

/** Per Link object: a request's links are looked up once per pprof, often many times. */
const linkCache = new WeakMap<Link, LinkIds | null>();

/** What is wrong with a Link's ids (a non-zero one of the wrong length, the trace id first), or undefined. */
export function linkIdsError(link: Link): string | undefined {
  const t = link.traceId;
  const s = link.spanId;
  if (!isZeroId(t) && t.length !== 16) return `trace_id has ${t.length} bytes, expected 16`;
  if (!isZeroId(s) && s.length !== 8) return `span_id has ${s.length} bytes, expected 8`;
  return undefined;
}

/**
 * Span identity of a Link, or undefined when it is unlinked (empty or all-zero ids, as the
 * wire facts say). Throws a message for ids of the wrong length, which is bad data.
 */
export function linkIds(link: Link): LinkIds | undefined {
  const hit = linkCache.get(link);
  if (hit !== undefined) return hit ?? undefined;
  const t = link.traceId;
  const s = link.spanId;
  const hasTrace = !isZeroId(t);
  const hasSpan = !isZeroId(s);
  let out: LinkIds | undefined;
  if (hasTrace || hasSpan) {
    const bad = linkIdsError(link);
    if (bad !== undefined) throw new Error(bad);
    out = {};
    if (hasTrace) out.traceId = hexOf(t);
    if (hasSpan) {
      out.spanId = hexOf(s);
      out.spanIdDecimal = spanIdToDecimal(s);
    }
  }
  linkCache.set(link, out ?? null);
  return out;
}

/** A string or integer attribute value as text (used for ids). */
function idText(v: AnyValue | undefined, stringTable: readonly string[]): string | undefined {
  if (!v) return undefined;
  if (v.intValue !== undefined) return v.intValue >= 0n ? v.intValue.toString(10) : undefined;
  if (v.stringValue !== undefined) return v.stringValue.trim();
  if (v.stringValueStrindex !== undefined) return stringTable[v.stringValueStrindex]?.trim();
  return undefined;
}

/** A span id attribute (hex under `span_id`/`span.id`, decimal under `span id`) as 16 hex chars. */
function spanIdFromAttribute(a: ResolvedAttribute, stringTable: readonly string[]): string | undefined {
  const text = idText(a.value, stringTable);
  if (!text) return undefined;
  const decimalKey = a.key === 'span id' || a.value?.intValue !== undefined;
  if (!decimalKey && HEX16.test(text)) return text.toLowerCase();
  if (decimalKey && DECIMAL.test(text)) return decimalToHex16(text);
  return undefined;
}

function traceIdFromAttribute(a: ResolvedAttribute, stringTable: readonly string[]): string | undefined {
  const text = idText(a.value, stringTable);
  return text && HEX32.test(text) ? text.toLowerCase() : undefined;
}

/** The local root span id as Datadog's decimal: from 16 hex chars, or an integer / decimal as is. */
function localRootDecimal(v: AnyValue | undefined, stringTable: readonly string[]): string | undefined {
  const text = idText(v, stringTable);
  if (!text) return undefined;
  if (v?.intValue !== undefined) return text;
  if (HEX16.test(text)) return hexToDecimal(text);
  return undefined;
}

/** 53-bit-safe numbers stay numbers: the pprof encoder is much faster on them than on bigints. */
function numOf(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * A plain attribute as a pprof label: integers as `num` (with the attribute's unit as
 * `num_unit`), everything else as `str` (bools and doubles in their JS text form, arrays
 * and maps as JSON). Undefined for values pprof cannot carry: an empty value or an empty
 * string (a label with neither `str` nor `num` is dropped by pprof readers).
 */
export function attributeLabel(key: string, a: ResolvedAttribute, stringTable: readonly string[]): LabelSpec | undefined {
  const v = a.value;
  if (!v) return undefined;
  if (v.intValue !== undefined) return { key, num: numOf(v.intValue), numUnit: a.unit };
  const str = anyValueToString(v, stringTable);
  return str === '' ? undefined : { key, str };
}

/**
 * The labels of one sample. Span identity comes from the Link; when the sample has none it
 * falls back to span/trace id attributes (some profilers send those instead). Either way
 * both conventions are written: `trace_id` + `span_id` (hex) and `span id` (decimal).
 * The join's attributes are renamed to the keys backends read (`span.name` -> `span_name`,
 * `trace.endpoint` -> `trace endpoint`, `local_root_span.id` -> `local root span id` in
 * decimal). Every other attribute keeps its key. When two sources produce the same key the
 * first wins, in this order: link, join attributes, other attributes.
 */
export function sampleLabels(link: Link | undefined, attributes: readonly ResolvedAttribute[], stringTable: readonly string[]): SampleLabels {
  const out: SampleLabels = { labels: [] };
  const keys = new Set<string>();
  const add = (l: LabelSpec | undefined): void => {
    if (!l || keys.has(l.key)) return;
    keys.add(l.key);
    out.labels.push(l);
  };

  const ids = link ? linkIds(link) : undefined;
  let traceId = ids?.traceId;
  let spanId = ids?.spanId;
  let spanIdDecimal = ids?.spanIdDecimal;
  // Attributes already turned into span identity labels are not repeated under their own key.
  const consumed = new Set<ResolvedAttribute>();
  if (spanId === undefined) {
    for (const a of attributes) {
      if (!(SPAN_ID_ATTR_KEYS as readonly string[]).includes(a.key)) continue;
      const hex = spanIdFromAttribute(a, stringTable);
      if (hex !== undefined && !/^0+$/.test(hex)) {
        spanId ??= hex;
        consumed.add(a);
      }
    }
  }
  if (traceId === undefined) {
    for (const a of attributes) {
      if (!(TRACE_ID_ATTR_KEYS as readonly string[]).includes(a.key)) continue;
      const hex = traceIdFromAttribute(a, stringTable);
      if (hex !== undefined && !/^0+$/.test(hex)) {
        traceId ??= hex;
        consumed.add(a);
      }
    }
  }
  if (traceId !== undefined) {
    out.traceId = traceId;
    add({ key: PPROF_LABELS.TRACE_ID, str: traceId });
  }
  if (spanId !== undefined) {
    spanIdDecimal ??= hexToDecimal(spanId);
    add({ key: PPROF_LABELS.SPAN_ID, str: spanId });
    add({ key: PPROF_LABELS.SPAN_ID_DECIMAL, str: spanIdDecimal });
  }

  for (const a of attributes) {
    if (consumed.has(a)) continue;
    switch (a.key) {
      case SPAN_NAME_ATTR:
        add(attributeLabel(PPROF_LABELS.SPAN_NAME, a, stringTable));
        break;
      case TRACE_ENDPOINT_ATTR: {
        const l = attributeLabel(PPROF_LABELS.TRACE_ENDPOINT, a, stringTable);
        if (l && 'str' in l && !keys.has(l.key)) out.endpoint = l.str;
        add(l);
        break;
      }
      case LOCAL_ROOT_SPAN_ID_ATTR: {
        const dec = localRootDecimal(a.value, stringTable);
        if (dec !== undefined && !keys.has(PPROF_LABELS.LOCAL_ROOT_SPAN_ID)) {
          out.localRootSpanId = dec;
          add({ key: PPROF_LABELS.LOCAL_ROOT_SPAN_ID, str: dec });
        } else if (dec === undefined) {
          // Not an id we can translate: keep it under its own key rather than lose it.
          add(attributeLabel(a.key, a, stringTable));
        }
        break;
      }
      default:
        break;
    }
  }
  for (const a of attributes) {
    if (consumed.has(a) || a.key === SPAN_NAME_ATTR || a.key === TRACE_ENDPOINT_ATTR || a.key === LOCAL_ROOT_SPAN_ID_ATTR) continue;
    // A sender may write the Datadog keys itself; pick up the endpoint and root id from them too.
    const l = attributeLabel(a.key, a, stringTable);
    if (l && 'str' in l && !keys.has(l.key)) {
      if (l.key === PPROF_LABELS.TRACE_ENDPOINT) out.endpoint = l.str;
      if (l.key === PPROF_LABELS.LOCAL_ROOT_SPAN_ID) out.localRootSpanId = l.str;
    }
    add(l);
  }
  return out;
}
