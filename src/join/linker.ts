// The join itself, as a pure function: profile samples in, samples enriched with what is
// known about their spans out. A sample names its span through its Link (the OTLP way) or,
// for profilers that carry span identity as sample attributes, through SPAN_ID_ATTR_KEYS /
// TRACE_ID_ATTR_KEYS. Everything is compared by value (span id bytes), never by table
// index, because OTLP tables may hold duplicate entries.
import { DictionaryBuilder } from '../otlp/build.js';
import { bytesOfHex, decimalToSpanId, hexOf, isZeroId } from '../otlp/ids.js';
import { bytesOfTraceWords, bytesOfWords, hexOfWords, resolvedFromContexts, SpanIdBatch, u32be, type ResolvedSpans } from './span-batch.js';
import type { AnyValue, ExportProfilesServiceRequest, KeyValueAndUnit, ProfilesDictionary, Sample } from '../otlp/model.js';
import { LOCAL_ROOT_SPAN_ID_ATTR, SPAN_ID_ATTR_KEYS, SPAN_NAME_ATTR, TRACE_ENDPOINT_ATTR, TRACE_ID_ATTR_KEYS } from './attributes.js';
import type { SpanContext } from './span-index.js';

/** Finds a span by its id (16 lowercase hex chars). */
export type SpanLookup = (spanIdHex: string) => SpanContext | undefined;

export interface LinkResult {
  /** An enriched copy; the input itself when no sample references a span. */
  request: ExportProfilesServiceRequest;
  /** Samples that got a span context (span name, local root, endpoint). */
  linked: number;
  /** Samples that reference a span the lookup does not know; they keep their ids. */
  unlinked: number;
  /**
   * Span ids (hex) whose arrival would complete the join: the unknown spans, and the missing
   * ancestors of known spans whose local root is not yet certain.
   */
  pending: Set<string>;
}

/** The attribute keys the join writes; an existing value under one of them is replaced. */
const JOIN_KEYS: ReadonlySet<string> = new Set([SPAN_NAME_ATTR, LOCAL_ROOT_SPAN_ID_ATTR, TRACE_ENDPOINT_ATTR]);
const SPAN_KEYS: ReadonlySet<string> = new Set(SPAN_ID_ATTR_KEYS);
const TRACE_KEYS: ReadonlySet<string> = new Set(TRACE_ID_ATTR_KEYS);
/** The Datadog-style key holds the unsigned decimal form of the id. */
const DECIMAL_SPAN_KEY = 'span id';

/** Attribute kinds, per attribute-table index (0 = not read yet). */
const A_OTHER = 1;
const A_SPAN = 2;
const A_TRACE = 3;
const A_JOIN = 4;
/** Where a sample's trace id came from. */
const T_NONE = 0;
const T_LINK = 1;
const T_ATTR = 2;

/**
 * Reads span references out of one request. Everything is cached per link and attribute
 * index in typed arrays (many samples share them), and span ids are numbered through a
 * SpanIdBatch, so reading a sample's reference allocates nothing.
 */
class RefReader {
  readonly ids: SpanIdBatch;
  /** Per link index: -2 not read, -1 no span id, else the span's number. */
  private readonly linkRef: Int32Array;
  /** Per link index: 1 when it carries a valid trace id (in linkTrace). */
  private readonly linkHasTrace: Uint8Array;
  private readonly linkTrace: Uint32Array;
  private readonly attrKind: Uint8Array;
  /** Per attribute index of kind A_SPAN: the id's words; of kind A_TRACE: the trace words. */
  private readonly attrWords: Uint32Array;
  // The last reference read (out-parameters of `read`).
  /** The span's number, -1 for none. */
  ref = -1;
  traceFrom = T_NONE;
  /** The link or attribute index the trace id is held at. */
  traceAt = 0;
  /** True when the sample's own Link carries both ids (nothing to add). */
  viaLink = false;

  constructor(
    private readonly dict: ProfilesDictionary,
    expected: number,
  ) {
    this.ids = new SpanIdBatch(expected);
    this.linkRef = new Int32Array(dict.linkTable.length).fill(-2);
    this.linkHasTrace = new Uint8Array(dict.linkTable.length);
    this.linkTrace = new Uint32Array(dict.linkTable.length * 4);
    this.attrKind = new Uint8Array(dict.attributeTable.length);
    this.attrWords = new Uint32Array(dict.attributeTable.length * 4);
  }

