// Content checks on a decoded profiles request, run by the receivers after decoding.
//
// A profile is removed (and counted) when anything it reaches through the shared
// dictionary is out of range — sample stack -> locations -> mapping / lines -> functions ->
// strings, attribute indices (and the strings of those attributes), link index, the
// sample_type / period_type strings, the profile's own attribute indices — or when a sample
// has neither values nor timestamps, or both with different lengths, or a value is negative
// in a profile type whose values only accumulate (cpu, wall, samples, allocations). Resource and scope
// attributes are checked too (key_strindex, string_value_strindex); a bad one removes every
// profile under it. Scopes and resources left with no profiles are dropped. The dictionary is
// kept as it is, so every index that survives stays valid. Pure; the input is not modified.
//
// Index 0 is always allowed, even when its table is empty (a missing table[0] stands for the
// zero entry); a request without a dictionary may therefore only use index 0.
//
// Dictionary entries are checked once each (memoised), so the cost is one pass over the
// samples plus one pass over the entries they reach.
//
// Samples decoded as columns (src/otlp/columns) are checked by the same rules with the same
// messages (validateColumnarProfilesRequest).
import type { AnyValue, ExportProfilesServiceRequest, KeyValue, Profile, ProfilesDictionary, Sample, ScopeProfiles } from '../model.js';
import type { ColumnarProfile, SampleColumns } from '../columns/samples.js';
import { hasStackObjects, type AnyDictionary, type ColumnarDictionary } from '../columns/stacks.js';
import { keptNodes, MessageLog, type ValidationResult } from './result.js';
import { emptyDictionary } from '../build.js';

const UNKNOWN = 0;
const VALID = 1;
const INVALID = 2;

const EMPTY_DICTIONARY: ProfilesDictionary = emptyDictionary();

function inRange(idx: number, len: number): boolean {
  return idx === 0 || (idx > 0 && idx < len);
}

function outOfRange(field: string, idx: number, table: string, len: number): string {
  return `${field} ${idx} out of range (${table} has ${len} entries)`;
}

/** Memoised validity of the entries of one dictionary. Methods return a reason, or undefined when valid. */
export class DictionaryChecker {
  private readonly d: AnyDictionary;
  private readonly stackState: Uint8Array;
  private readonly locationState: Uint8Array;
  private readonly mappingState: Uint8Array;
  private readonly functionState: Uint8Array;
  private readonly attributeState: Uint8Array;
  private readonly reasons = new Map<string, string>();

  constructor(dictionary: AnyDictionary | undefined) {
    const d = dictionary ?? EMPTY_DICTIONARY;
    this.d = d;
    this.stackState = new Uint8Array(d.stackTable.length);
    this.locationState = new Uint8Array(d.locationTable.length);
    this.mappingState = new Uint8Array(d.mappingTable.length);
    this.functionState = new Uint8Array(d.functionTable.length);
    this.attributeState = new Uint8Array(d.attributeTable.length);
  }

  /** The string at a (checked) index; '' for the zero entry or out of range. */
  text(idx: number): string {
    return this.d.stringTable[idx] ?? '';
  }

  /** A string index, as `field idx out of range (...)`. */
  string(field: string, idx: number): string | undefined {
    const len = this.d.stringTable.length;
    return inRange(idx, len) ? undefined : outOfRange(field, idx, 'string_table', len);
  }

  stackIndex(field: string, idx: number): string | undefined {
    const len = this.d.stackTable.length;
    if (!inRange(idx, len)) return outOfRange(field, idx, 'stack_table', len);
    if (idx >= len) return undefined; // missing zero entry
    const st = this.stackState[idx]!;
    if (st === VALID) return undefined;
    if (st === INVALID) return `${field} ${idx} -> ${this.reasons.get(`s${idx}`)!}`;
    const reason = this.checkStack(idx);
    return this.settle(this.stackState, idx, `s${idx}`, reason, field);
  }

  linkIndex(field: string, idx: number): string | undefined {
    const len = this.d.linkTable.length;
    return inRange(idx, len) ? undefined : outOfRange(field, idx, 'link_table', len);
  }

  attributeIndex(field: string, idx: number): string | undefined {
    const len = this.d.attributeTable.length;
    if (!inRange(idx, len)) return outOfRange(field, idx, 'attribute_table', len);
    if (idx >= len) return undefined;
    const st = this.attributeState[idx]!;
    if (st === VALID) return undefined;
    if (st === INVALID) return `${field} ${idx} -> ${this.reasons.get(`a${idx}`)!}`;
    const reason = this.checkAttribute(idx);
    return this.settle(this.attributeState, idx, `a${idx}`, reason, field);
  }

