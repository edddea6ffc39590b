// The join as it was first written (per-sample span references as hex strings, a Map of
// SpanContext objects per request), kept unchanged as the reference the batched linker in
// src/join/linker.ts is checked against (linker-equivalence.test.ts) and measured against
// (bench/join.bench.ts).
import { DictionaryBuilder } from '../../src/otlp/build.js';
import { bytesOfHex, decimalToSpanId, hexOf, isZeroId } from '../../src/otlp/ids.js';
import type { AnyValue, ExportProfilesServiceRequest, ProfilesDictionary, Sample } from '../../src/otlp/model.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_ID_ATTR_KEYS, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR, TRACE_ID_ATTR_KEYS } from '../../src/join/attributes.js';
import type { SpanContext } from '../../src/join/span-index.js';
import type { LinkResult, SpanLookup } from '../../src/join/linker.js';

/** The attribute keys the join writes; an existing value under one of them is replaced. */
const JOIN_KEYS: ReadonlySet<string> = new Set([SPAN_NAME_ATTR, LOCAL_ROOT_SPAN_ID_ATTR, TRACE_ENDPOINT_ATTR]);
const SPAN_KEYS: ReadonlySet<string> = new Set(SPAN_ID_ATTR_KEYS);
const TRACE_KEYS: ReadonlySet<string> = new Set(TRACE_ID_ATTR_KEYS);
/** The Datadog-style key holds the unsigned decimal form of the id. */
const DECIMAL_SPAN_KEY = 'span id';

/** How a sample names its span. */
interface SpanRef {
  spanId: string;
  /** '' when the sample does not say. */
  traceId: string;
  /** True when the sample's own Link carries both ids (nothing to add). */
  viaLink: boolean;
}

/**
 * Reads span references out of one request, caching per link and attribute index (many
 * samples share them).
 */
class RefReader {
  private readonly links = new Map<number, { spanId: string; traceId: string; ref: SpanRef | undefined } | null>();
  private readonly attrs = new Map<number, { kind: 'span' | 'trace' | 'join' | 'other'; hex: string }>();

  constructor(private readonly dict: ProfilesDictionary) {}

  ref(sample: Sample): SpanRef | undefined {
    let traceFromLink = '';
    if (sample.linkIndex > 0) {
      const l = this.link(sample.linkIndex);
      if (l?.ref) return l.ref;
      if (l) traceFromLink = l.traceId;
    }
    let spanId = '';
    let traceId = traceFromLink;
    for (const i of sample.attributeIndices) {
      const a = this.attr(i);
      if (a.kind === 'span' && !spanId) spanId = a.hex;
      else if (a.kind === 'trace' && !traceId) traceId = a.hex;
    }
    return spanId ? { spanId, traceId, viaLink: false } : undefined;
  }

  isJoinKey(attributeIndex: number): boolean {
    return this.attr(attributeIndex).kind === 'join';
  }

  private link(index: number): { spanId: string; traceId: string; ref: SpanRef | undefined } | null {
    let l = this.links.get(index);
    if (l === undefined) {
      const link = this.dict.linkTable[index];
      l = null;
      if (link) {
        const spanId = link.spanId.length === 8 && !isZeroId(link.spanId) ? hexOf(link.spanId) : '';
        const traceId = link.traceId.length === 16 && !isZeroId(link.traceId) ? hexOf(link.traceId) : '';
        l = { spanId, traceId, ref: spanId ? { spanId, traceId, viaLink: traceId !== '' } : undefined };
      }
      this.links.set(index, l);
    }
    return l;
  }

  private attr(index: number): { kind: 'span' | 'trace' | 'join' | 'other'; hex: string } {
    let a = this.attrs.get(index);
    if (a === undefined) {
      a = { kind: 'other', hex: '' };
      const kv = this.dict.attributeTable[index];
      const key = kv ? this.dict.stringTable[kv.keyStrindex] : undefined;
      if (kv && key !== undefined) {
        if (JOIN_KEYS.has(key)) a = { kind: 'join', hex: '' };
        else if (SPAN_KEYS.has(key)) {
          const hex = idHex(kv.value, 8, key === DECIMAL_SPAN_KEY, this.dict.stringTable);
          if (hex) a = { kind: 'span', hex };
        } else if (TRACE_KEYS.has(key)) {
          const hex = idHex(kv.value, 16, false, this.dict.stringTable);
          if (hex) a = { kind: 'trace', hex };
        }
      }
      this.attrs.set(index, a);
    }
    return a;
  }
}