  /** Reads the sample's span reference into ref / traceFrom / traceAt / viaLink. */
  read(sample: Sample): void {
    this.ref = -1;
    this.traceFrom = T_NONE;
    this.viaLink = false;
    const li = sample.linkIndex;
    if (li > 0 && li < this.linkRef.length) {
      let r = this.linkRef[li]!;
      if (r === -2) r = this.readLink(li);
      if (this.linkHasTrace[li] === 1) {
        this.traceFrom = T_LINK;
        this.traceAt = li;
      }
      if (r >= 0) {
        this.ref = r;
        this.viaLink = this.traceFrom === T_LINK;
        return;
      }
    }
    let span = -1;
    const attrs = sample.attributeIndices;
    for (let k = 0; k < attrs.length; k++) {
      const i = attrs[k]!;
      const kind = this.kindOf(i);
      if (kind === A_SPAN && span < 0) span = i;
      else if (kind === A_TRACE && this.traceFrom === T_NONE) {
        this.traceFrom = T_ATTR;
        this.traceAt = i;
      }
    }
    if (span >= 0) this.ref = this.ids.add(this.attrWords[span * 4]!, this.attrWords[span * 4 + 1]!);
    else this.traceFrom = T_NONE;
  }

  /** True when the trace id read from (`from`, `traceAt`) equals the four words at `t[at..]`. */
  traceEquals(from: number, traceAt: number, t: Uint32Array, at: number): boolean {
    const w = from === T_LINK ? this.linkTrace : this.attrWords;
    const o = traceAt * 4;
    return w[o] === t[at] && w[o + 1] === t[at + 1] && w[o + 2] === t[at + 2] && w[o + 3] === t[at + 3];
  }

  /** The trace id read from (`from`, `traceAt`) as bytes. */
  traceBytes(from: number, traceAt: number): Uint8Array {
    return bytesOfTraceWords(from === T_LINK ? this.linkTrace : this.attrWords, traceAt * 4);
  }

  isJoinKey(attributeIndex: number): boolean {
    return this.kindOf(attributeIndex) === A_JOIN;
  }

  private readLink(li: number): number {
    const link = this.dict.linkTable[li];
    let r = -1;
    if (link) {
      const t = link.traceId;
      if (t.length === 16 && !isZeroId(t)) {
        this.linkHasTrace[li] = 1;
        for (let k = 0; k < 4; k++) this.linkTrace[li * 4 + k] = u32be(t, k * 4);
      }
      const id = link.spanId;
      if (id.length === 8 && !isZeroId(id)) r = this.ids.add(u32be(id, 0), u32be(id, 4));
    }
    this.linkRef[li] = r;
    return r;
  }

  private kindOf(index: number): number {
    if (index < 0 || index >= this.attrKind.length) return A_OTHER;
    let kind = this.attrKind[index]!;
    if (kind === 0) {
      kind = A_OTHER;
      const kv = this.dict.attributeTable[index];
      const key = kv ? this.dict.stringTable[kv.keyStrindex] : undefined;
      if (kv && key !== undefined) {
        if (JOIN_KEYS.has(key)) kind = A_JOIN;
        else if (SPAN_KEYS.has(key)) {
          const bytes = idBytes(kv.value, 8, key === DECIMAL_SPAN_KEY, this.dict.stringTable);
          if (bytes) {
            kind = A_SPAN;
            this.attrWords[index * 4] = u32be(bytes, 0);
            this.attrWords[index * 4 + 1] = u32be(bytes, 4);
          }
        } else if (TRACE_KEYS.has(key)) {
          const bytes = idBytes(kv.value, 16, false, this.dict.stringTable);
          if (bytes) {
            kind = A_TRACE;
            for (let k = 0; k < 4; k++) this.attrWords[index * 4 + k] = u32be(bytes, k * 4);
          }
        }
      }
      this.attrKind[index] = kind;
    }
    return kind;
  }
}

/**
 * An id held in an attribute value, or undefined when it is not a valid non-zero id.
 * Strings are hex (decimal for the Datadog key), integers are the unsigned value, bytes are
 * the id itself.
 */
function idBytes(v: AnyValue | undefined, size: 8 | 16, decimal: boolean, strings: readonly string[]): Uint8Array | undefined {
  if (!v) return undefined;
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
    return undefined;
  }
  return bytes && bytes.length === size && !isZeroId(bytes) ? bytes : undefined;
}

