// Several single-type pprof profiles of one window -> one pprof with a sample type per input,
// as profilers that take several measurements at once write them (dd-trace's wall.pprof holds
// wall and cpu time of the same samples). Pure.
//
// Strings, mappings, functions and locations are re-interned by value into the new tables;
// samples with the same stack and the same labels (in any order) become one sample whose
// value i is input i's value (0 where that input has no such sample). The window spans the
// inputs' windows; period and period type are the first input's that has them.
import {
  Function as PprofFunction,
  Label as PprofLabel,
  Line as PprofLine,
  Location as PprofLocation,
  Mapping as PprofMapping,
  Profile as PprofProfile,
  Sample as PprofSample,
  StringTable,
  ValueType as PprofValueType,
} from 'pprof-format';

type Num = number | bigint;

const n = (v: Num | undefined): number => (v === undefined ? 0 : Number(v));
/** 53-bit-safe values stay numbers (the encoder is faster on them). */
const small = (v: bigint): Num => (v <= 9007199254740991n && v >= -9007199254740991n ? Number(v) : v);

/** Input i's single sample type renamed, with its values multiplied by `scale`. */
export interface ColumnRewrite {
  type: string;
  unit: string;
  scale: number;
}

export function mergeProfiles(inputs: readonly PprofProfile[], rewrites: readonly (ColumnRewrite | undefined)[] = []): PprofProfile {
  if (inputs.length === 0) throw new Error('mergeProfiles needs at least one profile');
  const strings = new StringTable();
  const mappings: PprofMapping[] = [];
  const functions: PprofFunction[] = [];
  const locations: PprofLocation[] = [];
  const mappingIds = new Map<string, number>();
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();
  const samples: PprofSample[] = [];
  const sampleByKey = new Map<string, PprofSample>();
  const sampleTypes: PprofValueType[] = [];
  let periodType: PprofValueType | undefined;
  let period: Num = 0;
  let start: bigint | undefined;
  let end: bigint | undefined;

  inputs.forEach((p, column) => {
    const str = p.stringTable.strings;
    const s = (i: Num | undefined): number => strings.dedup(str[n(i)] ?? '');
    const rewrite = p.sampleType.length === 1 ? rewrites[column] : undefined;
    const scale = BigInt(rewrite?.scale ?? 1);
    if (rewrite) sampleTypes.push(new PprofValueType({ type: strings.dedup(rewrite.type), unit: strings.dedup(rewrite.unit) }));
    else for (const vt of p.sampleType) sampleTypes.push(new PprofValueType({ type: s(vt.type), unit: s(vt.unit) }));
    if (periodType === undefined && p.periodType !== undefined && n(p.period) !== 0) {
      periodType = new PprofValueType({ type: s(p.periodType.type), unit: s(p.periodType.unit) });
      period = p.period;
    }
    const t0 = BigInt(p.timeNanos);
    const t1 = t0 + BigInt(p.durationNanos);
    if (start === undefined || t0 < start) start = t0;
    if (end === undefined || t1 > end) end = t1;

    const mapping = new Map<number, number>();
    for (const m of p.mapping) {
      const fields = {
        memoryStart: m.memoryStart,
        memoryLimit: m.memoryLimit,
        fileOffset: m.fileOffset,
        filename: s(m.filename),
        buildId: s(m.buildId),
      };
      const key = `${fields.memoryStart}/${fields.memoryLimit}/${fields.fileOffset}/${fields.filename}/${fields.buildId}`;
      let id = mappingIds.get(key);
      if (id === undefined) {
        id = mappings.length + 1;
        mappings.push(new PprofMapping({ id, ...fields }));
        mappingIds.set(key, id);
      }
      const out = mappings[id - 1]!;
      out.hasFunctions ||= m.hasFunctions;
      out.hasFilenames ||= m.hasFilenames;
      out.hasLineNumbers ||= m.hasLineNumbers;
      out.hasInlineFrames ||= m.hasInlineFrames;
      mapping.set(n(m.id), id);
    }
    const fn = new Map<number, number>();
    for (const f of p.function) {
      const fields = { name: s(f.name), systemName: s(f.systemName), filename: s(f.filename), startLine: f.startLine };
      const key = `${fields.name}/${fields.systemName}/${fields.filename}/${fields.startLine}`;
      let id = functionIds.get(key);
      if (id === undefined) {
        id = functions.length + 1;
        functions.push(new PprofFunction({ id, ...fields }));
        functionIds.set(key, id);
      }
      fn.set(n(f.id), id);
    }
    const loc = new Map<number, number>();
    for (const l of p.location) {
      const mappingId = mapping.get(n(l.mappingId)) ?? 0;
      const lines = l.line.map((ln) => new PprofLine({ functionId: fn.get(n(ln.functionId)) ?? 0, line: ln.line, column: ln.column }));
      const key = `${mappingId}/${l.address}/${lines.map((x) => `${x.functionId}:${x.line}:${x.column}`).join(',')}/${l.isFolded}`;
      let id = locationIds.get(key);
      if (id === undefined) {
        id = locations.length + 1;
        locations.push(new PprofLocation({ id, mappingId, address: l.address, line: lines, isFolded: l.isFolded }));
        locationIds.set(key, id);
      }
      loc.set(n(l.id), id);
    }
    const labelCache = new Map<PprofLabel, PprofLabel>();
    for (const sm of p.sample) {
      const stack = sm.locationId.map((id) => loc.get(n(id)) ?? 0);
      const labels = sm.label.map((l) => {
        let out = labelCache.get(l);
        if (out === undefined) {
          out = new PprofLabel({ key: s(l.key), str: n(l.str) !== 0 ? s(l.str) : 0, num: l.num, numUnit: n(l.numUnit) !== 0 ? s(l.numUnit) : 0 });
          labelCache.set(l, out);
        }
        return out;
      });
      const labelKey = labels
        .map((l) => `${l.key}:${l.str}:${l.num}:${l.numUnit}`)
        .sort()
        .join(',');
      const key = `${stack.join(',')}|${labelKey}`;
      let target = sampleByKey.get(key);
      if (target === undefined) {
        target = new PprofSample({ locationId: stack, label: labels, value: [] });
        sampleByKey.set(key, target);
        samples.push(target);
      }
      const base = columnBase(inputs, column);
      for (let k = 0; k < sm.value.length; k++) {
        const i = base + k;
        while (target.value.length <= i) target.value.push(0);
        target.value[i] = small(BigInt(target.value[i]!) + BigInt(sm.value[k]!) * scale);
      }
    }
  });
  for (const sm of samples) while (sm.value.length < sampleTypes.length) sm.value.push(0);

  return new PprofProfile({
    sampleType: sampleTypes,
    sample: samples,
    mapping: mappings,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: small(start ?? 0n),
    durationNanos: small((end ?? 0n) - (start ?? 0n)),
    periodType,
    period,
  });
}

/** Index of input `column`'s first value among the merged sample types. */
function columnBase(inputs: readonly PprofProfile[], column: number): number {
  let base = 0;
  for (let i = 0; i < column; i++) base += inputs[i]!.sampleType.length;
  return base;
}