  /** `n` indices from `from` (all by default); a problem names the index's position in the run. */
  attributeIndices(field: string, indices: ArrayLike<number>, from = 0, n = indices.length): string | undefined {
    const state = this.attributeState;
    for (let j = 0; j < n; j++) {
      const a = indices[from + j]!;
      // Fast path without building the field name: an entry already known to be valid.
      if (a >= 0 && a < state.length && state[a] === VALID) continue;
      const r = this.attributeIndex(`${field}[${j}]`, a);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** key_strindex / string_value_strindex in a KeyValue list (resource and scope attributes). */
  keyValues(field: string, kvs: readonly KeyValue[], depth = 0): string | undefined {
    for (let j = 0; j < kvs.length; j++) {
      const kv = kvs[j]!;
      const r =
        this.string(`${field}[${j}].key_strindex`, kv.keyStrindex) ??
        (kv.value === undefined ? undefined : this.anyValue(`${field}[${j}].value`, kv.value, depth));
      if (r !== undefined) return r;
    }
    return undefined;
  }

  anyValue(field: string, v: AnyValue, depth = 0): string | undefined {
    if (v.stringValueStrindex !== undefined) return this.string(`${field}.string_value_strindex`, v.stringValueStrindex);
    if (depth > 100) return undefined; // deeper than any decoder lets through
    if (v.arrayValue !== undefined) {
      const values = v.arrayValue.values;
      for (let j = 0; j < values.length; j++) {
        const r = this.anyValue(`${field}.array_value[${j}]`, values[j]!, depth + 1);
        if (r !== undefined) return r;
      }
    } else if (v.kvlistValue !== undefined) {
      return this.keyValues(`${field}.kvlist_value`, v.kvlistValue.values, depth + 1);
    }
    return undefined;
  }

  private settle(state: Uint8Array, idx: number, key: string, reason: string | undefined, field: string): string | undefined {
    if (reason === undefined) {
      state[idx] = VALID;
      return undefined;
    }
    state[idx] = INVALID;
    this.reasons.set(key, reason);
    return `${field} ${idx} -> ${reason}`;
  }

  private checkStack(s: number): string | undefined {
    const d = this.d;
    let locs: ArrayLike<number>;
    let from = 0;
    let n: number;
    if (hasStackObjects(d)) {
      locs = d.stackTable[s]!.locationIndices;
      n = locs.length;
    } else {
      locs = d.stackTable.indices;
      from = d.stackTable.start[s]!;
      n = d.stackTable.start[s + 1]! - from;
    }
    const len = this.d.locationTable.length;
    for (let j = 0; j < n; j++) {
      const l = locs[from + j]!;
      if (!inRange(l, len)) return `stack_table[${s}].${outOfRange(`location_indices[${j}]`, l, 'location_table', len)}`;
      if (l >= len) continue;
      const st = this.locationState[l]!;
      if (st === VALID) continue;
      let reason: string | undefined;
      if (st === INVALID) reason = this.reasons.get(`l${l}`);
      else {
        reason = this.checkLocation(l);
        this.locationState[l] = reason === undefined ? VALID : INVALID;
        if (reason !== undefined) this.reasons.set(`l${l}`, reason);
      }
      if (reason !== undefined) return `stack_table[${s}] -> ${reason}`;
    }
    return undefined;
  }

  private checkLocation(l: number): string | undefined {
    const loc = this.d.locationTable[l]!;
    const at = `location_table[${l}]`;
    const mlen = this.d.mappingTable.length;
    const m = loc.mappingIndex;
    if (!inRange(m, mlen)) return `${at}.${outOfRange('mapping_index', m, 'mapping_table', mlen)}`;
    if (m < mlen) {
      let st = this.mappingState[m]!;
      if (st === UNKNOWN) {
        const r = this.checkMapping(m);
        st = r === undefined ? VALID : INVALID;
        this.mappingState[m] = st;
        if (r !== undefined) this.reasons.set(`m${m}`, r);
      }
      if (st === INVALID) return `${at} -> ${this.reasons.get(`m${m}`)!}`;
    }
    const flen = this.d.functionTable.length;
    const lines = loc.lines;
    for (let j = 0; j < lines.length; j++) {
      const f = lines[j]!.functionIndex;
      if (!inRange(f, flen)) return `${at}.lines[${j}].${outOfRange('function_index', f, 'function_table', flen)}`;
      if (f >= flen) continue;
      let st = this.functionState[f]!;
      if (st === UNKNOWN) {
        const r = this.checkFunction(f);
        st = r === undefined ? VALID : INVALID;
        this.functionState[f] = st;
        if (r !== undefined) this.reasons.set(`f${f}`, r);
      }
      if (st === INVALID) return `${at}.lines[${j}] -> ${this.reasons.get(`f${f}`)!}`;
    }
    const r = this.attributeIndices('attribute_indices', loc.attributeIndices);
    return r === undefined ? undefined : `${at}.${r}`;
  }

  private checkMapping(m: number): string | undefined {
    const mapping = this.d.mappingTable[m]!;
    const r = this.string('filename_strindex', mapping.filenameStrindex) ?? this.attributeIndices('attribute_indices', mapping.attributeIndices);
    return r === undefined ? undefined : `mapping_table[${m}].${r}`;
  }

  private checkFunction(f: number): string | undefined {
    const fn = this.d.functionTable[f]!;
    const r =
      this.string('name_strindex', fn.nameStrindex) ??
      this.string('system_name_strindex', fn.systemNameStrindex) ??
      this.string('filename_strindex', fn.filenameStrindex);
    return r === undefined ? undefined : `function_table[${f}].${r}`;
  }

  private checkAttribute(a: number): string | undefined {
    const kvu = this.d.attributeTable[a]!;
    const r =
      this.string('key_strindex', kvu.keyStrindex) ??
      this.string('unit_strindex', kvu.unitStrindex) ??
      (kvu.value === undefined ? undefined : this.anyValue('value', kvu.value));
    return r === undefined ? undefined : `attribute_table[${a}].${r}`;
  }
}

/** Why a sample is unusable, or undefined. `i` is its position, for the message. */
function sampleProblem(c: DictionaryChecker, s: Sample, i: number): string | undefined {
  const nv = s.values.length;
  const nt = s.timestampsUnixNano.length;
  if (nv === 0 && nt === 0) return `sample ${i} has neither values nor timestamps`;
  if (nv !== 0 && nt !== 0 && nv !== nt) return `sample ${i} has ${nv} values but ${nt} timestamps`;
  const r =
    c.stackIndex('stack_index', s.stackIndex) ??
    (s.attributeIndices.length === 0 ? undefined : c.attributeIndices('attribute_indices', s.attributeIndices)) ??
    c.linkIndex('link_index', s.linkIndex);
  return r === undefined ? undefined : `sample ${i} ${r}`;
}

/** Why sample `i` of the columns is unusable, or undefined: sampleProblem's rules and messages. */
function columnProblem(c: DictionaryChecker, s: SampleColumns, i: number): string | undefined {
  const nv = s.valueStart[i + 1]! - s.valueStart[i]!;
  const nt = s.timeStart[i + 1]! - s.timeStart[i]!;
  if (nv === 0 && nt === 0) return `sample ${i} has neither values nor timestamps`;
  if (nv !== 0 && nt !== 0 && nv !== nt) return `sample ${i} has ${nv} values but ${nt} timestamps`;
  const a0 = s.attrStart[i]!;
  const na = s.attrStart[i + 1]! - a0;
  const r =
    c.stackIndex('stack_index', s.stack[i]!) ??
    (na === 0 ? undefined : c.attributeIndices('attribute_indices', s.attrs, a0, na)) ??
    c.linkIndex('link_index', s.link[i]!);
  return r === undefined ? undefined : `sample ${i} ${r}`;
}

/**
 * Sample types whose values count something that only accumulates — time on or off CPU,
 * wall time, a number of samples, bytes or objects allocated — so a negative value is a
 * corrupt profile (and would make every sum over it wrong). The names are those of
 * pprof/profile-type.ts. In-use heap and unknown types may legitimately go down (a diff).
 */
const CUMULATIVE_SAMPLE_TYPES = new Set(['cpu', 'wall', 'samples', 'sample', 'off_cpu', 'off-cpu', 'offcpu', 'alloc_space', 'alloc_objects']);

/** The sample type name, lowercased, when the profile's values can only be non-negative. */
function cumulativeType(c: DictionaryChecker, p: Profile<unknown>): string | undefined {
  if (p.sampleType === undefined) return undefined;
  const type = c.text(p.sampleType.typeStrindex).toLowerCase();
  return CUMULATIVE_SAMPLE_TYPES.has(type) ? type : undefined;
}

/** What profileProblem checks before the samples. */
function headProblem(c: DictionaryChecker, p: Profile<unknown>): string | undefined {
  return (
    (p.sampleType === undefined
      ? undefined
      : (c.string('sample_type.type_strindex', p.sampleType.typeStrindex) ?? c.string('sample_type.unit_strindex', p.sampleType.unitStrindex))) ??
    (p.periodType === undefined
      ? undefined
      : (c.string('period_type.type_strindex', p.periodType.typeStrindex) ?? c.string('period_type.unit_strindex', p.periodType.unitStrindex))) ??
    c.attributeIndices('attribute_indices', p.attributeIndices)
  );
}

function negativeValue(i: number, v: number, cumulative: string): string {
  return `sample ${i} value ${v} is negative, which a ${cumulative} profile cannot be (its values only accumulate)`;
}

/** profileProblem of a profile whose samples are columns: the same checks in the same order. */
export function columnarProfileProblem(c: DictionaryChecker, p: ColumnarProfile): string | undefined {
  const head = headProblem(c, p);
  if (head !== undefined) return head;
  const s = p.samples;
  const cumulative = cumulativeType(c, p);
  for (let i = 0; i < s.length; i++) {
    const r = columnProblem(c, s, i);
    if (r !== undefined) return r;
    if (cumulative !== undefined) {
      for (let k = s.valueStart[i]!, end = s.valueStart[i + 1]!; k < end; k++) {
        const v = s.values[k]!;
        if (v < 0) return negativeValue(i, v, cumulative);
      }
    }
  }
  return undefined;
}

/** Why a profile must be rejected, or undefined when it is fine. */
export function profileProblem(c: DictionaryChecker, p: Profile): string | undefined {
  const head = headProblem(c, p);
  if (head !== undefined) return head;
  const samples = p.samples;
  const cumulative = cumulativeType(c, p);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const r = sampleProblem(c, s, i);
    if (r !== undefined) return r;
    if (cumulative !== undefined) {
      const values = s.values;
      for (let j = 0; j < values.length; j++) {
        const v = values[j]!;
        if (v < 0) return negativeValue(i, v, cumulative);
      }
    }
  }
  return undefined;
}

function countProfiles(scopes: readonly ScopeProfiles<unknown>[]): number {
  let n = 0;
  for (const s of scopes) n += s.profiles.length;
  return n;
}

export function validateProfilesRequest(req: ExportProfilesServiceRequest): ValidationResult<ExportProfilesServiceRequest> {
  return validateTree(req, profileProblem);
}

/** validateProfilesRequest of a request decoded with its samples as columns. */
export function validateColumnarProfilesRequest<D extends AnyDictionary = ColumnarDictionary>(
  req: ExportProfilesServiceRequest<ColumnarProfile, D>,
): ValidationResult<ExportProfilesServiceRequest<ColumnarProfile, D>> {
  return validateTree(req, columnarProfileProblem);
}

function validateTree<P extends Profile<unknown>, D extends AnyDictionary>(
  req: ExportProfilesServiceRequest<P, D>,
  profileProblem: (c: DictionaryChecker, p: P) => string | undefined,
): ValidationResult<ExportProfilesServiceRequest<P, D>> {
  const c = new DictionaryChecker(req.dictionary);
  const log = new MessageLog();
  let rejected = 0;
  const resources = keptNodes(req.resourceProfiles, (rp, ri) => {
    const resourceProblem = rp.resource === undefined ? undefined : c.keyValues('attributes', rp.resource.attributes);
    if (resourceProblem !== undefined) {
      const n = countProfiles(rp.scopeProfiles);
      rejected += n;
      log.add(`resource ${ri}: ${resourceProblem} (${n} profiles rejected)`);
      return undefined;
    }
    const scopes = keptNodes(rp.scopeProfiles, (sp, si) => {
      const scopeProblem = sp.scope === undefined ? undefined : c.keyValues('attributes', sp.scope.attributes);
      if (scopeProblem !== undefined) {
        rejected += sp.profiles.length;
        log.add(`scope ${ri}/${si}: ${scopeProblem} (${sp.profiles.length} profiles rejected)`);
        return undefined;
      }
      const profiles = keptNodes(sp.profiles, (p, pi) => {
        const problem = profileProblem(c, p);
        if (problem === undefined) return p;
        rejected++;
        log.add(`profile ${ri}/${si}/${pi}: ${problem}`);
        return undefined;
      });
      return profiles === undefined ? sp : profiles.length > 0 ? { ...sp, profiles } : undefined;
    });
    return scopes === undefined ? rp : scopes.length > 0 ? { ...rp, scopeProfiles: scopes } : undefined;
  });
  if (resources === undefined) return { request: req, rejected: 0, messages: [] };
  return { request: { ...req, resourceProfiles: resources }, rejected, messages: log.finish() };
}