/**
 * An id held in an attribute value as lowercase hex, or '' when it is not a valid non-zero
 * id. Strings are hex (decimal for the Datadog key), integers are the unsigned value, bytes
 * are the id itself.
 */
function idHex(v: AnyValue | undefined, size: 8 | 16, decimal: boolean, strings: readonly string[]): string {
  if (!v) return '';
  let bytes: Uint8Array | undefined;
  const text = v.stringValue ?? (v.stringValueStrindex !== undefined ? strings[v.stringValueStrindex] : undefined);
  try {
    if (text !== undefined) {
      const t = text.trim();
      if (decimal && size === 8) bytes = decimalToSpanId(t);
      else if (t.length === size * 2) bytes = bytesOfHex(t);
    } else if (v.intValue !== undefined && size === 8) {
      bytes = decimalToSpanId(BigInt.asUintN(64, v.intValue).toString());
    } else if (v.bytesValue !== undefined && v.bytesValue.length === size) {
      bytes = v.bytesValue;
    }
  } catch {
    return '';
  }
  return bytes && !isZeroId(bytes) ? hexOf(bytes) : '';
}

/** Every span id (hex) the request's samples reference, for a batched index lookup. */
export function referenceSpanIds(request: ExportProfilesServiceRequest): Set<string> {
  const out = new Set<string>();
  const dict = request.dictionary;
  if (!dict) return out;
  const reader = new RefReader(dict);
  for (const rp of request.resourceProfiles)
    for (const sp of rp.scopeProfiles)
      for (const p of sp.profiles)
        for (const s of p.samples) {
          const ref = reader.ref(s);
          if (ref) out.add(ref.spanId);
        }
  return out;
}

/**
 * Joins every sample that references a span to what `lookup` knows of it. A linked sample
 * gets the attributes `span.name`, `local_root_span.id` and `trace.endpoint` (replacing any
 * it had under those keys) and a Link carrying its trace and span ids. A sample that named
 * its span only through attributes gets a Link once both ids are known. Samples without a
 * span reference are untouched. The input is never modified: changed tables and samples
 * are copies; unchanged ones are shared.
 */
