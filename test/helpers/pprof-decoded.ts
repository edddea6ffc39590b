// pprof bytes decoded by an independent decoder (protobufjs reading
// proto/perftools/profiles/profile.proto) and resolved by value: string indices become
// strings, ids become the records they name. Tests compare these to expectations field by
// field, so our encoder and converter are checked against someone else's reading.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { OTLP_TYPES, independentDecode, type BigintRule } from './independent-proto.js';

export interface ResolvedFunction {
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

export interface ResolvedLine {
  function: ResolvedFunction | undefined;
  line: number;
  column: number;
}

export interface ResolvedMapping {
  memoryStart: bigint;
  memoryLimit: bigint;
  fileOffset: bigint;
  filename: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

export interface ResolvedLocation {
  id: number;
  address: bigint;
  mapping: ResolvedMapping | undefined;
  /** Innermost inlined function first. */
  lines: ResolvedLine[];
}

export interface ResolvedLabel {
  key: string;
  str?: string;
  num?: bigint;
  numUnit?: string;
}

export interface ResolvedSample {
  values: number[];
  /** Leaf first. */
  locations: ResolvedLocation[];
  labels: ResolvedLabel[];
}

export interface ResolvedPprof {
  sampleTypes: { type: string; unit: string }[];
  periodType: { type: string; unit: string } | undefined;
  period: number;
  timeNanos: bigint;
  durationNanos: bigint;
  samples: ResolvedSample[];
  stringTable: string[];
  /** Raw table sizes, to check deduplication. */
  counts: { mappings: number; locations: number; functions: number; strings: number };
}

interface RawPprof {
  sampleType: { type: number; unit: number }[];
  sample: { locationId: number[]; value: number[]; label: { key: number; str: number; num: bigint; numUnit: number }[] }[];
  mapping: {
    id: number;
    memoryStart: bigint;
    memoryLimit: bigint;
    fileOffset: bigint;
    filename: number;
    buildId: number;
    hasFunctions: boolean;
    hasFilenames: boolean;
    hasLineNumbers: boolean;
    hasInlineFrames: boolean;
  }[];
  location: { id: number; mappingId: number; address: bigint; line: { functionId: number; line: number; column: number }[] }[];
  function: { id: number; name: number; systemName: number; filename: number; startLine: number }[];
  stringTable: string[];
  timeNanos: bigint;
  durationNanos: bigint;
  periodType?: { type: number; unit: number };
  period: number;
}

const BIG_FIELDS = new Set(['timeNanos', 'durationNanos', 'address', 'memoryStart', 'memoryLimit', 'fileOffset', 'num']);
const pprofRule: BigintRule = (_type, field) => BIG_FIELDS.has(field.name);

/** Gunzips when the bytes start with the gzip magic. */
export function maybeGunzip(bytes: Uint8Array): Uint8Array {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/**
 * Decodes (gzip'd or plain) pprof bytes independently, checks the structural rules every
 * reader relies on (string_table[0] = "", non-zero unique ids, every reference resolves),
 * and returns the profile resolved by value.
 */
export function decodePprofIndependent(bytes: Uint8Array): ResolvedPprof {
  const raw = independentDecode(OTLP_TYPES.pprofProfile, maybeGunzip(bytes), pprofRule) as RawPprof;
  const strings = raw.stringTable;
  assert.equal(strings[0], '', 'string_table[0] must be ""');
  const str = (i: number, what: string): string => {
    assert.ok(i >= 0 && i < strings.length, `${what}: string index ${i} out of range`);
    return strings[i]!;
  };
  const byId = <T extends { id: number }>(list: T[], what: string): Map<number, T> => {
    const m = new Map<number, T>();
    for (const x of list) {
      assert.ok(x.id > 0, `${what} id must be non-zero`);
      assert.ok(!m.has(x.id), `${what} id ${x.id} is not unique`);
      m.set(x.id, x);
    }
    return m;
  };
  const functions = new Map<number, ResolvedFunction>();
  for (const [id, f] of byId(raw.function, 'function')) {
    functions.set(id, {
      name: str(f.name, 'function.name'),
      systemName: str(f.systemName, 'function.system_name'),
      filename: str(f.filename, 'function.filename'),
      startLine: f.startLine,
    });
  }
  const mappings = new Map<number, ResolvedMapping>();
  for (const [id, m] of byId(raw.mapping, 'mapping')) {
    mappings.set(id, {
      memoryStart: m.memoryStart,
      memoryLimit: m.memoryLimit,
      fileOffset: m.fileOffset,
      filename: str(m.filename, 'mapping.filename'),
      buildId: str(m.buildId, 'mapping.build_id'),
      hasFunctions: m.hasFunctions,
      hasFilenames: m.hasFilenames,
      hasLineNumbers: m.hasLineNumbers,
      hasInlineFrames: m.hasInlineFrames,
    });
  }
  const locations = new Map<number, ResolvedLocation>();
  for (const [id, l] of byId(raw.location, 'location')) {
    if (l.mappingId !== 0) assert.ok(mappings.has(l.mappingId), `location ${id}: mapping ${l.mappingId} missing`);
    locations.set(id, {
      id,
      address: l.address,
      mapping: l.mappingId === 0 ? undefined : mappings.get(l.mappingId),
      lines: l.line.map((ln) => {
        if (ln.functionId !== 0) assert.ok(functions.has(ln.functionId), `location ${id}: function ${ln.functionId} missing`);
        return { function: functions.get(ln.functionId), line: ln.line, column: ln.column };
      }),
    });
  }
  const samples = raw.sample.map((s, i) => {
    assert.equal(s.value.length, raw.sampleType.length, `sample ${i}: one value per sample type`);
    return {
      values: s.value,
      locations: s.locationId.map((id) => {
        const l = locations.get(id);
        assert.ok(l, `sample ${i}: location ${id} missing`);
        return l;
      }),
      labels: s.label.map((l) => {
        const out: ResolvedLabel = { key: str(l.key, 'label.key') };
        if (l.str !== 0) out.str = str(l.str, 'label.str');
        else {
          out.num = l.num;
          if (l.numUnit !== 0) out.numUnit = str(l.numUnit, 'label.num_unit');
        }
        return out;
      }),
    };
  });
  return {
    sampleTypes: raw.sampleType.map((t) => ({ type: str(t.type, 'sample_type'), unit: str(t.unit, 'sample_type') })),
    periodType: raw.periodType ? { type: str(raw.periodType.type, 'period_type'), unit: str(raw.periodType.unit, 'period_type') } : undefined,
    period: raw.period,
    timeNanos: raw.timeNanos,
    durationNanos: raw.durationNanos,
    samples,
    stringTable: strings,
    counts: { mappings: raw.mapping.length, locations: raw.location.length, functions: raw.function.length, strings: strings.length },
  };
}

/** A sample's frames, leaf first, inlined frames before their caller: `name file:line`. */
export function frameList(s: ResolvedSample): string[] {
  const out: string[] = [];
  for (const l of s.locations) for (const ln of l.lines) out.push(`${ln.function?.name ?? '?'} ${ln.function?.filename ?? ''}:${ln.line}`);
  return out;
}

/** Labels as a plain record: string labels as text, numeric ones as `num` or `num unit`. */
export function labelRecord(s: ResolvedSample): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of s.labels) out[l.key] = l.str ?? `${l.num}${l.numUnit ? ` ${l.numUnit}` : ''}`;
  return out;
}
