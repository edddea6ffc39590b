// The request-wide and per-pprof tables of the OTLP -> pprof conversion, shared by its two
// outputs: the pprof-format model (convert.ts) and pprof bytes written directly
// (encode-direct.ts). Both walk the same samples in the same order through the same code, so
// they intern the same strings, functions, mappings and locations in the same order, reject
// the same profiles with the same messages, and derive the same content ids. The conversion's
// choices are described at the top of convert.ts.
import { createHash } from 'node:crypto';
import {
  Function as PprofFunction,
  Label as PprofLabel,
  Line as PprofLine,
  Location as PprofLocation,
  Mapping as PprofMapping,
  Profile as PprofProfile,
  emptyTableToken,
  StringTable,
  ValueType as PprofValueType,
} from 'pprof-format';
import { ConvertError, type ProfilePosition } from '../errors.js';
import type {
  AnyValue,
  ExportProfilesServiceRequest,
  Function as OtlpFunction,
  KeyValue,
  KeyValueAndUnit,
  Line,
  Link,
  Location,
  Mapping,
  Profile,
  Stack,
} from '../otlp/model.js';
import { columnarProfile, selectSamples, timestampAt, type ColumnarProfile, type SampleColumns } from '../otlp/columns/samples.js';
import { hasStackObjects, type AnyDictionary } from '../otlp/columns/stacks.js';
import { anyValueToString, emptyDictionary } from '../otlp/build.js';
import { hexOf, isZeroId } from '../otlp/ids.js';
import { CONTEXT_ATTRIBUTE_KEYS, PPROF_LABELS, attributeLabel, linkIds, sampleLabels, type LabelSpec, type ResolvedAttribute } from './labels.js';
import { profileTypeOf, profileTypesOf, type ProfileHead, type TypeAndUnit } from './profile-type.js';
import { namingValue, SERVICE_NAME_KEY, unknownServiceName } from './service-name.js';
import { growInt32 } from '../otlp/columns/grow.js';
import { IdRuns, IntPairs, RunList } from './id-runs.js';
import { ID_LABEL_KEYS, LabelRuns } from './label-runs.js';
import type { ConvertedProfile, PprofSummary } from './types.js';

/** How per-event sample timestamps are kept; see the comment at the top of convert.ts. */
export type TimestampMode = 'aggregate' | 'label';

/** Mapping attribute keys that carry a build id, in order of preference. */
export const BUILD_ID_ATTR_KEYS = [
  'process.executable.build_id.gnu',
  'process.executable.build_id.go',
  'process.executable.build_id.htlhash',
] as const;

/** Bad data inside one profile; becomes a ConvertError with the profile's position. */
export class BadData extends Error {}

export const ZERO_MAPPING: Mapping = { memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] };
export const ZERO_LOCATION: Location = { mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] };
export const ZERO_FUNCTION: OtlpFunction = { nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 };
export const ZERO_LINK: Link = { traceId: new Uint8Array(0), spanId: new Uint8Array(0) };
export const ZERO_ATTRIBUTE: KeyValueAndUnit = { keyStrindex: 0, unitStrindex: 0 };
export const ZERO_STACK: Stack = { locationIndices: [] };

/**
 * `table[i]`, bounds-checked. OTLP requires a zero entry at index 0 of every table; a
 * sender that leaves a table empty still means "none" by 0, so that is tolerated.
 */
export function entry<T>(table: readonly T[], i: number, zero: T, name: string, what: () => string): T {
  if (Number.isInteger(i) && i >= 0 && i < table.length) return table[i]!;
  if (i === 0 && table.length === 0) return zero;
  throw new BadData(`${what()} ${i} is out of range (${name} has ${table.length} entries)`);
}

/** 53-bit-safe values as numbers: the pprof encoder is much faster on numbers than bigints. */
export function num(v: bigint): number | bigint {
  return v <= 9007199254740991n && v >= -9007199254740991n ? Number(v) : v;
}

/**
 * Request-wide lookups, memoized: the dictionary is shared by every profile of a request.
 * `D`: the dictionary's form (the conversion reads either; the store's ingest, objects).
 */
export class RequestTables<D extends AnyDictionary = AnyDictionary> {
  readonly d: D;
  private readonly attributes = new Map<number, ResolvedAttribute>();

  constructor(dictionary: D | undefined) {
    // The empty dictionary is of both forms: its stack table is empty.
    this.d = dictionary ?? (emptyDictionary() as D);
  }

  string(i: number, what: () => string): string {
    return entry(this.d.stringTable, i, '', 'string_table', what);
  }

  /** A sample or period type's resolved type and unit; undefined when absent or both empty. */
  valueType(vt: Profile['sampleType'], field: string): TypeAndUnit | undefined {
    if (!vt) return undefined;
    const type = this.string(vt.typeStrindex, () => `${field}.type_strindex`);
    const unit = this.string(vt.unitStrindex, () => `${field}.unit_strindex`);
    return type === '' && unit === '' ? undefined : { type, unit };
  }

  /** Checks every string index inside an AnyValue (they may nest in arrays and maps). */
  checkValue(v: AnyValue | undefined, what: () => string): void {
    if (!v) return;
    if (v.stringValueStrindex !== undefined) this.string(v.stringValueStrindex, () => `${what()}.string_value_strindex`);
    if (v.arrayValue) v.arrayValue.values.forEach((x, k) => this.checkValue(x, () => `${what()}.array_value[${k}]`));
    if (v.kvlistValue) {
      v.kvlistValue.values.forEach((kv, k) => {
        if (kv.keyStrindex) this.string(kv.keyStrindex, () => `${what()}.kvlist_value[${k}].key_strindex`);
        this.checkValue(kv.value, () => `${what()}.kvlist_value[${k}]`);
      });
    }
  }

  /** The resolved attribute when already resolved (no error context needed). */
  cachedAttribute(i: number): ResolvedAttribute | undefined {
    return this.attributes.get(i);
  }

  attribute(i: number, what: () => string): ResolvedAttribute {
    const hit = this.attributes.get(i);
    if (hit) return hit;
    const a = entry(this.d.attributeTable, i, ZERO_ATTRIBUTE, 'attribute_table', what);
    const at = () => `attribute_table[${i}]`;
    const r: ResolvedAttribute = {
      key: this.string(a.keyStrindex, () => `${at()}.key_strindex`),
      value: a.value,
      unit: this.string(a.unitStrindex, () => `${at()}.unit_strindex`),
    };
    this.checkValue(a.value, () => `${at()}.value`);
    this.attributes.set(i, r);
    return r;
  }