export function referenceLinkProfiles(request: ExportProfilesServiceRequest, lookup: SpanLookup): LinkResult {
  const pending = new Set<string>();
  const dict = request.dictionary;
  if (!dict) return { request, linked: 0, unlinked: 0, pending };
  const reader = new RefReader(dict);
  let builder: DictionaryBuilder | undefined;
  let linkBuilder: DictionaryBuilder | undefined;
  const contexts = new Map<string, SpanContext | null>();
  /** Per span id: the three join attribute indices. */
  const joinAttrs = new Map<string, number[]>();
  const linkFor = new Map<string, number>();
  let linked = 0;
  let unlinked = 0;

  const build = (): DictionaryBuilder => (builder ??= writableBuilder(dict, ['stringTable', 'attributeTable']));
  // Attribute index per value, so the builder (which keys entries by their serialised value)
  // is asked once per distinct name, root and endpoint rather than once per span.
  const names = new Map<string, number>();
  const roots = new Map<string, number>();
  const endpoints = new Map<string, number>();
  const attribute = (cache: Map<string, number>, key: string, value: string): number => {
    let i = cache.get(value);
    if (i === undefined) {
      i = build().attribute(key, value);
      cache.set(value, i);
    }
    return i;
  };
  const linkIndexFor = (traceId: string, spanId: string): number => {
    const key = traceId + spanId;
    let i = linkFor.get(key);
    if (i === undefined) {
      // A separate builder, made only when a link is added: indexing a link table (one entry
      // per span, often) costs as much as the join itself when links are already there.
      linkBuilder ??= writableBuilder(dict, ['linkTable']);
      i = linkBuilder.link(bytesOfHex(traceId), bytesOfHex(spanId));
      linkFor.set(key, i);
    }
    return i;
  };

  const joinSample = (s: Sample): Sample => {
    const ref = reader.ref(s);
    if (!ref) return s;
    let ctx = contexts.get(ref.spanId);
    if (ctx === undefined) {
      ctx = lookup(ref.spanId) ?? null;
      contexts.set(ref.spanId, ctx);
    }
    // Same span id in another trace: not this sample's span.
    if (ctx && ref.traceId && ctx.traceId !== ref.traceId) ctx = null;
    if (!ctx) {
      pending.add(ref.spanId);
      unlinked++;
      if (ref.viaLink || !ref.traceId) return s;
      return { ...s, linkIndex: linkIndexFor(ref.traceId, ref.spanId) };
    }
    linked++;
    if (ctx.missingAncestorId) pending.add(ctx.missingAncestorId);
    let extra = joinAttrs.get(ctx.spanId);
    if (!extra) {
      extra = [
        attribute(names, SPAN_NAME_ATTR, ctx.name),
        attribute(roots, LOCAL_ROOT_SPAN_ID_ATTR, ctx.localRootSpanId),
        attribute(endpoints, TRACE_ENDPOINT_ATTR, ctx.traceEndpoint),
      ];
      joinAttrs.set(ctx.spanId, extra);
    }
    const kept = s.attributeIndices.filter((i) => !reader.isJoinKey(i));
    return {
      ...s,
      attributeIndices: kept.concat(extra),
      linkIndex: ref.viaLink ? s.linkIndex : linkIndexFor(ctx.traceId, ctx.spanId),
    };
  };

  let changed = false;
  const resourceProfiles = request.resourceProfiles.map((rp) => {
    let rpChanged = false;
    const scopeProfiles = rp.scopeProfiles.map((sp) => {
      let spChanged = false;
      const profiles = sp.profiles.map((p) => {
        let pChanged = false;
        const samples = p.samples.map((s) => {
          const out = joinSample(s);
          if (out !== s) pChanged = true;
          return out;
        });
        if (!pChanged) return p;
        spChanged = true;
        return { ...p, samples };
      });
      if (!spChanged) return sp;
      rpChanged = true;
      return { ...sp, profiles };
    });
    if (!rpChanged) return rp;
    changed = true;
    return { ...rp, scopeProfiles };
  });

  if (!changed) return { request, linked, unlinked, pending };
  const dictionary = { ...dict };
  if (builder) {
    dictionary.stringTable = builder.dictionary.stringTable;
    dictionary.attributeTable = builder.dictionary.attributeTable;
  }
  if (linkBuilder) dictionary.linkTable = linkBuilder.dictionary.linkTable;
  return {
    request: { ...request, resourceProfiles, dictionary },
    linked,
    unlinked,
    pending,
  };
}

type WritableTable = 'stringTable' | 'attributeTable' | 'linkTable';

/**
 * A DictionaryBuilder over copies of the tables the join appends to. Every other table is a
 * one-entry placeholder — the builder would index whole tables the join never writes — and
 * the result takes only the copied tables from it.
 */
function writableBuilder(dict: ProfilesDictionary, tables: WritableTable[]): DictionaryBuilder {
  const copy = (t: WritableTable) => tables.includes(t);
  return new DictionaryBuilder({
    mappingTable: [{ memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] }],
    locationTable: [{ mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] }],
    functionTable: [{ nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 }],
    stackTable: [{ locationIndices: [] }],
    stringTable: copy('stringTable') ? dict.stringTable.slice() : [''],
    linkTable: copy('linkTable') ? dict.linkTable.slice() : [{ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }],
    attributeTable: copy('attributeTable') ? dict.attributeTable.slice() : [{ keyStrindex: 0, unitStrindex: 0 }],
  });
}
