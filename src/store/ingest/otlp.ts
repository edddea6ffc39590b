// An OTLP profiles request -> what the store keeps (ExtractedProfile), read straight from the
// request's dictionary. The store has no use for a pprof model: OTLP already holds each
// distinct stack once (stack_table), so each entry of the request's tables is resolved once
// to the ids of an IngestCache (cache.ts; the caller's, kept across requests, or a new one),
// a location's and a stack's frames are worked out the first time that cache sees them, and
// a sample costs a few array reads and one map update. No I/O, no clock; what it changes is
// the cache it is given (which never changes an answer, only how fast it comes).
//
// The answers are those of the pprof path (convert.ts, then extract.ts) on the same request,
// which the property test in test/store/ingest-otlp.test.ts checks on random requests:
// - the same profiles: one per OTLP Profile, split per service when samples name their own
//   `service.name` (service-name.ts), with the series labels, profile type (profileTypesOf,
//   per scope), window and profile id the converter gives them;
// - values merged as pprof merges them: by stack (pprof's location identity) and label set,
//   a merged sample of value 0 dropped, counted samples scaled by the period (valueScale);
// - span attribution and thread names from the labels pprof would carry (sampleLabels);
// - the same rejections: a bad index rejects only its profile, with the converter's message.
// One difference: a profile sent without an id gets a content id computed here from what the
// profile holds (stable for equal content, as the converter's is), not the converter's hash.
import { createHash, type Hash } from 'node:crypto';
import { ConvertError } from '../../errors.js';
import type { ExportProfilesServiceRequest, Function, Profile, ProfilesDictionary, Sample } from '../../otlp/model.js';
import { anyValueToString } from '../../otlp/build.js';
import { hexOf, isZeroId } from '../../otlp/ids.js';
import { BUILD_ID_ATTR_KEYS } from '../../pprof/convert.js';
import {
  BadData,
  entry,
  RequestTables as SharedTables,
  scopeProfileTypes,
  shortAttributeKey,
  ZERO_FUNCTION,
  ZERO_LINK,
  ZERO_LOCATION,
  ZERO_MAPPING,
  ZERO_STACK,
} from '../../pprof/tables.js';
import {
  decimalToHex16,
  hexToDecimal,
  linkIds,
  linkIdsError,
  PPROF_LABELS,
  sampleLabels,
  type LabelSpec,
  type ResolvedAttribute,
} from '../../pprof/labels.js';
import { isSampleCountType, profileTypeOf } from '../../pprof/profile-type.js';
import { SERVICE_NAME_KEY } from '../../pprof/service-name.js';
import { SPAN_ID_ATTR_KEYS, TRACE_ID_ATTR_KEYS } from '../../join/attributes.js';
import type { FrameInfo } from '../query/types.js';
import { IngestCache } from './cache.js';
import { SeqInterner } from './keys.js';
import { growInt32 } from '../../otlp/columns/grow.js';
import type { MergedSamples } from './merged.js';
import { THREAD_ID_LABELS, THREAD_NAME_LABELS, valueScale, type ExtractedProfile, type ExtractedStacks, type SpanSample } from './extract.js';

export interface ExtractResult {
  profiles: ExtractedProfile[];
  /** One per rejected profile, in request order (as the converter reports them). */
  errors: ConvertError[];
}

/** Bad data inside one profile; becomes a ConvertError with the profile's position. */

const THREAD_LABELS = new Set(THREAD_NAME_LABELS);
const THREAD_ID_KEYS = new Set(THREAD_ID_LABELS);

/**
 * A distinct label set of the request, with what the store reads from it. Its identities are
 * integers, without the labels' text: a label set is its trace id and span id (as 32-bit
 * words, when the labels hold them in their canonical form: the link's ids) and the text of
 * its other labels, worked out once per attribute list of the request (see idBuf).
 */
interface LabelSet {
  /** Same for label sets with the same labels in any order (pprof's sample identity). */
  id: number;
  /** Same for label sets with the same sample-level labels (spanId, traceId, root, endpoint, thread). */
  spanKey: number;
  spanId: string;
  traceId: string;
  localRootSpanId: string;
  endpoint: string;
  /** First thread name label, if any. */
  thread: string | undefined;
  /** First thread id label as text (numeric ones in decimal), or ''. */
  threadId: string;
  /**
   * Sorted label texts (labelText), for content ids only: every label when `fromLink` is
   * false; else all but the link's trace_id, span_id and `span id` labels (see labelSetText).
   */
  texts: readonly string[];
  fromLink: boolean;
}

