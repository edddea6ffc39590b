// pprof (as @datadog/pprof produces it) -> one OTLP profiles request in the dictionary
// format. Pure apart from the optional random profile ids: data in, data out.
//
// One pprof with N sample types becomes up to N OTLP Profiles (OTLP has one sample type per
// Profile), all sharing the request's dictionary. The span labels the sampler attached
// (trace_id + span_id) become a Link with sample.link_index; every other label becomes a
// sample attribute, so the join attributes travel even to a bridge that never sees the spans.
import { randomBytes } from 'node:crypto';
import { DictionaryBuilder, makeProfile, makeProfilesRequest, makeSample } from '../otlp/build.js';
import { bytesOfHex, type ExportProfilesServiceRequest, type InstrumentationScope, type Line, type Profile, type Resource } from '../otlp/index.js';
import { SAMPLE_LABELS } from './spans.js';

export type Numeric = number | bigint;

/** The pprof-format Profile object @datadog/pprof returns (typed through it: one copy of the types). */
export type PprofProfile = ReturnType<(typeof import('@datadog/pprof'))['time']['stop']>;

/** One collected pprof and the time window it covers. */
export interface PprofWindow {
  profile: PprofProfile;
  startUnixNano: bigint;
  /** 0 for snapshot profiles (heap). */
  durationNano: bigint;
  /** pprof sample type names to send, e.g. ['sample', 'wall', 'cpu']; types not present are skipped. */
  types: readonly string[];
}

export interface ConvertOptions {
  resource: Resource;
  scope: InstrumentationScope;
  /** Attributes added to every sample (thread.name, thread.id), unless a label of the same key is there. */
  sampleAttributes?: Readonly<Record<string, string | number>>;
  /** Samples whose leaf function has one of these names get `syntheticAttributes` instead of `sampleAttributes`. */
  syntheticLeaves?: ReadonlyMap<string, Readonly<Record<string, string | number>>>;
  /** Profile ids; random 16 bytes by default. */
  profileId?: () => Uint8Array;
}

/** `profile.frame.type` value of JavaScript frames (OTel semantic conventions). */
export const FRAME_TYPE_ATTR = 'profile.frame.type';
export const FRAME_TYPE_V8JS = 'v8js';

const num = (v: Numeric | undefined): number => (v === undefined ? 0 : Number(v));

/**
 * Appends the Profiles of one pprof to `b`'s dictionary. Samples with the same stack, labels
 * and link are merged; samples whose value is 0 for a type are left out of that type's
 * Profile (the wall profiler reports idle and non-JS CPU with 0 wall time).
 */