  private keyValueLabels(attrs: readonly KeyValue[] | undefined, out: Record<string, string>, where: string): void {
    if (!attrs) return;
    attrs.forEach((kv, k) => {
      const key = kv.keyStrindex ? this.string(kv.keyStrindex, () => `${where}.attributes[${k}].key_strindex`) : kv.key;
      this.checkValue(kv.value, () => `${where}.attributes[${k}].value`);
      addSeriesLabel(out, key, kv.value, this.d.stringTable);
    });
  }

  /**
   * Resource, then scope, then profile-level attributes, as strings. The first source
   * to set a key wins: the resource names the entity being profiled, and a scope or profile
   * attribute should not move a profile to another service's series.
   */
  seriesLabels(resource: readonly KeyValue[] | undefined, scope: readonly KeyValue[] | undefined, profile: Profile<unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    this.keyValueLabels(resource, out, 'resource');
    this.keyValueLabels(scope, out, 'scope');
    profile.attributeIndices.forEach((ai, k) => {
      const a = this.attribute(ai, () => `attribute_indices[${k}]`);
      addSeriesLabel(out, a.key, a.value, this.d.stringTable);
    });
    if (!out[SERVICE_NAME_KEY]) out[SERVICE_NAME_KEY] = unknownServiceName(out['process.executable.name']);
    return out;
  }

  private serviceByAttribute: Map<number, string> | undefined;

  /**
   * Attribute table index -> the service it names, for every `service.name` attribute with a
   * value (built once per request: most requests have none, and then no sample is scanned).
   */
  serviceAttributes(): Map<number, string> {
    if (this.serviceByAttribute) return this.serviceByAttribute;
    const m = new Map<number, string>();
    const t = this.d.attributeTable;
    for (let i = 1; i < t.length; i++) {
      const a = t[i]!;
      if (this.d.stringTable[a.keyStrindex] !== SERVICE_NAME_KEY) continue;
      const v = namingValue(a.value, this.d.stringTable);
      if (v !== '') m.set(i, v);
    }
    return (this.serviceByAttribute = m);
  }
}

