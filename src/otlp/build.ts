// Factories for OTLP messages with every proto3 default filled in, and a builder that
// interns dictionary entries by value. Used by anything that *writes* OTLP profiles: the
// join processor when it adds attributes, the SDK plugin, the CLI and tests.

import type {
  AnyValue,
  ExportProfilesServiceRequest,
  Function as OtlpFunction,
  InstrumentationScope,
  KeyValue,
  KeyValueAndUnit,
  Line,
  Link,
  Location,
  Mapping,
  Profile,
  ProfilesDictionary,
  Resource,
  Sample,
  Span,
  Stack,
  ValueType,
} from './model.js';

const EMPTY_BYTES = new Uint8Array(0);

export function emptyDictionary(): ProfilesDictionary {
  return {
    mappingTable: [],
    locationTable: [],
    functionTable: [],
    linkTable: [],
    stringTable: [],
    attributeTable: [],
    stackTable: [],
  };
}

export function makeProfile(fields: Partial<Profile> = {}): Profile {
  return {
    samples: [],
    timeUnixNano: 0n,
    durationNano: 0n,
    period: 0,
    profileId: EMPTY_BYTES,
    droppedAttributesCount: 0,
    originalPayloadFormat: '',
    originalPayload: EMPTY_BYTES,
    attributeIndices: [],
    ...fields,
  };
}

export function makeSample(fields: Partial<Sample> = {}): Sample {
  return { stackIndex: 0, attributeIndices: [], linkIndex: 0, values: [], timestampsUnixNano: [], ...fields };
}

export function makeSpan(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId'>): Span {
  return {
    traceState: '',
    parentSpanId: EMPTY_BYTES,
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    ...fields,
  };
}

export function makeResource(attributes: Record<string, string | number | boolean> = {}): Resource {
  return { attributes: toKeyValues(attributes), droppedAttributesCount: 0, entityRefs: [] };
}

export function makeScope(name = '', version = ''): InstrumentationScope {
  return { name, version, attributes: [], droppedAttributesCount: 0 };
}

/** A plain JS value as an AnyValue: integers become intValue, other numbers doubleValue. */
export function anyValueOf(v: string | number | boolean | bigint): AnyValue {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'bigint':
      return { intValue: v };
    default:
      return Number.isInteger(v) ? { intValue: BigInt(v) } : { doubleValue: v };
  }
}

export function toKeyValues(attributes: Record<string, string | number | boolean | bigint>): KeyValue[] {
  return Object.entries(attributes).map(([key, v]) => ({ key, value: anyValueOf(v), keyStrindex: 0 }));
}

/** Reads a string attribute (plain or string-table-indexed) from a KeyValue list. */
export function stringAttribute(attributes: readonly KeyValue[] | undefined, key: string, stringTable?: readonly string[]): string | undefined {
  if (!attributes) return undefined;
  for (const kv of attributes) {
    const k = kv.keyStrindex && stringTable ? stringTable[kv.keyStrindex] : kv.key;
    if (k !== key || !kv.value) continue;
    return anyValueToString(kv.value, stringTable);
  }
  return undefined;
}

/** A display string for any AnyValue (what a label or tag shows). */
export function anyValueToString(v: AnyValue, stringTable?: readonly string[]): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.stringValueStrindex !== undefined) return stringTable?.[v.stringValueStrindex] ?? '';
  if (v.intValue !== undefined) return v.intValue.toString();
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue).toString('base64');
  if (v.arrayValue !== undefined) return JSON.stringify(v.arrayValue.values.map((x) => anyValueToString(x, stringTable)));
  if (v.kvlistValue !== undefined) {
    const o: Record<string, string> = {};
    for (const kv of v.kvlistValue.values) {
      const k = kv.keyStrindex && stringTable ? (stringTable[kv.keyStrindex] ?? '') : kv.key;
      o[k] = kv.value ? anyValueToString(kv.value, stringTable) : '';
    }
    return JSON.stringify(o);
  }
  return '';
}

function anyValueKey(v: AnyValue | undefined): string {
  if (!v) return '';
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x));
}

/**
 * Builds a ProfilesDictionary, interning every entry by value so that equal strings,
 * functions, locations, stacks, links and attributes share one index. Index 0 of every
 * table is the zero value, as OTLP requires. Start from an existing dictionary to append
 * to it (its entries keep their indices).
 */
export class DictionaryBuilder {
  readonly dictionary: ProfilesDictionary;
  private readonly strings = new Map<string, number>();
  private readonly functions = new Map<string, number>();
  private readonly locations = new Map<string, number>();
  private readonly stacks = new Map<string, number>();
  private readonly links = new Map<string, number>();
  private readonly mappings = new Map<string, number>();
  private readonly attributes = new Map<string, number>();