export function pprofToOtlpProfiles(b: DictionaryBuilder, w: PprofWindow, options: Omit<ConvertOptions, 'resource' | 'scope'> = {}): Profile[] {
  const p = w.profile;
  const strings = p.stringTable.strings;
  const str = (i: Numeric | undefined): string => strings[num(i)] ?? '';

  const columns: { column: number; type: string; unit: string }[] = [];
  for (const type of w.types) {
    const column = p.sampleType.findIndex((vt) => str(vt.type) === type);
    if (column >= 0) columns.push({ column, type, unit: str(p.sampleType[column]!.unit) });
  }
  if (columns.length === 0) return [];

  const functionName = new Map<number, string>();
  const hasFile = new Set<number>();
  const functions = new Map<number, number>();
  for (const f of p.function) {
    const name = str(f.name);
    const file = str(f.filename);
    functionName.set(num(f.id), name);
    if (file !== '') hasFile.add(num(f.id));
    functions.set(num(f.id), b.function(name, file, num(f.startLine)));
  }
  const frameType = b.attribute(FRAME_TYPE_ATTR, FRAME_TYPE_V8JS);
  const locations = new Map<number, { index: number; leafName: string }>();
  for (const loc of p.location) {
    const lines: Line[] = loc.line.map((l) => ({ functionIndex: functions.get(num(l.functionId)) ?? 0, line: num(l.line), column: num(l.column) }));
    // A frame with a script file is JavaScript; "(garbage collector)" and friends are not.
    const isJs = loc.line.some((l) => hasFile.has(num(l.functionId)));
    const leaf = loc.line[0];
    locations.set(num(loc.id), {
      index: b.location(lines, 0, 0n, isJs ? [frameType] : []),
      leafName: leaf ? (functionName.get(num(leaf.functionId)) ?? '') : '',
    });
  }

  const attrCache = new Map<string, number>();
  const attr = (key: string, value: string | number): number => {
    const k = `${key}\u0000${typeof value}\u0000${value}`;
    let i = attrCache.get(k);
    if (i === undefined) attrCache.set(k, (i = b.attribute(key, value)));
    return i;
  };
  const linkCache = new Map<string, number>();
  const link = (traceId: string, spanId: string): number => {
    const k = `${traceId}/${spanId}`;
    let i = linkCache.get(k);
    if (i === undefined) {
      try {
        i = b.link(bytesOfHex(traceId), bytesOfHex(spanId));
      } catch {
        i = 0; // not hex: leave the sample unlinked rather than lose it
      }
      linkCache.set(k, i);
    }
    return i;
  };

  interface Acc {
    stackIndex: number;
    attributeIndices: number[];
    linkIndex: number;
    values: number[];
  }
  const merged = new Map<string, Acc>();
  for (const s of p.sample) {
    const locationIndices: number[] = [];
    let leafName = '';
    for (let i = 0; i < s.locationId.length; i++) {
      const l = locations.get(num(s.locationId[i]));
      if (l === undefined) continue;
      if (locationIndices.length === 0) leafName = l.leafName;
      locationIndices.push(l.index);
    }
    const stackIndex = b.stack(locationIndices);

    let traceId = '';
    let spanId = '';
    const keys = new Set<string>();
    const attributeIndices: number[] = [];
    for (const label of s.label) {
      const key = str(label.key);
      const value: string | number = num(label.str) !== 0 ? str(label.str) : num(label.num);
      if (key === SAMPLE_LABELS.traceId) traceId = String(value);
      else if (key === SAMPLE_LABELS.spanId) spanId = String(value);
      else if (!keys.has(key)) {
        keys.add(key);
        attributeIndices.push(attr(key, value));
      }
    }
    const extra = options.syntheticLeaves?.get(leafName) ?? options.sampleAttributes;
    if (extra) {
      for (const [key, value] of Object.entries(extra)) {
        if (keys.has(key)) continue;
        keys.add(key);
        attributeIndices.push(attr(key, value));
      }
    }
    const linkIndex = traceId !== '' && spanId !== '' ? link(traceId, spanId) : 0;

    const k = `${stackIndex}|${attributeIndices.join(',')}|${linkIndex}`;
    let acc = merged.get(k);
    if (acc === undefined) {
      acc = { stackIndex, attributeIndices, linkIndex, values: columns.map(() => 0) };
      merged.set(k, acc);
    }
    for (let c = 0; c < columns.length; c++) acc.values[c]! += num(s.value[columns[c]!.column]);
  }

  const periodType = p.periodType ? b.valueType(str(p.periodType.type), str(p.periodType.unit)) : undefined;
  const newId = options.profileId ?? (() => new Uint8Array(randomBytes(16)));
  const profiles: Profile[] = [];
  columns.forEach(({ type, unit }, c) => {
    const samples = [];
    for (const acc of merged.values()) {
      const v = acc.values[c]!;
      if (v === 0) continue;
      samples.push(makeSample({ stackIndex: acc.stackIndex, attributeIndices: acc.attributeIndices, linkIndex: acc.linkIndex, values: [v] }));
    }
    if (samples.length === 0) return;
    profiles.push(
      makeProfile({
        sampleType: b.valueType(type, unit),
        samples,
        timeUnixNano: w.startUnixNano,
        durationNano: w.durationNano,
        ...(periodType ? { periodType } : {}),
        period: num(p.period),
        profileId: newId(),
      }),
    );
  });
  return profiles;
}

/** One request holding every window's Profiles, or undefined when none has a sample. */
export function toProfilesRequest(windows: readonly PprofWindow[], options: ConvertOptions): ExportProfilesServiceRequest | undefined {
  const b = new DictionaryBuilder();
  const profiles: Profile[] = [];
  for (const w of windows) profiles.push(...pprofToOtlpProfiles(b, w, options));
  if (profiles.length === 0) return undefined;
  return makeProfilesRequest(b.dictionary, profiles, options.resource, options.scope);
}
