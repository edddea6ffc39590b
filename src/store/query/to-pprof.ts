// Aggregated stacks back to pprof, for `go tool pprof` and any pprof-reading tool. Pure.
// One location per frame (inlining is flattened: a frame that was inlined becomes its own
// location), one function per (name, file, start line); values are in the type's unit.
import { Function as PprofFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { UNKNOWN_FRAME, type FrameTable, type StackValue } from './types.js';

export interface PprofMeta {
  /** Profile type, e.g. `cpu`; the sample type's name. */
  type: string;
  /** The values' unit, e.g. `nanoseconds`, `bytes`, `count`. */
  unit: string;
  /** Window of the selection in unix ms. */
  fromMs: number;
  toMs: number;
  /** Period type, e.g. `cpu`/`nanoseconds`, and its period; omitted when unknown. */
  periodType?: { type: string; unit: string };
  period?: number;
}

/** A stack with the string labels its samples carried (span_id, trace endpoint, …). */
export interface LabelledStack extends StackValue {
  labels?: readonly (readonly [string, string])[];
}

export function stacksToPprof(stacks: Iterable<LabelledStack>, frames: FrameTable, meta: PprofMeta): Profile {
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const functionIds = new Map<string, number>();
  const locationIds = new Map<number, number>();
  const samples: Sample[] = [];

  const locationOf = (frameId: number): number => {
    let id = locationIds.get(frameId);
    if (id !== undefined) return id;
    const f = frames.get(frameId) ?? UNKNOWN_FRAME;
    const fk = `${f.name}\u0000${f.file}\u0000${f.startLine}`;
    let fid = functionIds.get(fk);
    if (fid === undefined) {
      fid = functions.length + 1;
      const name = strings.dedup(f.name);
      functions.push(new PprofFunction({ id: fid, name, systemName: name, filename: strings.dedup(f.file), startLine: f.startLine }));
      functionIds.set(fk, fid);
    }
    id = locations.length + 1;
    locations.push(new Location({ id, line: [new Line({ functionId: fid, line: f.line })] }));
    locationIds.set(frameId, id);
    return id;
  };

  for (const s of stacks) {
    if (s.value === 0) continue;
    const ids: number[] = [];
    for (let i = 0; i < s.frames.length; i++) ids.push(locationOf(s.frames[i]!));
    const label = (s.labels ?? []).filter(([, v]) => v !== '').map(([k, v]) => new Label({ key: strings.dedup(k), str: strings.dedup(v) }));
    // pprof values are integers; averaged (heap) values are fractional.
    samples.push(new Sample({ locationId: ids, value: [Math.round(s.value)], label }));
  }

  const sampleType = new ValueType({ type: strings.dedup(meta.type), unit: strings.dedup(meta.unit) });
  const periodType = meta.periodType
    ? new ValueType({ type: strings.dedup(meta.periodType.type), unit: strings.dedup(meta.periodType.unit) })
    : undefined;
  return new Profile({
    sampleType: [sampleType],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: BigInt(Math.round(meta.fromMs)) * 1_000_000n,
    durationNanos: BigInt(Math.max(0, Math.round(meta.toMs - meta.fromMs))) * 1_000_000n,
    periodType,
    period: meta.period ?? 0,
  });
}