function countSamples(request: ExportProfilesServiceRequest): number {
  let n = 0;
  for (const rp of request.resourceProfiles) for (const sp of rp.scopeProfiles) for (const p of sp.profiles) n += p.samples.length;
  return n;
}

/**
 * A join in two pure halves around the (possibly remote) index: `planJoin` reads which
 * spans a request references, the caller resolves `ids` against an index, and `apply`
 * writes the answer into a copy of the request.
 */
export interface JoinPlan {
  /** The distinct span ids the request's samples reference. */
  readonly ids: SpanIdBatch;
  /** Joins the request with the index's answer for `ids`. */
  apply(resolved: ResolvedSpans): LinkResult;
}

/**
 * Each sample's span reference as `planJoin` read it, by position in request order (resource,
 * scope, profile, sample), so that `apply` does not read the samples again.
 */
interface SampleRefs {
  /** The span's number in the batch, -1 for none. */
  ref: Int32Array;
  /** Bits 0-1: where the trace id came from (T_*); bit 2: the sample's own Link carries both ids. */
  meta: Uint8Array;
  /** The link or attribute index the trace id is held at. */
  traceAt: Int32Array;
}

const VIA_LINK = 4;

export function planJoin(request: ExportProfilesServiceRequest): JoinPlan {
  const dict = request.dictionary;
  if (!dict) return { ids: new SpanIdBatch(), apply: () => ({ request, linked: 0, unlinked: 0, pending: new Set() }) };
  const total = countSamples(request);
  const reader = new RefReader(dict, Math.min(total, dict.linkTable.length + dict.attributeTable.length));
  const refs: SampleRefs = { ref: new Int32Array(total), meta: new Uint8Array(total), traceAt: new Int32Array(total) };
  let k = 0;
  for (const rp of request.resourceProfiles)
    for (const sp of rp.scopeProfiles)
      for (const p of sp.profiles)
        for (const s of p.samples) {
          reader.read(s);
          refs.ref[k] = reader.ref;
          refs.meta[k] = reader.traceFrom | (reader.viaLink ? VIA_LINK : 0);
          refs.traceAt[k] = reader.traceAt;
          k++;
        }
  return { ids: reader.ids, apply: (resolved) => applyJoin(request, dict, reader, refs, resolved) };
}

/** Every span id (hex) the request's samples reference, for a batched index lookup. */
export function referencedSpanIds(request: ExportProfilesServiceRequest): Set<string> {
  return new Set(planJoin(request).ids.hexIds());
}

/**
 * Joins every sample that references a span to what `lookup` knows of it. A linked sample
 * gets the attributes `span.name`, `local_root_span.id` and `trace.endpoint` (replacing any
 * it had under those keys) and a Link carrying its trace and span ids. A sample that named
 * its span only through attributes gets a Link once both ids are known. Samples without a
 * span reference are untouched. The input is never modified: changed tables and samples
 * are copies; unchanged ones are shared (and joined samples of the same span that had no
 * attributes of their own share one attribute index array: treat the result as read-only).
 */
export function linkProfiles(request: ExportProfilesServiceRequest, lookup: SpanLookup): LinkResult {
  const plan = planJoin(request);
  return plan.apply(resolvedFromContexts(plan.ids, lookup));
}