/** Request-wide lookups, memoized: the dictionary is shared by every profile of a request. */
class RequestTables extends SharedTables<ProfilesDictionary> {
  /** Strings, functions, locations, frames and stacks by value, with ids shared across requests. */
  readonly cache: IngestCache;
  /** Per index of the request's tables: the global id (-1: not resolved yet). */
  private readonly stringGid: Int32Array;
  private readonly functionGid: Int32Array;
  private readonly locationGid: Int32Array;
  private readonly stackGid: Int32Array;
  private readonly mappingKeys: (string | undefined)[];
  /** Per mapping index: the string id of its key, plus one (0: not resolved). */
  private readonly mappingGid: Int32Array;
  private readonly mappingFiles: string[] = [];
  /** Reused while resolving a location: its pprof key. */
  private readonly keyBuf: number[] = [];
  /** Reused while resolving a stack: its locations' global ids. */
  private readonly locBuf: number[] = [];
  /**
   * link index -> its first raw attribute key and label set (a link is mostly used by one
   * sample, or by samples with the same attributes: no map per link), then a map for others.
   */
  private readonly firstRaws: (number | undefined)[];
  private readonly firstSets: (LabelSet | undefined)[];
  private readonly labelSets: (Map<number, LabelSet> | undefined)[];
  /**
   * Label sets and span keys -> dense ids, by a tuple of 9 numbers (idBuf): trace id present
   * (1) and its four 32-bit words, span id present (1) and its two words, then the restIds id
   * of the other labels' text (label sets) or the spanPartIds id of the span key's text after
   * the ids (span keys). Ids not in a link's form are left to that text (span keys: first
   * number 2, all of the text). Equal labels, equal tuple, whichever way they were sent.
   */
  private readonly labelSetIds = new SeqInterner(64);
  private readonly spanKeys = new SeqInterner(64);
  /** Text of labels besides the ids, and of (root, endpoint, thread, thread id) -> dense ids. */
  private readonly restIds = new Map<string, number>();
  private readonly spanPartIds = new Map<string, number>();
  /** Reused identity tuple (labelSetIds, spanKeys). */
  private readonly idBuf: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];

  constructor(dictionary: ProfilesDictionary | undefined, cache: IngestCache) {
    super(dictionary);
    this.cache = cache;
    this.stringGid = new Int32Array(this.d.stringTable.length).fill(-1);
    this.functionGid = new Int32Array(this.d.functionTable.length).fill(-1);
    // One slot at least: index 0 of an empty table means "none" (see entry()).
    this.locationGid = new Int32Array(Math.max(1, this.d.locationTable.length)).fill(-1);
    this.stackGid = new Int32Array(Math.max(1, this.d.stackTable.length)).fill(-1);
    this.mappingKeys = new Array<string | undefined>(this.d.mappingTable.length);
    this.mappingGid = new Int32Array(this.d.mappingTable.length);
    const links = Math.max(1, this.d.linkTable.length);
    this.firstRaws = new Array<number | undefined>(links);
    this.firstSets = new Array<LabelSet | undefined>(links);
    this.labelSets = new Array<Map<number, LabelSet> | undefined>(links);
  }

  /** The global id of the string at index i, which `string` has checked. */
  private stringId(i: number, str: string): number {
    let id = i >= 0 && i < this.stringGid.length ? this.stringGid[i]! : -1;
    if (id < 0) {
      id = this.cache.string(str);
      if (i >= 0 && i < this.stringGid.length) this.stringGid[i] = id;
    }
    return id;
  }

  /** A function's global id (pprof's identity of it: name falls back to the system name). */
  private function(i: number, location: number, line: number): number {
    const memo = i >= 0 && i < this.functionGid.length ? this.functionGid[i]! : -1;
    if (memo >= 0) return memo;
    const ft = this.d.functionTable;
    const f =
      i >>> 0 === i && i < ft.length
        ? ft[i]!
        : entry(ft, i, ZERO_FUNCTION, 'function_table', () => `location_table[${location}].lines[${line}].function_index`);
    // In-range indices read directly; the others go through string() for its message (no
    // message closure is made on the way).
    const t = this.d.stringTable;
    const si = f.systemNameStrindex;
    const ni = f.nameStrindex;
    const fli = f.filenameStrindex;
    const systemName = si >>> 0 === si && si < t.length ? t[si]! : this.string(si, () => `function_table[${i}].system_name_strindex`);
    const ownName = ni >>> 0 === ni && ni < t.length ? t[ni]! : this.string(ni, () => `function_table[${i}].name_strindex`);
    const file = fli >>> 0 === fli && fli < t.length ? t[fli]! : this.string(fli, () => `function_table[${i}].filename_strindex`);
    const sysId = this.stringId(si, systemName);
    const nameId = ownName === '' ? sysId : this.stringId(ni, ownName);
    const fileId = this.stringId(fli, file);
    const id = this.cache.function(nameId, ownName, sysId, systemName, fileId, file, f.startLine);
    if (i < this.functionGid.length) this.functionGid[i] = id;
    return id;
  }

  private mappingKey(i: number, what: () => string): string {
    if (i === 0) return ''; // no mapping
    const memo = i > 0 && i < this.mappingKeys.length ? this.mappingKeys[i] : undefined;
    if (memo !== undefined) return memo;
    const m = entry(this.d.mappingTable, i, ZERO_MAPPING, 'mapping_table', what);
    const at = (): string => `mapping_table[${i}]`;
    const filename = this.string(m.filenameStrindex, () => `${at()}.filename_strindex`);
    const found: Partial<Record<string, string>> = {};
    m.attributeIndices.forEach((ai, k) => {
      const a = this.attribute(ai, () => `${at()}.attribute_indices[${k}]`);
      if (!(BUILD_ID_ATTR_KEYS as readonly string[]).includes(a.key) || !a.value) return;
      const v = a.value.bytesValue !== undefined ? hexOf(a.value.bytesValue) : anyValueToString(a.value, this.d.stringTable);
      if (v !== '') found[a.key] = v;
    });
    let buildId = '';
    for (const k of BUILD_ID_ATTR_KEYS) {
      if (found[k] !== undefined) {
        buildId = found[k];
        break;
      }
    }
    // A leading 'm' keeps every real mapping apart from "no mapping" ('').
    const key = `m${m.memoryStart}/${m.memoryLimit}/${m.fileOffset}/${filename}/${buildId}`;
    if (i < this.mappingKeys.length) {
      this.mappingKeys[i] = key;
      this.mappingFiles[i] = filename;
      this.mappingGid[i] = this.cache.string(key) + 1;
    }
    return key;
  }

  /** The global id of location i; its frames are recorded in the cache the first time it is seen. */
  private location(i: number, stackIndex: number, k: number): number {
    // In range: read directly (no message closures on the hot path); else entry() throws.
    const table = this.d.locationTable;
    const l =
      i >>> 0 === i && i < table.length
        ? table[i]!
        : entry(table, i, ZERO_LOCATION, 'location_table', () => `stack_table[${stackIndex}].location_indices[${k}]`);
    const mi = l.mappingIndex;
    const lines = l.lines;
    // One line of a function, no mapping, no address: found by the function's name when seen
    // before (NamedLocations), else resolved in full below and remembered so.
    let named: Function | undefined;
    if (mi === 0 && lines.length === 1 && l.address === 0n) {
      const ln = lines[0]!;
      const fi = ln.functionIndex;
      const ft = this.d.functionTable;
      const t = this.d.stringTable;
      if (fi > 0 && fi < ft.length && this.functionGid[fi]! < 0) {
        const f = ft[fi]!;
        const ni = f.nameStrindex;
        const si = f.systemNameStrindex;
        const fli = f.filenameStrindex;
        if (ni > 0 && ni < t.length && si >>> 0 === si && si < t.length && fli >>> 0 === fli && fli < t.length) {
          const e = this.cache.named.find(
            this.stringId(ni, t[ni]!),
            this.stringId(si, t[si]!),
            this.stringId(fli, t[fli]!),
            f.startLine,
            ln.line,
            ln.column,
          );
          if (e >= 0) {
            const id = this.cache.named.location(e);
            this.functionGid[fi] = this.cache.named.functionOf(e);
            this.locationGid[i] = id;
            return id;
          }
          named = f;
        }
      }
    }
    const mkey = mi === 0 ? '' : this.mappingKey(mi, () => `location_table[${i}].mapping_index`);
    // pprof's identity of a location: mapping, address, lines (function, line, column).
    const key = this.keyBuf;
    let n = 0;
    key[n++] = mkey === '' ? 0 : this.mappingGid[mi]!;
    const address = l.address;
    if (address === 0n) key[n++] = 0;
    else if (address <= 9007199254740991n) key[n++] = Number(address);
    else {
      // Exact below 2^53, else a marker and its two halves.
      key[n++] = -1;
      key[n++] = Number(address >> 32n);
      key[n++] = Number(address & 0xffffffffn);
    }
    const fgid = this.functionGid;
    for (let k = 0; k < lines.length; k++) {
      const ln = lines[k]!;
      const fi = ln.functionIndex;
      if (fi === 0) continue;
      const known = fi > 0 && fi < fgid.length ? fgid[fi]! : -1;
      key[n++] = known >= 0 ? known : this.function(fi, i, k);
      key[n++] = ln.line;
      key[n++] = ln.column;
    }
    const cache = this.cache;
    const id = cache.location(key, n);
    if (!cache.hasLocation(id)) {
      // First seen: its frames, one per line with a function, innermost first.
      cache.beginLocation(id);
      let frames = 0;
      for (let k = 0; k < lines.length; k++) {
        const ln = lines[k]!;
        if (ln.functionIndex === 0) continue;
        const f = cache.functions[fgid[ln.functionIndex]!]!;
        cache.pushFrame(cache.frame(f.nameId, f.name, f.fileId, f.file, ln.line, f.startLine));
        frames++;
      }
      if (frames === 0) {
        // Unsymbolized: the address is all there is; keep the binary as its "file".
        const name = `0x${address.toString(16)}`;
        const file = mkey === '' ? '' : (this.mappingFiles[mi] ?? '');
        cache.pushFrame(cache.frame(cache.string(name), name, cache.string(file), file, 0, 0));
      }
      cache.endLocation(id);
    }
    if (named !== undefined) {
      const t = this.d.stringTable;
      const ln = lines[0]!;
      const fn = fgid[ln.functionIndex]!;
      cache.nameLocation(
        this.stringId(named.nameStrindex, t[named.nameStrindex]!),
        this.stringId(named.systemNameStrindex, t[named.systemNameStrindex]!),
        this.stringId(named.filenameStrindex, t[named.filenameStrindex]!),
        named.startLine,
        ln.line,
        ln.column,
        id,
        fn,
      );
    }
    // entry() accepted i: it is an index of the table (or 0 of an empty one, slot 0 here too).
    this.locationGid[i] = id;
    return id;
  }

  /** The global pprof stack id of stack i when already resolved, else -1. */
  stackAt(i: number): number {
    return i >= 0 && i < this.stackGid.length ? this.stackGid[i]! : -1;
  }

  /** The global pprof stack id of stack i (its store stack: cache.storeStack). */
  stack(i: number, si: number): number {
    const memo = this.stackAt(i);
    if (memo >= 0) return memo;
    const table = this.d.stackTable;
    const s = i >>> 0 === i && i < table.length ? table[i]! : entry(table, i, ZERO_STACK, 'stack_table', () => `samples[${si}].stack_index`);
    const idx = s.locationIndices;
    const buf = this.locBuf;
    const lg = this.locationGid;
    for (let k = 0; k < idx.length; k++) {
      const li = idx[k]!;
      // Not resolved yet, or not an index (undefined >= 0 is false): location() checks it.
      const g = lg[li]!;
      buf[k] = g >= 0 ? g : this.location(li, i, k);
    }
    const id = this.cache.stack(buf, idx.length);
    // entry() accepted i: an index of the table, or 0 of an empty one (slot 0 here too).
    this.stackGid[i] = id;
    return id;
  }

  /** The location indices of stack i (resolved: in range). */
  stackLocations(i: number): readonly number[] {
    return (this.d.stackTable[i] ?? ZERO_STACK).locationIndices;
  }

  /** A location's pprof content as text (for content ids; only called for resolved locations). */
  locationText(i: number): string {
    const loc = this.d.locationTable[i];
    if (!loc) return '';
    const fns = loc.lines
      .filter((ln) => ln.functionIndex !== 0)
      .map((ln) => {
        const f = this.d.functionTable[ln.functionIndex]!;
        const t = this.d.stringTable;
        return `${t[f.nameStrindex] || t[f.systemNameStrindex]}\u0000${t[f.systemNameStrindex]}\u0000${t[f.filenameStrindex]}\u0000${f.startLine}:${ln.line}:${ln.column}`;
      });
    return `${this.mappingKeys[loc.mappingIndex] ?? ''}|${loc.address}|${fns.join('|')}`;
  }

  labelSet(s: Sample, si: number): LabelSet {
    const li = s.linkIndex;
    const raw = this.rawAttributeKey(s.attributeIndices);
    // Not an index of the link table: buildLabelSet rejects it.
    if (!(li >= 0 && li < this.labelSets.length)) return this.buildLabelSet(s, si, raw);
    const first = this.firstSets[li];
    if (first === undefined) {
      const e = this.buildLabelSet(s, si, raw);
      this.firstRaws[li] = raw;
      this.firstSets[li] = e;
      return e;
    }
    if (this.firstRaws[li] === raw) return first;
    let byAttributes = this.labelSets[li];
    if (byAttributes === undefined) this.labelSets[li] = byAttributes = new Map();
    let e = byAttributes.get(raw);
    if (e === undefined) {
      e = this.buildLabelSet(s, si, raw);
      byAttributes.set(raw, e);
    }
    return e;
  }

  /** Attribute lists other than the short ones rawAttributeKey computes a key from -> dense ids. */
  private readonly attributeLists = new SeqInterner(16);

  /**
   * Attribute indices as a map key, an integer: shortAttributeKey's for the usual short
   * lists, else -2^30 - the list's id in attributeLists (no text per sample). The ranges do
   * not overlap.
   */
  private rawAttributeKey(a: readonly number[]): number {
    return shortAttributeKey(a, 0, a.length) ?? -(2 ** 30) - this.attributeLists.intern(a);
  }

  /** rootHex, memoized: a request's samples share few local roots (and it goes through a BigInt). */
  private readonly roots = new Map<string, string>();

  private rootHex(decimal: string): string {
    let hex = this.roots.get(decimal);
    if (hex === undefined) this.roots.set(decimal, (hex = rootHex(decimal)));
    return hex;
  }

  /** Per raw attribute key (rawAttributeKey): what the attributes alone give (see attributePart). */
  private readonly attributeParts = new Map<number, AttributePart>();

  /** The sample's attributes, resolved (bad indices throw, naming the sample). */
  private sampleAttributes(s: Sample, si: number): ResolvedAttribute[] {
    const indices = s.attributeIndices;
    const attrs: ResolvedAttribute[] = [];
    for (let k = 0; k < indices.length; k++) {
      const a = this.cachedAttribute(indices[k]!) ?? this.attribute(indices[k]!, () => `samples[${si}].attribute_indices[${k}]`);
      // The sample's service is its series' service.name, not a label.
      if (a.key !== SERVICE_NAME_KEY) attrs.push(a);
    }
    return attrs;
  }

  /**
   * What a sample's attributes give on their own, worked out once per attribute list of the
   * request: samples that differ only by their link (one span each, the usual case) share it.
   * Undefined fields when an attribute names a span or trace id: those depend on the link.
   */
  private attributePart(s: Sample, si: number, raw: number): AttributePart {
    let part = this.attributeParts.get(raw);
    if (part !== undefined) return part;
    const attrs = this.sampleAttributes(s, si);
    part = { attrs, standalone: undefined };
    if (!attrs.some((a) => ID_ATTR_KEYS.has(a.key))) {
      // No attribute competes with the link's ids: sampleLabels gives the link's labels, then
      // these, none under a key of the link's (see sampleLabels).
      const labels = sampleLabels(undefined, attrs, this.d.stringTable).labels;
      let root = '';
      let endpoint = '';
      let thread: string | undefined;
      let threadId = '';
      for (const l of labels) {
        const str = 'str' in l ? l.str : '';
        if (l.key === PPROF_LABELS.LOCAL_ROOT_SPAN_ID) root = this.rootHex(str);
        else if (l.key === PPROF_LABELS.TRACE_ENDPOINT) endpoint = str;
        else if (thread === undefined && THREAD_LABELS.has(l.key) && str !== '') thread = str;
        else if (threadId === '' && THREAD_ID_KEYS.has(l.key)) threadId = 'num' in l ? String(l.num) : str;
      }
      const texts = labels.map(labelText).sort();
      const restId = this.restId(texts.join('\u0001'));
      part.standalone = {
        root,
        endpoint,
        thread,
        threadId,
        texts,
        restId,
        spanPart: this.spanPartId(`${root}|${endpoint}|${thread ?? ''}|${threadId}`),
      };
    }
    this.attributeParts.set(raw, part);
    return part;
  }

  private buildLabelSet(s: Sample, si: number, raw: number): LabelSet {
    const part = this.attributePart(s, si, raw);
    const li = s.linkIndex;
    const link = li === 0 ? undefined : entry(this.d.linkTable, li, ZERO_LINK, 'link_table', () => `samples[${si}].link_index`);
    const alone = part.standalone;
    if (alone !== undefined) {
      // The link's labels (trace_id, span_id, span id, as sampleLabels writes them), then the
      // attributes': identified by the link's ids as words and the attributes' text id.
      let traceId = '';
      let spanId = '';
      const buf = this.idBuf;
      buf.fill(0);
      if (link !== undefined) {
        const t = link.traceId;
        const sp = link.spanId;
        const hasTrace = !isZeroId(t);
        const hasSpan = !isZeroId(sp);
        // linkIds' checks, without its decimal span id (content ids only need it).
        const bad = linkIdsError(link);
        if (bad !== undefined) throw new BadData(`samples[${si}]: link_table[${li}]: ${bad}`);
        if (hasTrace) {
          traceId = hexOf(t);
          buf[0] = 1;
          for (let w = 0; w < 4; w++) buf[1 + w] = wordOf(t, 4 * w);
        }
        if (hasSpan) {
          spanId = hexOf(sp);
          buf[5] = 1;
          buf[6] = wordOf(sp, 0);
          buf[7] = wordOf(sp, 4);
        }
      }
      buf[8] = alone.restId;
      const id = this.labelSetIds.intern(buf, 9);
      buf[8] = alone.spanPart;
      const spanKey = this.spanKeys.intern(buf, 9);
      return {
        id,
        spanKey,
        spanId,
        traceId,
        localRootSpanId: alone.root,
        endpoint: alone.endpoint,
        thread: alone.thread,
        threadId: alone.threadId,
        texts: alone.texts,
        fromLink: true,
      };
    }
    try {
      if (link) linkIds(link);
    } catch (err) {
      throw new BadData(`samples[${si}]: link_table[${li}]: ${(err as Error).message}`);
    }
    const labels = sampleLabels(link, part.attrs, this.d.stringTable).labels;
    let spanId = '';
    let traceId = '';
    let root = '';
    let endpoint = '';
    let thread: string | undefined;
    let threadId = '';
    const texts: string[] = [];
    for (const l of labels) {
      const str = 'str' in l ? l.str : '';
      if (l.key === PPROF_LABELS.SPAN_ID) spanId = str;
      else if (l.key === PPROF_LABELS.TRACE_ID) traceId = str;
      else if (l.key === PPROF_LABELS.LOCAL_ROOT_SPAN_ID) root = this.rootHex(str);
      else if (l.key === PPROF_LABELS.TRACE_ENDPOINT) endpoint = str;
      else if (thread === undefined && THREAD_LABELS.has(l.key) && str !== '') thread = str;
      else if (threadId === '' && THREAD_ID_KEYS.has(l.key)) threadId = 'num' in l ? String(l.num) : str;
      texts.push(labelText(l));
    }
    if (texts.length > 1) texts.sort();
    // The same identities as a link's label set with these labels would get: the ids as
    // words when they are in the form a link gives (with the decimal span id beside the hex
    // one), every other label by its text.
    const buf = this.idBuf;
    buf.fill(0);
    const canonicalTrace = labels.some((l) => l.key === PPROF_LABELS.TRACE_ID && 'str' in l && HEX32.test(l.str));
    const canonicalSpan =
      labels.some((l) => l.key === PPROF_LABELS.SPAN_ID && 'str' in l && HEX16.test(l.str)) &&
      labels.some((l) => l.key === PPROF_LABELS.SPAN_ID_DECIMAL && 'str' in l && l.str === hexToDecimal(spanId));
    if (canonicalTrace) putTraceWords(buf, traceId);
    if (canonicalSpan) putSpanWords(buf, spanId);
    const rest = labels
      .filter(
        (l) =>
          !(canonicalTrace && l.key === PPROF_LABELS.TRACE_ID) &&
          !(canonicalSpan && (l.key === PPROF_LABELS.SPAN_ID || l.key === PPROF_LABELS.SPAN_ID_DECIMAL)),
      )
      .map(labelText)
      .sort();
    buf[8] = this.restId(rest.join('\u0001'));
    const id = this.labelSetIds.intern(buf, 9);
    // The span key: what the pprof path keys span rows by (the fields joined by '|'), as a
    // link's label set gets it when the text starts with ids in a link's form.
    const key = `${spanId}|${traceId}|${root}|${endpoint}|${thread ?? ''}|${threadId}`;
    const a = key.indexOf('|');
    const b = key.indexOf('|', a + 1);
    const s16 = key.slice(0, a);
    const t32 = key.slice(a + 1, b);
    buf.fill(0);
    if ((s16 === '' || HEX16.test(s16)) && (t32 === '' || HEX32.test(t32))) {
      if (t32 !== '') putTraceWords(buf, t32);
      if (s16 !== '') putSpanWords(buf, s16);
      buf[8] = this.spanPartId(key.slice(b + 1));
    } else {
      buf[0] = 2;
      buf[8] = this.spanPartId(key);
    }
    const spanKey = this.spanKeys.intern(buf, 9);
    return { id, spanKey, spanId, traceId, localRootSpanId: root, endpoint, thread, threadId, texts, fromLink: false };
  }

  private restId(text: string): number {
    let id = this.restIds.get(text);
    if (id === undefined) this.restIds.set(text, (id = this.restIds.size));
    return id;
  }

  /** The id of a span key's text after its ids (`root|endpoint|thread|thread id`), or of all of it. */
  private spanPartId(key: string): number {
    let id = this.spanPartIds.get(key);
    if (id === undefined) this.spanPartIds.set(key, (id = this.spanPartIds.size));
    return id;
  }
}