/** Sample i's own service (its first `service.name` attribute with a value), or undefined. */
function sampleService(c: SampleColumns, i: number, services: Map<number, string>): string | undefined {
  const a = c.attrs;
  for (let k = c.attrStart[i]!, end = c.attrStart[i + 1]!; k < end; k++) {
    const v = services.get(a[k]!);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * The profile as one part per service its samples name, each with its series labels. A
 * profile whose samples name no other service than its own is returned as it is.
 */
export function splitByService(
  tables: RequestTables,
  p: ColumnarProfile,
  series: Record<string, string>,
): [ColumnarProfile, Record<string, string>][] {
  const services = tables.serviceAttributes();
  const own = series[SERVICE_NAME_KEY]!;
  if (services.size === 0) return [[p, series]];
  const parts = new Map<string, number[]>();
  let mixed = false;
  const c = p.samples;
  for (let i = 0; i < c.length; i++) {
    const svc = sampleService(c, i, services) ?? own;
    if (svc !== own) mixed = true;
    let list = parts.get(svc);
    if (!list) parts.set(svc, (list = []));
    list.push(i);
  }
  if (!mixed) return [[p, series]];
  const out: [ColumnarProfile, Record<string, string>][] = [];
  for (const [svc, indices] of parts) {
    const samples = selectSamples(c, indices);
    // A sender's profile id names the whole profile; each part gets its own id derived from it
    // (a zero id stays zero: the content id then covers the service through the labels).
    const profileId = isZeroId(p.profileId) ? p.profileId : partId(p.profileId, svc);
    out.push([
      { ...p, samples, profileId },
      { ...series, [SERVICE_NAME_KEY]: svc },
    ]);
  }
  return out;
}

function partId(id: Uint8Array, service: string): Uint8Array {
  const h = createHash('sha256');
  h.update(id);
  h.update('\u0000');
  h.update(service);
  return new Uint8Array(h.digest().subarray(0, 16));
}

/** Adds one series label (first value wins), as its own property even when named `__proto__`. */
export function addSeriesLabel(out: Record<string, string>, key: string, v: AnyValue | undefined, strings: readonly string[]): void {
  if (key === '' || !v || Object.prototype.hasOwnProperty.call(out, key)) return;
  const s = anyValueToString(v, strings);
  // defineProperty: `out.__proto__ = s` would be ignored, losing an attribute of that name.
  if (s !== '') Object.defineProperty(out, key, { value: s, enumerable: true, writable: true, configurable: true });
}

/**
 * A sample's attribute indices as a key, without building a string for the usual short
 * lists: their integer key (shortAttributeKey), else the indices' text. Order is kept
 * (label identity is order-independent: label-runs.ts).
 */
function rawAttributeKey(pool: Float64Array, from: number, n: number): number | string {
  // Number#toString as Array#join writes it.
  return shortAttributeKey(pool, from, n) ?? Array.prototype.join.call(pool.subarray(from, from + n), ',');
}

/**
 * The attribute list a[from, from + n) as a small integer key, for the usual short lists (the
 * converter and the store key what they work out per list by it; V8 hashes such keys without
 * allocating): none is -1, one index i is -2 - i, two indices below 2^15 pack into
 * a * 2^15 + b; undefined for any other list. Integers only: a fraction in a list would make
 * its key another list's.
 */
export function shortAttributeKey(a: ArrayLike<number>, from: number, n: number): number | undefined {
  if (n === 0) return -1;
  const x = a[from]!;
  if (n === 1 && (x | 0) === x && x >= 0 && x < 2 ** 29) return -2 - x;
  if (n === 2) {
    const y = a[from + 1]!;
    if ((x | 0) === x && (y | 0) === y && x >= 0 && x < 32768 && y >= 0 && y < 32768) return x * 32768 + y;
  }
  return undefined;
}

/** A distinct label of this pprof and its small id (label identity is made of ids: label-runs.ts). */
export interface LabelRef {
  label: PprofLabel;
  id: number;
}

/**
 * A string table with pprof-format's ids and `strings`, without its per-string encoding:
 * pprof-format's StringTable encodes every string into a Uint8Array of its own when it is
 * added (for its `encode()`), about 6 k small buffers per 100 k-sample profile that only the
 * model's own encoder reads. For a tables-only model written by encodeProfileFast, which
 * reads `strings` alone; its `encode()` and `encodedLength` are not to be used.
 */
export class PlainStringTable extends StringTable {
  private readonly ids = new Map<string, number>();

  constructor() {
    super(emptyTableToken);
    this.dedup('');
  }

  override dedup(s: string | number): number {
    if (typeof s === 'number') return s;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.push(s) - 1;
      this.ids.set(s, id);
    }
    return id;
  }
}

/**
 * The interning structures and per-dictionary index arrays of a PprofBuilder, which a caller
 * may keep and hand to the next builder on the same thread (the direct encoder does: see
 * BuildScratch there): on a 100 k-sample profile they grow to a few MB by doubling, each
 * growth a new ArrayBuffer and a copy. A builder given one owns it until it is done; reset()
 * makes it ready for the next.
 */
export class BuilderArrays {
  readonly stackRuns = new IdRuns();
  /** Label runs and their identity halves (see label-runs.ts). */
  readonly labelSetIds = new IdRuns();
  readonly setRefs = new RunList();
  /** Attribute lists by integer key (rawAttributeKey); (link, list) pairs of context lists. */
  readonly listKeys = new IntPairs();
  readonly pairKeys = new IntPairs();
  /** The model converter's: label identities and (head, tail) run pairs to dense ids. */
  readonly labelPairs = new IntPairs();
  readonly runPairs = new IntPairs();
  /** Function and location keys as integer runs (see PprofBuilder.functionId, locationId). */
  readonly functionKeys = new IdRuns();
  readonly locationKeys = new IdRuns();
  private ints = new Int32Array(4096);
  private used = 0;

  /** `n` zeros, from the kept pool (exactly `n` long: builders bounds-check by length). */
  zeros(n: number): Int32Array {
    if (this.used + n > this.ints.length) {
      // Views handed out earlier keep the old buffer; the next reset() starts on this one.
      this.ints = new Int32Array(Math.max(2 * this.ints.length, 2 * (this.used + n)));
      this.used = 0;
    }
    const out = this.ints.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }

  /** Bytes held. */
  bytes(): number {
    let n = this.ints.byteLength;
    for (const r of [this.stackRuns, this.labelSetIds, this.setRefs, this.functionKeys, this.locationKeys]) {
      n += r.pool.byteLength + r.start.byteLength + r.len.byteLength;
    }
    return n;
  }

  reset(): void {
    this.ints.fill(0, 0, this.used);
    this.used = 0;
    this.stackRuns.reset();
    this.labelSetIds.reset();
    this.setRefs.reset();
    this.listKeys.reset();
    this.pairKeys.reset();
    this.labelPairs.reset();
    this.runPairs.reset();
    this.functionKeys.reset();
    this.locationKeys.reset();
  }
}

/**
 * Builds one pprof profile's tables and walks its samples; subclasses keep the samples (as
 * pprof-format objects, or as bytes). Lives for one OTLP profile; its tables are that pprof's own.
 */
export abstract class PprofBuilder {
  protected readonly d: AnyDictionary;
  /** OTLP string index -> pprof string id + 1 (0 = not yet). */
  private readonly stringIds: Int32Array;
  private readonly functionIds: Int32Array;
  private readonly locationIds: Int32Array;
  private readonly mappingIds: Int32Array;
  /**
   * Functions and locations are deduplicated by their pprof fields. A key whose numbers all
   * fit an int32 (an address: below 2^53, as two halves) is interned as a run of integers
   * (`functionKeys`, `locationKeys`, with the pprof id of each run in `functionOfKey`,
   * `locationOfKey`): no key string per OTLP entry. Any other is keyed by its text in the
   * maps. Equal fields take the same path, so the two never hold the same key.
   */
  private readonly functionsByKey = new Map<string, number>();
  private readonly locationsByKey = new Map<string, number>();
  private readonly functionKeys: IdRuns;
  private readonly locationKeys: IdRuns;
  private functionOfKey = new Int32Array(256);
  private locationOfKey = new Int32Array(256);
  private keyScratch = new Int32Array(64);
  /** Apart from keyScratch: functions are interned while a location's key is being built. */
  private readonly functionKey = new Int32Array(4);
  private readonly mappingsByKey = new Map<string, number>();
  protected readonly functions: PprofFunction[] = [];
  protected readonly locations: PprofLocation[] = [];
  protected readonly mappings: PprofMapping[] = [];
  /**
   * OTLP stack index -> stack id + 1 (0 = not yet). A stack id is the same for every OTLP
   * stack with the same pprof location sequence; the sequence is `stackRuns` run `id`.
   */
  private readonly stackOf: Int32Array;
  protected readonly stackRuns: IdRuns;
  private idScratch = new Int32Array(64);
  /** Stack id -> its location ids as an array (the model's samples share them), on first use. */
  private readonly stackArrays: (number[] | undefined)[] = [];
  /**
   * Label runs (label-runs.ts): a sample's labels are a head run (its link's, or its own
   * when it has a context attribute) and a tail run (its attribute list's, or empty), with
   * its label identity the pair of their keys. Runs are made once per link, per distinct
   * attribute list, and per (link, attribute list) pair of a list with a context attribute;
   * their labels as arrays on first use (labelsOfRun: the direct encoder never needs them).
   */
  protected readonly labelRuns: LabelRuns;
  private readonly runLabels: (PprofLabel[] | undefined)[] = [];
  /** The model converter's: label identities, and run pairs with their labels' arrays. */
  private readonly labelPairs: IntPairs;
  private readonly runPairs: IntPairs;
  private readonly pairLabels: (PprofLabel[] | undefined)[] = [];
  /** Link index -> its run + 1 (0 = not yet), for link indices in range. */
  private readonly linkRun: Int32Array;
  /**
   * Attribute lists by rawAttributeKey: an integer key is interned (`listKeys`, whose id
   * r < listKeyCount maps to list id + 1 in `listOfKey`), any other by text. A list's id
   * indexes `listTail`: its tail run, or -1 for a list with a context attribute, whose
   * labels depend on the link: those take (link, list) pairs (`pairKeys`, the pair's head
   * run in `pairHead`; its tail is the next run).
   */
  private readonly listKeys: IntPairs;
  private listOfKey = new Int32Array(256);
  private listKeyCount = 0;
  private readonly listsByText = new Map<string, number>();
  private listTail = new Int32Array(256);
  private listCount = 0;
  private readonly pairKeys: IntPairs;
  private pairHead = new Int32Array(256);
  private pairCount = 0;
  /** labelsOf's second result: the sample's tail run. */
  private tailRun = 0;
  /**
   * A head run's `trace endpoint`, when it has one, and what makes one request for
   * endpoint_counts (the local root span, else the trace); only runs with an endpoint are in
   * it (a context list's pairs: a plain list has none).
   */
  private readonly setEndpoints = new Map<number, { endpoint: string; requestKey: string }>();
  /**
   * What an attribute index adds to a sample's labels, once resolved: 0 = not yet, -1 = nothing
   * (service.name), -2 = a context attribute (the set goes through sampleLabels), -3 =
   * nothing (no label), -4 = a plain attribute whose label is not made yet (labels are made
   * after the link's, so that strings are interned in the model converter's order), r + 1 =
   * the label with LabelRef id r.
   */
  private readonly attrInfo: Int32Array;
  /** Link indices in range (0 is, even when the link table is empty). */
  private readonly linkCount: number;
  /** LabelRef id -> its Label, its key's string id, and 1 when its key is one of ID_LABEL_KEYS. */
  protected readonly labelById: PprofLabel[] = [];
  private labelKeyOf = new Int32Array(64);
  private labelIsId = new Uint8Array(64);
  private refScratch = new Int32Array(16);
  /** Labels of plain attributes (see CONTEXT_ATTRIBUTE_KEYS), by attribute index. */
  private readonly attributeLabels = new Map<number, LabelRef | null>();
  /** One Label object per distinct label, and a small id for each (for label identity). */
  private readonly pprofLabels = new Map<string, LabelRef>();
  protected readonly endpoints = new Map<string, Set<string>>();

  constructor(
    protected readonly tables: RequestTables,
    protected readonly mode: TimestampMode,
    /** The pprof's strings: pprof-format's table for a model that encodes itself. */
    protected readonly strings: StringTable = new StringTable(),
    /** Empty (new or reset) structures to build in; the builder's own when not given. */
    arrays: BuilderArrays = new BuilderArrays(),
  ) {
    this.d = tables.d;
    this.stackRuns = arrays.stackRuns;
    this.labelRuns = new LabelRuns(arrays.setRefs, arrays.labelSetIds);
    this.listKeys = arrays.listKeys;
    this.pairKeys = arrays.pairKeys;
    this.labelPairs = arrays.labelPairs;
    this.runPairs = arrays.runPairs;
    this.functionKeys = arrays.functionKeys;
    this.locationKeys = arrays.locationKeys;
    this.stringIds = arrays.zeros(this.d.stringTable.length);
    this.functionIds = arrays.zeros(this.d.functionTable.length);
    this.locationIds = arrays.zeros(this.d.locationTable.length);
    this.mappingIds = arrays.zeros(this.d.mappingTable.length);
    this.stackOf = arrays.zeros(Math.max(1, this.d.stackTable.length));
    this.linkCount = Math.max(1, this.d.linkTable.length);
    this.linkRun = arrays.zeros(this.linkCount);
    this.attrInfo = arrays.zeros(Math.max(1, this.d.attributeTable.length));
  }

  /** pprof string id of an OTLP string index. */
  private sid(i: number, what: () => string): number {
    // A typed array gives undefined for any index outside it, fractions included: those
    // fall through to the bounds check.
    const m = this.stringIds[i] ?? 0;
    if (m !== 0) return m - 1;
    const id = this.strings.dedup(this.tables.string(i, what));
    if (i >= 0 && i < this.stringIds.length) this.stringIds[i] = id + 1;
    return id;
  }

  /**
   * sid for field `field` of function_table[`fi`]: the error text (and a closure for it) is
   * made only for a string index not seen yet. The fixed cost of a request is mostly its
   * dictionary, resolved once per pprof: a text and three closures per function were a
   * good part of what that allocated.
   */
  private functionSid(i: number, fi: number, field: string): number {
    const m = this.stringIds[i] ?? 0;
    return m !== 0 ? m - 1 : this.sid(i, () => `function_table[${fi}].${field}`);
  }

  /** The function of line `k` of location_table[`loc`], function_table[`i`] (error texts made only on a miss). */
  private functionId(i: number, loc: number, k: number): number {
    const memo = this.functionIds[i] ?? 0;
    if (memo !== 0) return memo;
    const table = this.d.functionTable;
    const f =
      (i | 0) === i && i >= 0 && i < table.length
        ? table[i]!
        : entry(table, i, ZERO_FUNCTION, 'function_table', () => `location_table[${loc}].lines[${k}].function_index`);
    const systemName = this.functionSid(f.systemNameStrindex, i, 'system_name_strindex');
    // A function known only by its system name (e.g. an unsymbolized C++ symbol) is shown by it.
    const name = this.functionSid(f.nameStrindex, i, 'name_strindex') || systemName;
    const filename = this.functionSid(f.filenameStrindex, i, 'filename_strindex');
    const startLine = f.startLine;
    let id: number;
    if ((startLine | 0) === startLine) {
      const key = this.functionKey;
      key[0] = name;
      key[1] = systemName;
      key[2] = filename;
      key[3] = startLine;
      const r = this.functionKeys.intern(key, 4);
      this.functionOfKey = growInt32(this.functionOfKey, r + 1);
      id = this.functionOfKey[r]!;
      if (id === 0) this.functionOfKey[r] = id = this.newFunction(name, systemName, filename, startLine);
    } else {
      const key = `${name}/${systemName}/${filename}/${startLine}`;
      id = this.functionsByKey.get(key) ?? 0;
      if (id === 0) this.functionsByKey.set(key, (id = this.newFunction(name, systemName, filename, startLine)));
    }
    if (i < this.functionIds.length) this.functionIds[i] = id;
    return id;
  }

  private newFunction(name: number, systemName: number, filename: number, startLine: number): number {
    const id = this.functions.length + 1;
    this.functions.push(new PprofFunction({ id, name, systemName, filename, startLine }));
    return id;
  }

  private buildId(m: Mapping, at: string): number {
    const found: Partial<Record<string, string>> = {};
    m.attributeIndices.forEach((ai, k) => {
      const a = this.tables.attribute(ai, () => `${at}.attribute_indices[${k}]`);
      if (!(BUILD_ID_ATTR_KEYS as readonly string[]).includes(a.key) || !a.value) return;
      // Build ids are conventionally hex; a bytes value is written as such.
      const v = a.value.bytesValue !== undefined ? hexOf(a.value.bytesValue) : anyValueToString(a.value, this.d.stringTable);
      if (v !== '') found[a.key] = v;
    });
    for (const k of BUILD_ID_ATTR_KEYS) if (found[k] !== undefined) return this.strings.dedup(found[k]);
    return 0;
  }

  private mappingId(i: number, what: () => string): number {
    if (i === 0) return 0; // 0 = unknown or not applicable
    const memo = this.mappingIds[i] ?? 0;
    if (memo !== 0) return memo;
    const m = entry(this.d.mappingTable, i, ZERO_MAPPING, 'mapping_table', what);
    const at = `mapping_table[${i}]`;
    const filename = this.sid(m.filenameStrindex, () => `${at}.filename_strindex`);
    const buildId = this.buildId(m, at);
    const key = `${m.memoryStart}/${m.memoryLimit}/${m.fileOffset}/${filename}/${buildId}`;
    let id = this.mappingsByKey.get(key);
    if (id === undefined) {
      id = this.mappings.length + 1;
      this.mappings.push(
        new PprofMapping({
          id,
          memoryStart: num(m.memoryStart),
          memoryLimit: num(m.memoryLimit),
          fileOffset: num(m.fileOffset),
          filename,
          buildId,
        }),
      );
      this.mappingsByKey.set(key, id);
    }
    this.mappingIds[i] = id;
    return id;
  }

  /** Location `i`, index `k` of stack_table[`stack`] (error texts made only on a miss). */
  private locationId(i: number, stack: number, k: number): number {
    const memo = this.locationIds[i] ?? 0;
    if (memo !== 0) return memo;
    const table = this.d.locationTable;
    const l =
      (i | 0) === i && i >= 0 && i < table.length
        ? table[i]!
        : entry(table, i, ZERO_LOCATION, 'location_table', () => `stack_table[${stack}].location_indices[${k}]`);
    const mappingId = this.mappingIds[l.mappingIndex] || this.locationMappingId(i, l.mappingIndex);
    const address = num(l.address);
    const lines = l.lines;
    // The key: mapping id, address, then function id, line and column of each line with a
    // function (in the order functions were interned before: line by line).
    if (3 + 3 * lines.length > this.keyScratch.length) this.keyScratch = new Int32Array(2 * (3 + 3 * lines.length));
    const key = this.keyScratch;
    let fits = typeof address === 'number';
    key[0] = mappingId;
    if (fits) {
      key[1] = (address as number) >>> 0;
      key[2] = Math.floor((address as number) / 2 ** 32);
    }
    let n = 3;
    for (let k = 0; k < lines.length; k++) {
      const ln = lines[k]!;
      if (ln.functionIndex === 0) continue;
      key[n++] = this.functionIds[ln.functionIndex] || this.lineFunctionId(i, k, ln.functionIndex);
      key[n++] = ln.line;
      key[n++] = ln.column;
      if ((ln.line | 0) !== ln.line || (ln.column | 0) !== ln.column) fits = false;
    }
    let id: number;
    if (fits) {
      const r = this.locationKeys.intern(key, n);
      this.locationOfKey = growInt32(this.locationOfKey, r + 1);
      id = this.locationOfKey[r]!;
      if (id === 0) this.locationOfKey[r] = id = this.newLocation(mappingId, address, key, n);
    } else {
      // The same fields as text: `mapping/address/` and `function:line:column` per line,
      // comma-separated. A number prints as its bigint does.
      let text = `${mappingId}/${address}/`;
      let k = 3;
      for (const ln of lines) {
        if (ln.functionIndex === 0) continue;
        text += `${k === 3 ? '' : ','}${key[k]}:${ln.line}:${ln.column}`;
        k += 3;
      }
      id = this.locationsByKey.get(text) ?? 0;
      if (id === 0) this.locationsByKey.set(text, (id = this.newLocation(mappingId, address, key, n, lines)));
    }
    if (i < this.locationIds.length) this.locationIds[i] = id;
    return id;
  }

  /**
   * A new location of `mappingId` at `address` whose lines are key[3 .. n) (function id,
   * line, column), or, when `lines` is given, the function ids there with line and column
   * from the OTLP lines with a function (a value outside an int32 is not in `key`).
   */
  private newLocation(mappingId: number, address: number | bigint, key: Int32Array, n: number, lines?: readonly Line[]): number {
    const id = this.locations.length + 1;
    // OTLP and pprof agree on order: lines[0] is the innermost inlined function.
    const out: PprofLine[] = [];
    if (lines === undefined) {
      for (let k = 3; k < n; k += 3) out.push(new PprofLine({ functionId: key[k]!, line: key[k + 1]!, column: key[k + 2]! }));
    } else {
      let k = 3;
      for (const ln of lines) {
        if (ln.functionIndex === 0) continue;
        out.push(new PprofLine({ functionId: key[k]!, line: ln.line, column: ln.column }));
        k += 3;
      }
    }
    const loc = new PprofLocation({ id, mappingId, address });
    // The constructor would copy `line` into an array of its own (Line.create per entry).
    loc.line = out;
    this.locations.push(loc);
    if (mappingId !== 0) this.noteMappingCoverage(this.mappings[mappingId - 1]!, out);
    return id;
  }

  private locationMappingId(i: number, mi: number): number {
    return this.mappingId(mi, () => `location_table[${i}].mapping_index`);
  }

  private lineFunctionId(i: number, k: number, fi: number): number {
    return this.functionId(fi, i, k);
  }

  /**
   * pprof readers symbolize a mapping's addresses themselves unless the mapping says its
   * locations already carry functions, so these flags follow what the locations hold.
   */
  private noteMappingCoverage(m: PprofMapping, lines: PprofLine[]): void {
    if (lines.length > 1) m.hasInlineFrames = true;
    for (const ln of lines) {
      const f = this.functions[Number(ln.functionId) - 1]!;
      if (f.name) m.hasFunctions = true;
      if (f.filename) m.hasFilenames = true;
      if (ln.line) m.hasLineNumbers = true;
    }
  }

  /** The stack id of OTLP stack `i`, resolving its locations on first use. */
  private stack(i: number, si: number): number {
    // No closure here (error messages are made in the cold helpers): V8 would allocate a
    // context per call, and per iteration for one capturing the loop variable.
    const d = this.d;
    let idx: ArrayLike<number>;
    let from = 0;
    let n: number;
    if (hasStackObjects(d)) {
      const table = d.stackTable;
      idx = ((i | 0) === i && i >= 0 && i < table.length ? table[i]! : this.stackEntry(i, si)).locationIndices;
      n = idx.length;
    } else {
      const table = d.stackTable;
      if ((i | 0) === i && i >= 0 && i < table.length) {
        idx = table.indices;
        from = table.start[i]!;
        n = table.start[i + 1]! - from;
      } else {
        idx = this.stackEntry(i, si).locationIndices;
        n = idx.length;
      }
    }
    if (n > this.idScratch.length) this.idScratch = new Int32Array(n * 2);
    const ids = this.idScratch;
    for (let k = 0; k < n; k++) {
      const li = idx[from + k]!;
      // The memo check is inlined so the (rare) error message closure is only made on a miss.
      const memo = this.locationIds[li] ?? 0;
      ids[k] = memo !== 0 ? memo : this.stackLocationId(i, k, li);
    }
    const id = this.stackRuns.intern(ids, n);
    if (i >= 0 && i < this.stackOf.length) this.stackOf[i] = id + 1;
    return id;
  }

  /** Stack `i` as `entry` finds it (called when out of range: the zero stack of an empty table, else BadData). */
  private stackEntry(i: number, si: number): Stack {
    const d = this.d;
    if (hasStackObjects(d)) return entry(d.stackTable, i, ZERO_STACK, 'stack_table', () => `samples[${si}].stack_index`);
    const n = d.stackTable.length;
    if (i === 0 && n === 0) return ZERO_STACK;
    throw new BadData(`samples[${si}].stack_index ${i} is out of range (stack_table has ${n} entries)`);
  }

  private stackLocationId(i: number, k: number, li: number): number {
    return this.locationId(li, i, k);
  }

  /** Stack `id`'s location ids, one array per stack id (read-only: samples share it). */
  protected stackLocationIds(id: number): number[] {
    return (this.stackArrays[id] ??= this.stackRuns.ids(id));
  }

  /** Run `r`'s labels, in its order (one array per run, read-only: samples share it). */
  protected labelsOfRun(r: number): PprofLabel[] {
    const known = this.runLabels[r];
    if (known !== undefined) return known;
    const refs = this.labelRuns.refs;
    const s = refs.start[r]!;
    const n = refs.len[r]!;
    const out = new Array<PprofLabel>(n);
    for (let k = 0; k < n; k++) out[k] = this.labelById[refs.pool[s + k]!]!;
    return (this.runLabels[r] = out);
  }

  /**
   * The labels of runs `head` then `tail`, one array per pair of runs (read-only: samples
   * share it); the head's own array when the tail is empty.
   */
  protected labelsOfRuns(head: number, tail: number): PprofLabel[] {
    if (this.labelRuns.refs.len[tail] === 0) return this.labelsOfRun(head);
    const pair = this.runPairs.intern(head, tail);
    const known = this.pairLabels[pair];
    if (known !== undefined) return known;
    return (this.pairLabels[pair] = [...this.labelsOfRun(head), ...this.labelsOfRun(tail)]);
  }

  /** The label identity of runs `head` then `tail` as a dense id: equal for equal labels in any order. */
  protected labelSetId(head: number, tail: number): number {
    const key = this.labelRuns.key;
    return this.labelPairs.intern(key[head]!, key[tail]!);
  }

  /** One shared Label object per distinct label (many label runs repeat e.g. a thread name). */
  private pprofLabel(l: LabelSpec): LabelRef {
    const cacheKey = 'str' in l ? `${l.key}\u0000s${l.str}` : `${l.key}\u0000n${l.num}\u0000${l.numUnit}`;
    let ref = this.pprofLabels.get(cacheKey);
    if (ref === undefined) {
      const key = this.strings.dedup(l.key);
      const label =
        'str' in l
          ? new PprofLabel({ key, str: this.strings.dedup(l.str) })
          : new PprofLabel({ key, num: l.num, numUnit: l.numUnit ? this.strings.dedup(l.numUnit) : 0 });
      ref = { label, id: this.pprofLabels.size };
      this.pprofLabels.set(cacheKey, ref);
      this.labelById.push(label);
      this.labelKeyOf = growInt32(this.labelKeyOf, ref.id + 1);
      this.labelKeyOf[ref.id] = key;
      if (ref.id >= this.labelIsId.length) {
        const grown = new Uint8Array(2 * this.labelIsId.length);
        grown.set(this.labelIsId);
        this.labelIsId = grown;
      }
      this.labelIsId[ref.id] = ID_LABEL_KEYS.has(l.key) ? 1 : 0;
    }
    return ref;
  }

  /** Link `i`'s head run (its labels: span and trace ids), made on first use. */
  private linkRunOf(i: number, si: number): number {
    // The miss path is its own method: a closure in this one would cost a context per call.
    const known = (i | 0) === i && i >= 0 && i < this.linkCount ? this.linkRun[i]! : 0;
    return known !== 0 ? known - 1 : this.newLinkRun(i, si);
  }

  /** Makes link `i`'s labels and run; an index out of range, or bad ids, is BadData. */
  private newLinkRun(i: number, si: number): number {
    const link = i === 0 ? undefined : entry(this.d.linkTable, i, ZERO_LINK, 'link_table', () => `samples[${si}].link_index`);
    try {
      if (link) linkIds(link);
    } catch (err) {
      throw new BadData(`samples[${si}]: link_table[${i}]: ${(err as Error).message}`);
    }
    const spec = sampleLabels(link, [], this.d.stringTable);
    const refs = spec.labels.map((l) => this.pprofLabel(l).id);
    const run = this.labelRuns.add(refs, refs.length);
    // entry() accepted `i`: an in-range integer, or 0 with an empty link table.
    this.linkRun[i] = run + 1;
    return run;
  }

  private attributeLabel(ai: number, si: number, k: number): LabelRef | undefined {
    let l = this.attributeLabels.get(ai);
    if (l === undefined) {
      const a = this.tables.attribute(ai, () => `samples[${si}].attribute_indices[${k}]`);
      // The sample's service is its series' service.name (see splitByService), not a label.
      const spec = a.key === SERVICE_NAME_KEY ? undefined : attributeLabel(a.key, a, this.d.stringTable);
      l = spec ? this.pprofLabel(spec) : null;
      this.attributeLabels.set(ai, l);
    }
    return l ?? undefined;
  }

  /**
   * Resolves every attribute index of sample `si`'s (new) attribute list, with the errors
   * bad ones get; false when one is a context attribute.
   */
  private resolveList(c: SampleColumns, si: number): boolean {
    const pool = c.attrs;
    const from = c.attrStart[si]!;
    const count = c.attrStart[si + 1]! - from;
    const info = this.attrInfo;
    let plain = true;
    for (let k = 0; k < count; k++) {
      const ai = pool[from + k]!;
      let what = info[ai] ?? 0;
      if (what === 0) what = this.resolveAttribute(ai, si, k);
      if (what === -2) plain = false;
    }
    return plain;
  }

  /**
   * The tail run of sample `si`'s attribute list, a plain one (resolved): what sampleLabels
   * gives such a sample after its link's labels, one label per attribute (the first of a
   * repeated key wins); -1 should a label have an id key after all (the list then takes
   * the context lists' path, which is right for every list).
   */
  private plainListRun(c: SampleColumns, si: number): number {
    const pool = c.attrs;
    const from = c.attrStart[si]!;
    const count = c.attrStart[si + 1]! - from;
    const info = this.attrInfo;
    if (count > this.refScratch.length) this.refScratch = new Int32Array(count * 2);
    const ids = this.refScratch;
    let n = 0;
    for (let k = 0; k < count; k++) {
      const ai = pool[from + k]!;
      let what = info[ai]!;
      if (what === -4) {
        const r = this.attributeLabel(ai, si, k);
        what = r === undefined ? -3 : r.id + 1;
        info[ai] = what;
      }
      if (what > 0 && !this.hasKey(ids, n, this.labelKeyOf[what - 1]!)) ids[n++] = what - 1;
    }
    for (let k = 0; k < n; k++) if (this.labelIsId[ids[k]!] === 1) return -1;
    return this.labelRuns.add(ids, n);
  }

  /**
   * The head run of (link `li`, context attribute list of sample `si`): all the sample's
   * labels as sampleLabels gives them, split for identity (label-runs.ts); its tail is the
   * next run.
   */
  private contextRun(c: SampleColumns, si: number, li: number): number {
    const pool = c.attrs;
    const from = c.attrStart[si]!;
    const count = c.attrStart[si + 1]! - from;
    const attrs: ResolvedAttribute[] = [];
    for (let k = 0; k < count; k++) {
      const a = this.tables.cachedAttribute(pool[from + k]!)!;
      if (a.key !== SERVICE_NAME_KEY) attrs.push(a);
    }
    const link = li === 0 ? undefined : this.d.linkTable[li];
    const spec = sampleLabels(link, attrs, this.d.stringTable);
    const refIds = spec.labels.map((l) => this.pprofLabel(l).id);
    const head = this.labelRuns.addSplit(refIds, refIds.length, this.labelIsId);
    if (spec.endpoint !== undefined) {
      this.setEndpoints.set(head, { endpoint: spec.endpoint, requestKey: spec.localRootSpanId ?? spec.traceId ?? '' });
    }
    return head;
  }

  /** Resolves attribute index `ai` for labels (see attrInfo), with the error a bad index gets. */
  private resolveAttribute(ai: number, si: number, k: number): number {
    const a = this.tables.attribute(ai, () => `samples[${si}].attribute_indices[${k}]`);
    let what: number;
    if (a.key === SERVICE_NAME_KEY) what = -1;
    else if (CONTEXT_ATTRIBUTE_KEYS.has(a.key)) what = -2;
    else what = -4;
    // attribute() accepts only an in-range integer index, or 0 when the table is empty.
    if (ai < this.attrInfo.length) this.attrInfo[ai] = what;
    return what;
  }

  /** Whether one of the first `n` label ids has this key. */
  private hasKey(ids: Int32Array, n: number, key: number): boolean {
    const keys = this.labelKeyOf;
    for (let i = 0; i < n; i++) if (keys[ids[i]!] === key) return true;
    return false;
  }

  /**
   * Sample `si`'s label runs: returns its head run and leaves its tail run in `tailRun`. New
   * labels are made in the order the model converter has always made them (its strings are
   * interned in that order): a new list's attributes resolved (their errors first), then a
   * new link's labels, then the list's.
   */
  private labelsOf(c: SampleColumns, si: number): number {
    const li = c.link[si]!;
    const from = c.attrStart[si]!;
    const raw = rawAttributeKey(c.attrs, from, c.attrStart[si + 1]! - from);
    let list = -1;
    let listKey = -1;
    if (typeof raw === 'number') {
      listKey = this.listKeys.intern(raw, 0);
      // Key ids are dense, in order of first appearance, so a new one is listKeyCount.
      if (listKey < this.listKeyCount) list = this.listOfKey[listKey]!;
    } else list = this.listsByText.get(`${raw}`) ?? -1;
    let plain = true;
    if (list < 0) plain = this.resolveList(c, si);
    const linkHead = this.linkRunOf(li, si);
    if (list < 0) list = this.newList(c, si, plain, listKey, `${raw}`);
    const tail = this.listTail[list]!;
    if (tail >= 0) {
      this.tailRun = tail;
      return linkHead;
    }
    // A context list: one run pair per (link, list); `li` is in range (linkRunOf checked).
    const pair = this.pairKeys.intern(li, list);
    let head: number;
    if (pair < this.pairCount) head = this.pairHead[pair]!;
    else {
      head = this.contextRun(c, si, li);
      this.pairHead = growInt32(this.pairHead, pair + 1);
      this.pairHead[pair] = head;
      this.pairCount = pair + 1;
    }
    this.tailRun = head + 1;
    return head;
  }

  /** Registers sample `si`'s attribute list (resolved; `plain` as resolveList said) under its key. */
  private newList(c: SampleColumns, si: number, plain: boolean, listKey: number, text: string): number {
    const list = this.listCount++;
    this.listTail = growInt32(this.listTail, list + 1);
    this.listTail[list] = plain ? this.plainListRun(c, si) : -1;
    if (listKey >= 0) {
      this.listOfKey = growInt32(this.listOfKey, listKey + 1);
      this.listOfKey[listKey] = list;
      this.listKeyCount = listKey + 1;
    } else this.listsByText.set(text, list);
    return list;
  }

  /** Told before the walk how many OTLP samples follow (to size sample storage once). */
  protected expect(_samples: number): void {}
  /**
   * Keeps `value` for the sample (stack, labels: the runs `head` then `tail`), merging it into
   * an earlier one with the same stack and label identity (labelRuns.key of head, of tail).
   */
  protected abstract add(stack: number, head: number, tail: number, value: number): void;
  /** 'label' mode: one sample per (stack, label identity, event time). */
  protected abstract addEvent(stack: number, head: number, tail: number, t: bigint, tsKey: number, value: number): void;

  /**
   * Walks the profile's samples in order, handing each to add / addEvent, then fills in the
   * tables-only model (every field but the samples) and what the exporters read besides.
   */
  protected collect(p: ColumnarProfile, seriesLabels: Record<string, string>, typeOfProfile: string | undefined): Collected {
    const sampleType = this.tables.valueType(p.sampleType, 'sample_type') ?? { type: 'samples', unit: 'count' };
    const periodType = this.tables.valueType(p.periodType, 'period_type');
    let minTs: bigint | undefined;
    let maxTs: bigint | undefined;
    const tsKey = this.mode === 'label' ? this.strings.dedup(PPROF_LABELS.END_TIMESTAMP_NS) : 0;
    // Event times only matter for a window the profile does not give.
    const needTimes = p.timeUnixNano === 0n || p.durationNano === 0n;

    const samples = p.samples;
    const n = samples.length;
    this.expect(n);
    const labelMode = this.mode === 'label';
    const stackOf = this.stackOf;
    const stacks = samples.stack;
    const values = samples.values;
    const valueStart = samples.valueStart;
    const timeStart = samples.timeStart;
    for (let si = 0; si < n; si++) {
      const v0 = valueStart[si]!;
      const nv = valueStart[si + 1]! - v0;
      const t0 = timeStart[si]!;
      const nt = timeStart[si + 1]! - t0;
      if (nv !== 0 && nt !== 0 && nv !== nt) {
        throw new BadData(`samples[${si}] has ${nv} values but ${nt} timestamps; values[i] must belong to timestamps[i]`);
      }
      if (nv === 0 && nt === 0) continue;
      const sx = stacks[si]!;
      const known = stackOf[sx] ?? 0;
      const st = known !== 0 ? known - 1 : this.stack(sx, si);
      const head = this.labelsOf(samples, si);
      const tail = this.tailRun;
      // BigInt timestamps are read only when the window must come from them, or in 'label' mode.
      if (needTimes) {
        for (let j = 0; j < nt; j++) {
          const t = timestampAt(samples, t0 + j);
          if (minTs === undefined || t < minTs) minTs = t;
          if (maxTs === undefined || t > maxTs) maxTs = t;
        }
      }
      if (labelMode && nt !== 0) {
        for (let j = 0; j < nt; j++) this.addEvent(st, head, tail, timestampAt(samples, t0 + j), tsKey, nv === 0 ? 1 : values[v0 + j]!);
      } else if (nv === 1) {
        this.add(st, head, tail, values[v0]!);
      } else {
        let v = 0;
        if (nv === 0) v = nt;
        else for (let j = 0; j < nv; j++) v += values[v0 + j]!;
        this.add(st, head, tail, v);
      }
      if (this.setEndpoints.size !== 0) {
        const e = this.setEndpoints.get(head);
        if (e !== undefined) {
          let set = this.endpoints.get(e.endpoint);
          if (!set) this.endpoints.set(e.endpoint, (set = new Set()));
          set.add(e.requestKey);
        }
      }
    }

    // Keep event times inside the window when the profile does not give one.
    let start = p.timeUnixNano;
    let duration = p.durationNano;
    if (start === 0n && minTs !== undefined) start = minTs;
    if (duration === 0n && maxTs !== undefined && maxTs >= start) duration = maxTs - start + 1n;

    const model = new PprofProfile({
      sampleType: [new PprofValueType({ type: this.strings.dedup(sampleType.type), unit: this.strings.dedup(sampleType.unit) })],
      sample: [],
      mapping: this.mappings,
      location: this.locations,
      function: this.functions,
      stringTable: this.strings,
      timeNanos: num(start),
      durationNanos: num(duration),
      periodType: periodType
        ? new PprofValueType({ type: this.strings.dedup(periodType.type), unit: this.strings.dedup(periodType.unit) })
        : undefined,
      period: p.period,
    });

    const profileType = typeOfProfile ?? profileTypeOf(sampleType, periodType);
    const endpointCounts: Record<string, number> = {};
    for (const [endpoint, requests] of this.endpoints) endpointCounts[endpoint] = requests.size;
    // A profile sent without an id gets contentId(contentHead, its pprof bytes), made by the subclass.
    const hasId = !isZeroId(p.profileId);
    const profileId = hasId ? hexOf(p.profileId) : '';
    const contentHead = hasId
      ? undefined
      : JSON.stringify([
          profileType,
          Object.keys(seriesLabels)
            .sort()
            .map((k) => [k, seriesLabels[k]]),
        ]);
    const summary: PprofSummary = { sampleTypes: [sampleType], periodType: periodType ?? null, period: p.period, sampleCount: 0 };
    return {
      model,
      summary,
      converted: { profileType, seriesLabels, startUnixNano: start, durationNano: duration, profileId, endpointCounts },
      contentHead,
    };
  }
}

/**
 * A stable 128-bit id from a profile's content, for profiles sent without one: the same
 * request converts to the same id, so a retried export overwrites rather than duplicates.
 * It hashes what the pprof does not hold (`head`: profile type and series labels, see
 * PprofBuilder.collect) and the uncompressed pprof bytes, which both converters write
 * identically (encode-direct.ts): hashing bytes already made costs one pass over them,
 * where a text per sample cost more than the conversion itself.
 */
export function contentId(head: string, pprof: Uint8Array): string {
  const h = createHash('sha256');
  h.update(head);
  h.update('\u0000');
  h.update(pprof);
  return h.digest('hex').slice(0, 32);
}

/**
 * The profile type of each profile of one scope (profileTypesOf: a sample count next to the
 * values it counts gets its own type). Undefined for a profile whose types do not resolve;
 * its conversion reports why.
 */
export function scopeProfileTypes(tables: RequestTables, profiles: readonly Profile<unknown>[]): (string | undefined)[] {
  const heads: (ProfileHead | undefined)[] = profiles.map((p) => {
    try {
      const periodType = tables.valueType(p.periodType, 'period_type');
      return {
        sampleType: tables.valueType(p.sampleType, 'sample_type') ?? { type: 'samples', unit: 'count' },
        ...(periodType ? { periodType } : {}),
        window: `${p.timeUnixNano}/${p.durationNano}`,
      };
    } catch (e) {
      if (e instanceof BadData) return undefined;
      throw e;
    }
  });
  const known = heads.filter((h): h is ProfileHead => h !== undefined);
  const types = profileTypesOf(known);
  let k = 0;
  return heads.map((h) => (h === undefined ? undefined : types[k++]));
}

/** How one part of a profile is built (model or bytes); `profileType` as scopeProfileTypes gave it. */
export type PartBuilder<T> = (
  tables: RequestTables,
  mode: TimestampMode,
  part: ColumnarProfile,
  seriesLabels: Record<string, string>,
  profileType: string | undefined,
) => T;

/** What PprofBuilder.collect gives a subclass to finish its profile with. */
export interface Collected {
  /** Every field but `sample`, which is empty. */
  model: PprofProfile;
  /** sampleCount is left 0 for the subclass to set. */
  summary: PprofSummary;
  converted: Omit<ConvertedProfile, 'profile' | 'pprof' | 'summary'>;
  /**
   * Set when the profile has no id: `converted.profileId` is then '' and the id is
   * contentId(contentHead, the pprof's bytes).
   */
  contentHead: string | undefined;
}

/**
 * Walks the request's profiles in request order, splitting each by the services its samples
 * name, and yields `build`'s result per part, or a ConvertError for a profile with bad data
 * (the rest of the request still converts).
 */
export function* eachPart<T>(
  req: ExportProfilesServiceRequest<Profile | ColumnarProfile, AnyDictionary>,
  options: { timestamps?: TimestampMode },
  build: PartBuilder<T>,
): Generator<T | ConvertError, void, undefined> {
  const tables = new RequestTables(req.dictionary);
  const mode = options.timestamps ?? 'aggregate';
  for (let ri = 0; ri < req.resourceProfiles.length; ri++) {
    const rp = req.resourceProfiles[ri]!;
    for (let si = 0; si < rp.scopeProfiles.length; si++) {
      const sp = rp.scopeProfiles[si]!;
      const types = scopeProfileTypes(tables, sp.profiles);
      for (let pi = 0; pi < sp.profiles.length; pi++) {
        const position: ProfilePosition = { resourceIndex: ri, scopeIndex: si, profileIndex: pi };
        let built: T[];
        try {
          // Samples decoded as objects are walked as columns too (one pass to copy them).
          const profile = columnarProfile(sp.profiles[pi]!);
          const series = tables.seriesLabels(rp.resource?.attributes, sp.scope?.attributes, profile);
          built = splitByService(tables, profile, series).map(([part, labels]) => build(tables, mode, part, labels, types[pi]));
        } catch (e) {
          if (!(e instanceof BadData)) throw e;
          yield new ConvertError(position, e.message);
          continue;
        }
        yield* built;
      }
    }
  }
}