function applyJoin(
  request: ExportProfilesServiceRequest,
  dict: ProfilesDictionary,
  reader: RefReader,
  refs: SampleRefs,
  r: ResolvedSpans,
): LinkResult {
  const pending = new Set<string>();
  const ids = reader.ids;
  const n = ids.count;
  let linkBuilder: DictionaryBuilder | undefined;
  /** Per span: bit 1 once its id is in `pending` (unknown here), bit 2 once its missing ancestor is (known). */
  const pendingDone = new Uint8Array(n);
  /** Per span: the three join attribute indices, filled on first use (-1 = not yet). */
  const joinAttrs = new Int32Array(n * 3).fill(-1);
  /** Per span: [name, root, endpoint] shared by its samples that had no attributes. */
  const shared = new Array<number[] | undefined>(n);
  /** Per span: its Link index when one has to be added (0 = not yet). */
  const addedLink = new Int32Array(n);
  const linkFor = new Map<string, number>();
  let linked = 0;
  let unlinked = 0;

  let attrs: JoinAttributeTable | undefined;
  const table = (): JoinAttributeTable => (attrs ??= new JoinAttributeTable(dict));
  // Attribute index per distinct value, so the table is asked once per distinct name, root
  // and endpoint rather than once per span: names and endpoints by their number in the
  // answer, roots by their number in the batch (or, for roots the request does not name,
  // in a batch of their own).
  const nameAttr = new Int32Array(r.strings.length).fill(-1);
  const endpointAttr = new Int32Array(r.strings.length).fill(-1);
  const rootAttr = new Int32Array(n).fill(-1);
  let otherRoots: SpanIdBatch | undefined;
  const otherRootAttr: number[] = [];
  const rootAttribute = (ref: number): number => {
    const hi = r.rootHi[ref]!;
    const lo = r.rootLo[ref]!;
    let k = r.rootRef[ref]!;
    if (k < 0) k = ids.indexOf(hi, lo);
    if (k >= 0) {
      let a = rootAttr[k]!;
      if (a < 0) a = rootAttr[k] = table().index(LOCAL_ROOT_SPAN_ID_ATTR, ids.hex(k));
      return a;
    }
    otherRoots ??= new SpanIdBatch();
    const j = otherRoots.add(hi, lo);
    return (otherRootAttr[j] ??= table().index(LOCAL_ROOT_SPAN_ID_ATTR, otherRoots.hex(j)));
  };
  const newLink = (traceBytes: Uint8Array, ref: number): number => {
    // A separate builder, made only when a link is added: indexing a link table (one entry
    // per span, often) costs as much as the join itself when links are already there.
    linkBuilder ??= linkTableBuilder(dict);
    return linkBuilder.link(traceBytes, bytesOfWords(ids.hi[ref]!, ids.lo[ref]!));
  };

  const joinSample = (s: Sample, ref: number, meta: number, traceAt: number): Sample => {
    const from = meta & 3;
    const viaLink = (meta & VIA_LINK) !== 0;
    const hasTrace = from !== T_NONE;
    const known = ref < n && r.known[ref] === 1 && (!hasTrace || reader.traceEquals(from, traceAt, r.trace, ref * 4));
    if (!known) {
      // Same span id in another trace, or not indexed (yet).
      if ((pendingDone[ref]! & 1) === 0) {
        pending.add(ids.hex(ref));
        pendingDone[ref]! |= 1;
      }
      unlinked++;
      if (viaLink || !hasTrace) return s;
      const traceBytes = reader.traceBytes(from, traceAt);
      const key = hexOf(traceBytes) + ids.hex(ref);
      let li = linkFor.get(key);
      if (li === undefined) {
        li = newLink(traceBytes, ref);
        linkFor.set(key, li);
      }
      return {
        stackIndex: s.stackIndex,
        attributeIndices: s.attributeIndices,
        linkIndex: li,
        values: s.values,
        timestampsUnixNano: s.timestampsUnixNano,
      };
    }
    linked++;
    if ((pendingDone[ref]! & 2) === 0) {
      pendingDone[ref]! |= 2;
      const mh = r.missingHi[ref]!;
      const ml = r.missingLo[ref]!;
      if (mh !== 0 || ml !== 0) pending.add(hexOfWords(mh, ml));
    }
    let a = joinAttrs[ref * 3]!;
    if (a < 0) {
      const name = r.name[ref]!;
      a = nameAttr[name]!;
      if (a < 0) a = nameAttr[name] = table().index(SPAN_NAME_ATTR, r.strings[name]!);
      joinAttrs[ref * 3] = a;
      joinAttrs[ref * 3 + 1] = rootAttribute(ref);
      const endpoint = r.endpoint[ref]!;
      let c = endpointAttr[endpoint]!;
      if (c < 0) c = endpointAttr[endpoint] = table().index(TRACE_ENDPOINT_ATTR, r.strings[endpoint]!);
      joinAttrs[ref * 3 + 2] = c;
    }
    const b = joinAttrs[ref * 3 + 1]!;
    const c = joinAttrs[ref * 3 + 2]!;
    const own = s.attributeIndices;
    let attributeIndices: number[];
    if (own.length === 0) attributeIndices = shared[ref] ??= [a, b, c];
    else {
      attributeIndices = [];
      for (let k = 0; k < own.length; k++) if (!reader.isJoinKey(own[k]!)) attributeIndices.push(own[k]!);
      attributeIndices.push(a, b, c);
    }
    let linkIndex = s.linkIndex;
    if (!viaLink) {
      linkIndex = addedLink[ref]!;
      if (linkIndex === 0) linkIndex = addedLink[ref] = newLink(bytesOfTraceWords(r.trace, ref * 4), ref);
    }
    return { stackIndex: s.stackIndex, attributeIndices, linkIndex, values: s.values, timestampsUnixNano: s.timestampsUnixNano };
  };

  let changed = false;
  /** Position of the next sample in request order (as in SampleRefs). */
  let at = 0;
  const resourceProfiles = request.resourceProfiles.map((rp) => {
    let rpChanged = false;
    const scopeProfiles = rp.scopeProfiles.map((sp) => {
      let spChanged = false;
      const profiles = sp.profiles.map((p) => {
        let pChanged = false;
        const samples = new Array<Sample>(p.samples.length);
        for (let k = 0; k < samples.length; k++, at++) {
          const s = p.samples[k]!;
          const ref = refs.ref[at]!;
          if (ref < 0) {
            samples[k] = s;
            continue;
          }
          const out = joinSample(s, ref, refs.meta[at]!, refs.traceAt[at]!);
          if (out !== s) pChanged = true;
          samples[k] = out;
        }
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
  if (attrs) {
    dictionary.stringTable = attrs.strings;
    dictionary.attributeTable = attrs.attributes;
  }
  if (linkBuilder) dictionary.linkTable = linkBuilder.dictionary.linkTable;
  return {
    request: { ...request, resourceProfiles, dictionary },
    linked,
    unlinked,
    pending,
  };
}

/**
 * Copies of the string and attribute tables that the join's three attributes are appended
 * to. An entry is reused when the request already has it, compared the way
 * DictionaryBuilder compares (first string of the key, unit 0, a plain string value) —
 * without indexing every entry of both tables as a builder would.
 */
class JoinAttributeTable {
  readonly strings: string[];
  readonly attributes: KeyValueAndUnit[];
  private readonly keyIndex = new Map<string, number>();
  /** Per key string index: value -> attribute index. */
  private readonly existing = new Map<number, Map<string, number>>();

  constructor(dict: ProfilesDictionary) {
    this.strings = dict.stringTable.slice();
    this.attributes = dict.attributeTable.slice();
    if (this.strings.length === 0) this.strings.push('');
    if (this.attributes.length === 0) this.attributes.push({ keyStrindex: 0, unitStrindex: 0 });
    for (const key of JOIN_KEYS) {
      const i = this.strings.indexOf(key);
      if (i >= 0) {
        this.keyIndex.set(key, i);
        this.existing.set(i, new Map());
      }
    }
    if (this.existing.size === 0) return;
    this.attributes.forEach((a, i) => {
      const values = this.existing.get(a.keyStrindex);
      const v = a.value;
      if (!values || a.unitStrindex !== 0 || !v || typeof v.stringValue !== 'string') return;
      // Only a value that is exactly { stringValue } matches (undefined fields do not count).
      for (const k in v) if (k !== 'stringValue' && (v as Record<string, unknown>)[k] !== undefined) return;
      if (!values.has(v.stringValue)) values.set(v.stringValue, i);
    });
  }

  /**
   * The index of the attribute key = value (string): the request's own entry when it has
   * one, else a new entry. The caller asks once per distinct value (it keeps its own map).
   */
  index(key: string, value: string): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.strings.push(key) - 1;
      this.keyIndex.set(key, k);
    }
    const values = this.existing.get(k);
    const i = values === undefined || values.size === 0 ? undefined : values.get(value);
    return i ?? this.attributes.push({ keyStrindex: k, value: { stringValue: value }, unitStrindex: 0 }) - 1;
  }
}

/**
 * A DictionaryBuilder over a copy of the link table, for the links the join adds. Every
 * other table is a one-entry placeholder — the builder would index whole tables the join
 * never writes — and the result takes only the link table from it.
 */
function linkTableBuilder(dict: ProfilesDictionary): DictionaryBuilder {
  return new DictionaryBuilder({
    mappingTable: [{ memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] }],
    locationTable: [{ mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] }],
    functionTable: [{ nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 }],
    stackTable: [{ locationIndices: [] }],
    stringTable: [''],
    linkTable: dict.linkTable.slice(),
    attributeTable: [{ keyStrindex: 0, unitStrindex: 0 }],
  });
}