const HEX16 = /^[0-9a-f]{16}$/;
const HEX32 = /^[0-9a-f]{32}$/;

/** A trace id's 32 hex chars into an identity tuple (idBuf): present, then its four words. */
function putTraceWords(buf: number[], hex: string): void {
  buf[0] = 1;
  for (let w = 0; w < 4; w++) buf[1 + w] = parseInt(hex.slice(8 * w, 8 * w + 8), 16);
}

/** A span id's 16 hex chars into an identity tuple (idBuf): present, then its two words. */
function putSpanWords(buf: number[], hex: string): void {
  buf[5] = 1;
  buf[6] = parseInt(hex.slice(0, 8), 16);
  buf[7] = parseInt(hex.slice(8), 16);
}

/** Bytes [o, o + 4) of an id as a big-endian unsigned 32-bit word. */
function wordOf(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** A label set's canonical text (content ids): its labels' texts, sorted, joined. */
function labelSetText(ls: LabelSet): string {
  if (!ls.fromLink) return ls.texts.join('\u0001');
  const own: string[] = [];
  if (ls.traceId !== '') own.push(labelText({ key: PPROF_LABELS.TRACE_ID, str: ls.traceId }));
  if (ls.spanId !== '') {
    own.push(labelText({ key: PPROF_LABELS.SPAN_ID, str: ls.spanId }));
    own.push(labelText({ key: PPROF_LABELS.SPAN_ID_DECIMAL, str: hexToDecimal(ls.spanId) }));
  }
  if (own.length > 1) own.sort();
  return mergedText(own, ls.texts);
}

/** Attribute keys sampleLabels reads span or trace ids from (when the link gives none). */
const ID_ATTR_KEYS: ReadonlySet<string> = new Set<string>([...SPAN_ID_ATTR_KEYS, ...TRACE_ID_ATTR_KEYS]);

/** What a sample's attributes give apart from its link (RequestTables.attributePart). */
interface AttributePart {
  attrs: ResolvedAttribute[];
  /** Set when no attribute names a span or trace id: the labels' fields, and their texts sorted. */
  standalone:
    | {
        root: string;
        endpoint: string;
        thread: string | undefined;
        threadId: string;
        texts: string[];
        /** restIds id of texts, spanPartIds id of (root, endpoint, thread, threadId). */
        restId: number;
        spanPart: number;
      }
    | undefined;
}

/** Two sorted lists of label texts as one sorted list, joined as a label set's text. */
function mergedText(a: readonly string[], b: readonly string[]): string {
  if (a.length === 0) return b.join('\u0001');
  if (b.length === 0) return a.join('\u0001');
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! <= b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out.join('\u0001');
}

function labelText(l: LabelSpec): string {
  return 'str' in l ? `${l.key}\u0000s${l.str}` : `${l.key}\u0000n${l.num}\u0000${l.numUnit}`;
}

/** The `local root span id` label (decimal, Datadog's form) as 16 hex chars; '' when unreadable. */
function rootHex(decimal: string): string {
  if (/^[0-9a-f]{16}$/.test(decimal) && /[a-f]/.test(decimal)) return decimal;
  if (!/^\d{1,20}$/.test(decimal)) return '';
  return decimalToHex16(decimal) ?? '';
}

/** A sample's own service (its first `service.name` attribute with a value), or undefined. */
function sampleService(s: Sample, services: Map<number, string>): string | undefined {
  const a = s.attributeIndices;
  for (let k = 0; k < a.length; k++) {
    const v = services.get(a[k]!);
    if (v !== undefined) return v;
  }
  return undefined;
}

interface Part {
  samples: readonly Sample[];
  labels: Record<string, string>;
  /** Hex id, or undefined for a content id. */
  profileKey: string | undefined;
}

/** The profile as one part per service its samples name (as the converter splits it). */
function splitByService(tables: RequestTables, p: Profile, series: Record<string, string>): Part[] {
  const own = series[SERVICE_NAME_KEY]!;
  const key = isZeroId(p.profileId) ? undefined : hexOf(p.profileId);
  const services = tables.serviceAttributes();
  if (services.size === 0) return [{ samples: p.samples, labels: series, profileKey: key }];
  const parts = new Map<string, Sample[]>();
  let mixed = false;
  for (const s of p.samples) {
    const svc = sampleService(s, services) ?? own;
    if (svc !== own) mixed = true;
    let list = parts.get(svc);
    if (!list) parts.set(svc, (list = []));
    list.push(s);
  }
  if (!mixed) return [{ samples: p.samples, labels: series, profileKey: key }];
  const out: Part[] = [];
  for (const [svc, samples] of parts) {
    // Each part's id derives from the sender's, as the converter derives it.
    out.push({ samples, labels: { ...series, [SERVICE_NAME_KEY]: svc }, profileKey: key === undefined ? undefined : partId(p.profileId, svc) });
  }
  return out;
}

function partId(id: Uint8Array, service: string): string {
  const h = createHash('sha256');
  h.update(id);
  h.update('\u0000');
  h.update(service);
  return h.digest().subarray(0, 16).toString('hex');
}

function extractPart(tables: RequestTables, p: Profile, part: Part, typeOfProfile: string | undefined): ExtractedProfile {
  const sampleTypeVt = tables.valueType(p.sampleType, 'sample_type') ?? { type: 'samples', unit: 'count' };
  const periodTypeVt = tables.valueType(p.periodType, 'period_type');
  const profileType = typeOfProfile ?? profileTypeOf(sampleTypeVt, periodTypeVt);
  const period = p.period;
  const periodType = periodTypeVt?.type ?? '';
  const periodUnit = periodTypeVt?.unit ?? '';
  const { scale, unit } = isSampleCountType(profileType)
    ? { scale: 1, unit: 'count' }
    : valueScale(sampleTypeVt.unit, periodType, periodUnit, period);

  // Merge as pprof does, by (pprof stack, label set), in first-seen order (MergedSamples:
  // the cache's scratch, reused from one profile to the next).
  const cache = tables.cache;
  cache.beginProfile();
  const samples = part.samples;
  const merged = cache.merged as MergedSamples<LabelSet>;
  merged.begin(samples.length);
  let minTs: bigint | undefined;
  let maxTs: bigint | undefined;
  for (let si = 0; si < samples.length; si++) {
    const s = samples[si]!;
    const nv = s.values.length;
    const nt = s.timestampsUnixNano.length;
    if (nv !== 0 && nt !== 0 && nv !== nt) {
      throw new BadData(`samples[${si}] has ${nv} values but ${nt} timestamps; values[i] must belong to timestamps[i]`);
    }
    if (nv === 0 && nt === 0) continue;
    const known = tables.stackAt(s.stackIndex);
    const st = known >= 0 ? known : tables.stack(s.stackIndex, si);
    const ls = tables.labelSet(s, si);
    for (let j = 0; j < nt; j++) {
      const t = s.timestampsUnixNano[j]!;
      if (minTs === undefined || t < minTs) minTs = t;
      if (maxTs === undefined || t > maxTs) maxTs = t;
    }
    let v = 0;
    if (nv === 0) v = nt;
    else for (let j = 0; j < nv; j++) v += s.values[j]!;
    merged.add(st, ls.id, ls, s.stackIndex, v);
  }
  const count = merged.count;
  const mergedStacks = merged.pprof;
  const mergedValues = merged.value;
  const mergedLabels = merged.labels;

  // The store's view: frames and stacks of this profile, span attribution, threads. Frames
  // are the cache's shared objects; their global ids and the stacks' go along (resolved).
  const allFrames = cache.frames;
  const values = cache.stackValues;
  const frameIndex = cache.frameIndex;
  const stackIndex = cache.stackIndex;
  const frames: FrameInfo[] = [];
  // Global ids straight into typed arrays (a scratch the cache keeps for the frames, whose
  // number is known only at the end; one of the merged samples' count for the stacks).
  let frameGids = cache.frameGidScratch;
  // The profile's stacks: their global ids and values by stack index, their frames last.
  // Each store stack's frames, as indices of the profile's frames, are written to a scratch
  // when it is first walked (walkedFrames, at the offset walkedAt gives per stack).
  let walkedFrames = cache.walkedFrameScratch;
  let walked = 0;
  if (cache.walkedAtScratch.length < count) cache.walkedAtScratch = new Int32Array(Math.max(count, 2 * cache.walkedAtScratch.length));
  const walkedAt = cache.walkedAtScratch;
  const stackGids = new Int32Array(count);
  const stackValues = new Float64Array(count);
  let stackCount = 0;
  const spanIndex = new Map<number | string, SpanSample>();
  const threads = new Map<string, number>();
  let total = 0;
  // Frames in the order pprof's locations would list them: by first use, zero-valued samples
  // included (so functions are written in the same order as by the pprof path). A store stack
  // walked once is marked -2 - the offset of its frames in walkedFrames (walked, not listed yet).
  for (let k = 0; k < count; k++) {
    const g = cache.storeStack(mergedStacks[k]!);
    if (stackIndex.get(g) !== -1) continue;
    stackIndex.set(g, -2 - walked);
    const start = cache.stackStart(g);
    const end = start + cache.stackLength(g);
    if (walked + end - start > walkedFrames.length) walkedFrames = cache.walkedFrameScratch = growInt32(walkedFrames, walked + end - start);
    for (let f = start; f < end; f++) {
      const fg = values[f]!;
      let fi = frameIndex.get(fg);
      if (fi < 0) {
        fi = frames.length;
        if (fi === frameGids.length) frameGids = cache.frameGidScratch = growInt32(frameGids, fi + 1);
        frameGids[fi] = fg;
        frameIndex.set(fg, fi);
        frames.push(allFrames[fg]!);
      }
      walkedFrames[walked++] = fi;
    }
  }
  const smiSpans = Math.floor(2 ** 30 / Math.max(1, count));
  for (let k = 0; k < count; k++) {
    const mv = mergedValues[k]!;
    if (mv === 0) continue;
    const value = Math.round(mv * scale);
    const g = cache.storeStack(mergedStacks[k]!);
    let si = stackIndex.get(g);
    if (si < 0) {
      const at = -2 - si;
      si = stackCount++;
      stackGids[si] = g;
      walkedAt[si] = at;
      stackIndex.set(g, si);
    }
    stackValues[si] += value;
    total += value;
    const ls = mergedLabels[k]!;
    if (ls.thread !== undefined) threads.set(ls.thread, (threads.get(ls.thread) ?? 0) + value);
    if (ls.spanId !== '' || ls.traceId !== '' || ls.endpoint !== '' || ls.thread !== undefined || ls.threadId !== '') {
      // si < count: a small integer key while it fits.
      const sk = ls.spanKey < smiSpans ? ls.spanKey * count + si : `${ls.spanKey}|${si}`;
      const hit = spanIndex.get(sk);
      if (hit) hit.value += value;
      else
        spanIndex.set(sk, {
          spanId: ls.spanId,
          traceId: ls.traceId,
          localRootSpanId: ls.localRootSpanId,
          endpoint: ls.endpoint,
          threadName: ls.thread ?? '',
          threadId: ls.threadId,
          stack: si,
          value,
        });
    }
  }

  // Every stack's frames as indices of the profile's frames, one array for all of them.
  const offsets = new Int32Array(stackCount + 1);
  let frameRefs = 0;
  for (let k = 0; k < stackCount; k++) {
    offsets[k] = frameRefs;
    frameRefs += cache.stackLength(stackGids[k]!);
  }
  offsets[stackCount] = frameRefs;
  const stackFrames = new Int32Array(frameRefs);
  for (let k = 0, o = 0; k < stackCount; k++) {
    for (let f = walkedAt[k]!, end = f + offsets[k + 1]! - offsets[k]!; f < end; f++) stackFrames[o++] = walkedFrames[f]!;
  }
  const stacks: ExtractedStacks = {
    count: stackCount,
    offsets,
    frames: stackFrames,
    values: stackCount === count ? stackValues : stackValues.slice(0, stackCount),
  };

  // Keep event times inside the window when the profile does not give one.
  let start = p.timeUnixNano;
  let duration = p.durationNano;
  if (start === 0n && minTs !== undefined) start = minTs;
  if (duration === 0n && maxTs !== undefined && maxTs >= start) duration = maxTs - start + 1n;
  const endNs = start + duration;

  const profileKey =
    part.profileKey ??
    contentId(tables, merged, [profileType, sortedLabels(part.labels), sampleTypeVt, periodTypeVt ?? null, period, String(start), String(duration)]);
  return {
    profileKey,
    type: profileType,
    labels: part.labels,
    startMs: Number(start / 1_000_000n),
    endMs: Number((endNs + 999_999n) / 1_000_000n),
    unit,
    sampleType: sampleTypeVt.type,
    sampleUnit: sampleTypeVt.unit,
    periodType,
    periodUnit,
    period,
    frames,
    stacks,
    spanSamples: [...spanIndex.values()],
    threads,
    total,
    sampleCount: count,
    resolved: {
      generation: cache.generation,
      frames: frameGids.slice(0, frames.length),
      stacks: stackCount === count ? stackGids : stackGids.slice(0, stackCount),
    },
  };
}

function sortedLabels(labels: Record<string, string>): [string, string][] {
  return Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]!]);
}