  constructor(base?: ProfilesDictionary) {
    const d = base ?? emptyDictionary();
    this.dictionary = d;
    if (d.stringTable.length === 0) d.stringTable.push('');
    if (d.mappingTable.length === 0)
      d.mappingTable.push({ memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: [] });
    if (d.locationTable.length === 0) d.locationTable.push({ mappingIndex: 0, address: 0n, lines: [], attributeIndices: [] });
    if (d.functionTable.length === 0) d.functionTable.push({ nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 });
    if (d.linkTable.length === 0) d.linkTable.push({ traceId: new Uint8Array(16), spanId: new Uint8Array(8) });
    if (d.attributeTable.length === 0) d.attributeTable.push({ keyStrindex: 0, unitStrindex: 0 });
    if (d.stackTable.length === 0) d.stackTable.push({ locationIndices: [] });
    d.stringTable.forEach((s, i) => this.strings.has(s) || this.strings.set(s, i));
    d.functionTable.forEach((f, i) => this.remember(this.functions, functionKey(f), i));
    d.locationTable.forEach((l, i) => this.remember(this.locations, locationKey(l), i));
    d.stackTable.forEach((s, i) => this.remember(this.stacks, s.locationIndices.join(','), i));
    d.linkTable.forEach((l, i) => this.remember(this.links, linkKey(l), i));
    d.mappingTable.forEach((m, i) => this.remember(this.mappings, mappingKey(m), i));
    d.attributeTable.forEach((a, i) => this.remember(this.attributes, attributeKey(a), i));
  }

  private remember(map: Map<string, number>, key: string, index: number): void {
    if (!map.has(key)) map.set(key, index);
  }

  private intern<T>(map: Map<string, number>, table: T[], key: string, make: () => T): number {
    let i = map.get(key);
    if (i === undefined) {
      i = table.length;
      table.push(make());
      map.set(key, i);
    }
    return i;
  }

  string(s: string): number {
    return this.intern(this.strings, this.dictionary.stringTable, s, () => s);
  }

  valueType(type: string, unit: string): ValueType {
    return { typeStrindex: this.string(type), unitStrindex: this.string(unit) };
  }

  function(name: string, filename = '', startLine = 0, systemName = ''): number {
    const f: OtlpFunction = {
      nameStrindex: this.string(name),
      systemNameStrindex: systemName ? this.string(systemName) : 0,
      filenameStrindex: filename ? this.string(filename) : 0,
      startLine,
    };
    return this.intern(this.functions, this.dictionary.functionTable, functionKey(f), () => f);
  }

  mapping(m: Omit<Mapping, 'attributeIndices'> & { attributeIndices?: number[] }): number {
    const full: Mapping = { ...m, attributeIndices: m.attributeIndices ?? [] };
    return this.intern(this.mappings, this.dictionary.mappingTable, mappingKey(full), () => full);
  }

  /** A location from its lines, innermost inlined function first. */
  location(lines: Line[], mappingIndex = 0, address = 0n, attributeIndices: number[] = []): number {
    const l: Location = { mappingIndex, address, lines, attributeIndices };
    return this.intern(this.locations, this.dictionary.locationTable, locationKey(l), () => l);
  }

  /** A stack from location indices, leaf first. */
  stack(locationIndices: number[]): number {
    return this.intern(
      this.stacks,
      this.dictionary.stackTable,
      locationIndices.join(','),
      () =>
        ({
          locationIndices,
        }) satisfies Stack,
    );
  }

  link(traceId: Uint8Array, spanId: Uint8Array): number {
    const l: Link = { traceId, spanId };
    return this.intern(this.links, this.dictionary.linkTable, linkKey(l), () => l);
  }

  attribute(key: string, value: string | number | boolean | bigint | AnyValue, unit = ''): number {
    const a: KeyValueAndUnit = {
      keyStrindex: this.string(key),
      value: typeof value === 'object' ? value : anyValueOf(value),
      unitStrindex: unit ? this.string(unit) : 0,
    };
    return this.intern(this.attributes, this.dictionary.attributeTable, attributeKey(a), () => a);
  }
}

function functionKey(f: OtlpFunction): string {
  return `${f.nameStrindex}/${f.systemNameStrindex}/${f.filenameStrindex}/${f.startLine}`;
}
function locationKey(l: Location): string {
  return `${l.mappingIndex}/${l.address}/${l.lines.map((x) => `${x.functionIndex}:${x.line}:${x.column}`).join(',')}/${l.attributeIndices.join(',')}`;
}
function mappingKey(m: Mapping): string {
  return `${m.memoryStart}/${m.memoryLimit}/${m.fileOffset}/${m.filenameStrindex}/${m.attributeIndices.join(',')}`;
}
function linkKey(l: Link): string {
  return `${Buffer.from(l.traceId).toString('hex')}/${Buffer.from(l.spanId).toString('hex')}`;
}
function attributeKey(a: KeyValueAndUnit): string {
  return `${a.keyStrindex}/${a.unitStrindex}/${anyValueKey(a.value)}`;
}

/** A request with one resource, one scope and the given profiles sharing `dictionary`. */
export function makeProfilesRequest(
  dictionary: ProfilesDictionary,
  profiles: Profile[],
  resource: Resource = makeResource(),
  scope: InstrumentationScope = makeScope(),
): ExportProfilesServiceRequest {
  return {
    dictionary,
    resourceProfiles: [{ resource, scopeProfiles: [{ scope, profiles, schemaUrl: '' }], schemaUrl: '' }],
  };
}