/**
 * A stable 128-bit id from a profile's content, for profiles sent without one: the same
 * content gives the same id whatever the request's table layout, so a re-sent request is
 * recognised as a duplicate. Covers the head, every merged sample (stack locations, labels,
 * value) in order.
 */
function contentId(tables: RequestTables, merged: MergedSamples<LabelSet>, head: unknown[]): string {
  const h: Hash = createHash('sha256');
  h.update(JSON.stringify(head));
  const stackLocal = new Map<number, number>();
  const labelLocal = new Map<number, number>();
  let chunk: string[] = [];
  for (let k = 0; k < merged.count; k++) {
    const pprof = merged.pprof[k]!;
    const labels = merged.labels[k]!;
    let s = stackLocal.get(pprof);
    if (s === undefined) {
      s = stackLocal.size;
      stackLocal.set(pprof, s);
      chunk.push(
        `S${tables
          .stackLocations(merged.stackIndex[k]!)
          .map((i) => tables.locationText(i))
          .join('\u0002')}`,
      );
    }
    let l = labelLocal.get(labels.id);
    if (l === undefined) {
      l = labelLocal.size;
      labelLocal.set(labels.id, l);
      chunk.push(`L${labelSetText(labels)}`);
    }
    chunk.push(`${s}|${l}=${merged.value[k]!}`);
    if (chunk.length >= 4096) {
      h.update(chunk.join('\u0003'));
      chunk = [];
    }
  }
  h.update(chunk.join('\u0003'));
  return h.digest('hex').slice(0, 32);
}

/** Extracts every profile of the request; bad profiles become errors, the rest are kept. */
export function extractRequest(req: ExportProfilesServiceRequest, cache: IngestCache = new IngestCache()): ExtractResult {
  cache.trim();
  const tables = new RequestTables(req.dictionary, cache);
  const out: ExtractResult = { profiles: [], errors: [] };
  for (let ri = 0; ri < req.resourceProfiles.length; ri++) {
    const rp = req.resourceProfiles[ri]!;
    for (let si = 0; si < rp.scopeProfiles.length; si++) {
      const sp = rp.scopeProfiles[si]!;
      const types = scopeProfileTypes(tables, sp.profiles);
      for (let pi = 0; pi < sp.profiles.length; pi++) {
        const profile = sp.profiles[pi]!;
        try {
          const series = tables.seriesLabels(rp.resource?.attributes, sp.scope?.attributes, profile);
          const built = splitByService(tables, profile, series).map((part) => extractPart(tables, profile, part, types[pi]));
          out.profiles.push(...built);
        } catch (e) {
          if (!(e instanceof BadData)) throw e;
          out.errors.push(new ConvertError({ resourceIndex: ri, scopeIndex: si, profileIndex: pi }, e.message));
        }
      }
    }
  }
  return out;
}
