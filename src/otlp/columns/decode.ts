// ExportProfilesServiceRequest bytes -> the decoded request with each profile's samples as
// columns (samples.ts) instead of Sample objects; everything else (dictionary, resources,
// scopes, profile headers) is decoded by the generated decoders, as decodeProfilesRequest
// does. The four messages on the way to the samples (request, resource, scope, profile)
// are written out here, field for field as src/generated/otlp/decode.ts has them, so that
// the same bytes decode to the same values and bad bytes fail with the same DecodeError
// (message, field and offset: the same Reader calls, located the same way). The dictionary's
// stack table is decoded as columns too (stacks.ts), its other tables by the generated
// decoders.
import type { ExportProfilesServiceRequest, ResourceProfiles, ScopeProfiles } from '../model.js';
import {
  decodeFunction,
  decodeInstrumentationScope,
  decodeKeyValueAndUnit,
  decodeLink,
  decodeLocation,
  decodeMapping,
  decodeResource,
  decodeValueType,
} from '../../generated/otlp/decode.js';
import { locate, messageInfo, Reader } from '../../protobuf/reader.js';
import { readingInput } from '../bad-input.js';
import { SampleColumnsBuilder, type ColumnarProfile, type ColumnsPool } from './samples.js';
import { StackColumnsBuilder, type ColumnarDictionary } from './stacks.js';

export type ColumnarProfilesRequest = ExportProfilesServiceRequest<ColumnarProfile, ColumnarDictionary>;

const EMPTY = new Uint8Array(0);

const REQUEST_INFO = messageInfo('ExportProfilesServiceRequest', { 1: 'resource_profiles', 2: 'dictionary' });
const RESOURCE_PROFILES_INFO = messageInfo('ResourceProfiles', { 1: 'resource', 2: 'scope_profiles', 3: 'schema_url' });
const SCOPE_PROFILES_INFO = messageInfo('ScopeProfiles', { 1: 'scope', 2: 'profiles', 3: 'schema_url' });
const PROFILE_INFO = messageInfo('Profile', {
  1: 'sample_type',
  2: 'samples',
  3: 'time_unix_nano',
  4: 'duration_nano',
  5: 'period_type',
  6: 'period',
  7: 'profile_id',
  8: 'dropped_attributes_count',
  9: 'original_payload_format',
  10: 'original_payload',
  11: 'attribute_indices',
});
const DICTIONARY_INFO = messageInfo('ProfilesDictionary', {
  1: 'mapping_table',
  2: 'location_table',
  3: 'function_table',
  4: 'link_table',
  5: 'string_table',
  6: 'attribute_table',
  7: 'stack_table',
});
const STACK_INFO = messageInfo('Stack', { 1: 'location_indices' });
const SAMPLE_INFO = messageInfo('Sample', { 1: 'stack_index', 2: 'attribute_indices', 3: 'link_index', 4: 'values', 5: 'timestamps_unix_nano' });

/**
 * Like decodeProfilesRequest, with every profile's samples as columns. Throws DecodeError.
 * With `pool`, the columns are taken from it (see ColumnsPool: the caller must be done with
 * them before it releases the pool).
 */
export function decodeProfilesRequestColumnar(buf: Uint8Array, pool?: ColumnsPool): ColumnarProfilesRequest {
  return readingInput('cannot decode ExportProfilesServiceRequest', () => decodeRequest(new Reader(buf), pool));
}

function decodeRequest(r: Reader, pool: ColumnsPool | undefined): ColumnarProfilesRequest {
  const m: ColumnarProfilesRequest = { resourceProfiles: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10: {
          const saved = r.enter();
          m.resourceProfiles.push(decodeResourceProfiles(r, pool));
          r.leave(saved);
          break;
        }
        case 18: {
          const saved = r.enter();
          m.dictionary = decodeDictionary(r, m.dictionary, pool);
          r.leave(saved);
          break;
        }
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, REQUEST_INFO, tag);
  }
  return m;
}

/**
 * decodeProfilesDictionary with the stack table as columns (from `pool` when given); a second
 * dictionary field appends to the first's tables (`into`), as there.
 */
function decodeDictionary(r: Reader, into: ColumnarDictionary | undefined, pool: ColumnsPool | undefined): ColumnarDictionary {
  const m: ColumnarDictionary = into ?? {
    mappingTable: [],
    locationTable: [],
    functionTable: [],
    linkTable: [],
    stringTable: [],
    attributeTable: [],
    stackTable: pool === undefined ? new StackColumnsBuilder() : pool.takeStacks(),
  };
  // Only this decoder makes the dictionary, with a builder.
  const stacks = m.stackTable as StackColumnsBuilder;
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10: {
          const saved = r.enter();
          m.mappingTable.push(decodeMapping(r));
          r.leave(saved);
          break;
        }
        case 18: {
          const saved = r.enter();
          m.locationTable.push(decodeLocation(r));
          r.leave(saved);
          break;
        }
        case 26: {
          const saved = r.enter();
          m.functionTable.push(decodeFunction(r));
          r.leave(saved);
          break;
        }
        case 34: {
          const saved = r.enter();
          m.linkTable.push(decodeLink(r));
          r.leave(saved);
          break;
        }
        case 42:
          m.stringTable.push(r.string());
          break;
        case 50: {
          const saved = r.enter();
          m.attributeTable.push(decodeKeyValueAndUnit(r));
          r.leave(saved);
          break;
        }
        case 58: {
          const saved = r.enter();
          decodeStack(r, stacks);
          r.leave(saved);
          break;
        }
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, DICTIONARY_INFO, tag);
  }
  return m;
}

/**
 * One Stack message appended to `b`: the Reader calls decodeStack makes (repeatedInt32:
 * int32 for an unpacked index, a length and int32s within it for a packed run; any other
 * wire type of field 1 skipped), each index written to the columns instead of an array.
 */
function decodeStack(r: Reader, b: StackColumnsBuilder): void {
  b.begin();
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 8) {
        b.add(r.int32());
        continue;
      }
      if (tag !== 10) {
        r.skip(tag);
        continue;
      }
      const len = r.length();
      const end = r.pos + len;
      const saved = r.limit;
      r.limit = end;
      const buf = r.buf;
      // Room for the run's indices once (at most one per byte), then each written straight
      // into the column: a 100 k-sample request's stack table is ~270 k indices, most of one
      // or two bytes (tables of up to 16 k entries), decoded inline as int32() decodes them;
      // any longer (or truncated) varint is read by int32() itself, with its checks.
      const out = b.room(len);
      let used = b.used;
      let pos = r.pos;
      while (pos < end) {
        const x = buf[pos]!;
        if (x < 0x80) {
          out[used++] = x;
          pos++;
          continue;
        }
        const y = pos + 1 < end ? buf[pos + 1]! : 0x80;
        if (y < 0x80) {
          out[used++] = (x & 0x7f) | (y << 7);
          pos += 2;
          continue;
        }
        r.pos = pos;
        out[used++] = r.int32();
        pos = r.pos;
      }
      r.pos = pos;
      b.used = used;
      r.limit = saved;
    }
  } catch (e) {
    throw locate(e, STACK_INFO, tag);
  }
  b.end();
}

function decodeResourceProfiles(r: Reader, pool: ColumnsPool | undefined): ResourceProfiles<ColumnarProfile> {
  const m: ResourceProfiles<ColumnarProfile> = { scopeProfiles: [], schemaUrl: '' };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10: {
          const saved = r.enter();
          m.resource = decodeResource(r, m.resource);
          r.leave(saved);
          break;
        }
        case 18: {
          const saved = r.enter();
          m.scopeProfiles.push(decodeScopeProfiles(r, pool));
          r.leave(saved);
          break;
        }
        case 26:
          m.schemaUrl = r.string();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, RESOURCE_PROFILES_INFO, tag);
  }
  return m;
}

function decodeScopeProfiles(r: Reader, pool: ColumnsPool | undefined): ScopeProfiles<ColumnarProfile> {
  const m: ScopeProfiles<ColumnarProfile> = { profiles: [], schemaUrl: '' };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10: {
          const saved = r.enter();
          m.scope = decodeInstrumentationScope(r, m.scope);
          r.leave(saved);
          break;
        }
        case 18: {
          const saved = r.enter();
          m.profiles.push(decodeProfile(r, pool));
          r.leave(saved);
          break;
        }
        case 26:
          m.schemaUrl = r.string();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, SCOPE_PROFILES_INFO, tag);
  }
  return m;
}

function decodeProfile(r: Reader, pool: ColumnsPool | undefined): ColumnarProfile {
  const n = countSamples(r.buf, r.pos, r.limit);
  const samples = pool === undefined ? new SampleColumnsBuilder(n) : pool.take(n);
  const m: ColumnarProfile = {
    samples,
    timeUnixNano: 0n,
    durationNano: 0n,
    period: 0,
    profileId: EMPTY,
    droppedAttributesCount: 0,
    originalPayloadFormat: '',
    originalPayload: EMPTY,
    attributeIndices: [],
  };
  let attributeIndices: number[] = [];
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 10: {
          const saved = r.enter();
          m.sampleType = decodeValueType(r, m.sampleType);
          r.leave(saved);
          break;
        }
        case 18: {
          const saved = r.enter();
          if (!decodeSampleFast(r.buf, r.pos, r.limit, samples)) decodeSample(r, samples);
          r.pos = r.limit;
          r.leave(saved);
          break;
        }
        case 25:
          m.timeUnixNano = r.fixed64Big();
          break;
        case 32:
          m.durationNano = r.uint64Big();
          break;
        case 42: {
          const saved = r.enter();
          m.periodType = decodeValueType(r, m.periodType);
          r.leave(saved);
          break;
        }
        case 48:
          m.period = r.int64Number();
          break;
        case 58:
          m.profileId = r.bytes();
          break;
        case 64:
          m.droppedAttributesCount = r.uint32();
          break;
        case 74:
          m.originalPayloadFormat = r.string();
          break;
        case 82:
          m.originalPayload = r.bytes();
          break;
        case 88:
        case 90:
          attributeIndices = r.repeatedInt32(tag, attributeIndices);
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, PROFILE_INFO, tag);
  }
  m.attributeIndices = attributeIndices;
  return m;
}

/**
 * How many samples (field 2) the Profile message at [pos, limit) holds, to size the columns
 * once. Only an estimate for the allocation: it stops, without an error, at anything it does
 * not expect (the decode that follows finds and reports it).
 */
function countSamples(buf: Uint8Array, pos: number, limit: number): number {
  let n = 0;
  while (pos < limit) {
    let tag = 0;
    let shift = 0;
    let x = 0;
    do {
      if (pos >= limit || shift > 28) return n;
      x = buf[pos++]!;
      tag += (x & 0x7f) * 2 ** shift;
      shift += 7;
    } while (x >= 0x80);
    const wt = tag % 8;
    if (wt === 0) {
      while (pos < limit && buf[pos]! >= 0x80) pos++;
      pos++;
    } else if (wt === 1) pos += 8;
    else if (wt === 5) pos += 4;
    else if (wt === 2) {
      let len = 0;
      shift = 0;
      do {
        if (pos >= limit || shift > 28) return n;
        x = buf[pos++]!;
        len += (x & 0x7f) * 2 ** shift;
        shift += 7;
      } while (x >= 0x80);
      pos += len;
      if (tag === 18) n++;
    } else return n;
  }
  return n;
}

/**
 * The Sample message at [pos, end) appended to `b`, for the usual wire form only: one-byte
 * tags, packed runs, varints of at most 7 bytes (values below 2^49, indices below 2^28) and
 * fixed64 timestamps. Anything else (an unpacked field, a longer or malformed varint, an
 * unknown field, truncation) returns false with `b` as it was, and decodeSample, which
 * handles every form and reports faults, reads the message instead. What it decodes, it
 * decodes to the values decodeSample gives.
 */
function decodeSampleFast(buf: Uint8Array, pos: number, end: number, b: SampleColumnsBuilder): boolean {
  const i = b.begin();
  const nAttrs = b.nAttrs;
  const nValues = b.nValues;
  const nTimes = b.nTimes;
  let p = pos;
  let ok = true;
  while (p < end && ok) {
    const tag = buf[p++]!;
    if (tag === 8 || tag === 24) {
      let v = 0;
      let shift = 0;
      let x = 0;
      do {
        if (p >= end || shift > 21) {
          ok = false;
          break;
        }
        x = buf[p++]!;
        v |= (x & 0x7f) << shift;
        shift += 7;
      } while (x >= 0x80);
      if (tag === 8) b.stack[i] = v;
      else b.link[i] = v;
      continue;
    }
    if (tag !== 18 && tag !== 34 && tag !== 42) {
      ok = false;
      break;
    }
    // A packed run: its length, at most two bytes.
    if (p >= end) {
      ok = false;
      break;
    }
    let len = buf[p++]!;
    if (len >= 0x80) {
      if (p >= end || buf[p]! >= 0x80) {
        ok = false;
        break;
      }
      len = (len & 0x7f) | (buf[p++]! << 7);
    }
    const runEnd = p + len;
    if (runEnd > end) {
      ok = false;
      break;
    }
    if (tag === 42) {
      if (len % 8 !== 0) {
        ok = false;
        break;
      }
      for (; p < runEnd; p += 8) time(b, buf, p);
      continue;
    }
    while (p < runEnd) {
      let v = 0;
      let mul = 1;
      let x = 0;
      do {
        if (p >= runEnd || mul > 2 ** 42) {
          ok = false;
          break;
        }
        x = buf[p++]!;
        v += (x & 0x7f) * mul;
        mul *= 128;
      } while (x >= 0x80);
      if (!ok) break;
      if (tag === 34) b.value(v);
      else if (mul > 2 ** 28) {
        ok = false; // an index of 5 or more bytes: int32 wrapping applies
        break;
      } else b.attr(v);
    }
  }
  if (!ok) {
    b.nAttrs = nAttrs;
    b.nValues = nValues;
    b.nTimes = nTimes;
    return false;
  }
  b.end();
  return true;
}

/**
 * One Sample message appended to `b`: the Reader calls decodeSample makes (int32, int64Number,
 * fixed64; packed runs read element by element within the run), each value written to its
 * column instead of an array.
 */
function decodeSample(r: Reader, b: SampleColumnsBuilder): void {
  const i = b.begin();
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          b.stack[i] = r.int32();
          break;
        case 16:
          b.attr(r.int32());
          break;
        case 18: {
          const len = r.length();
          const end = r.pos + len;
          const saved = r.limit;
          r.limit = end;
          const buf = r.buf;
          while (r.pos < end) {
            const x = buf[r.pos]!;
            if (x < 0x80) {
              r.pos++;
              b.attr(x);
            } else b.attr(r.int32());
          }
          r.limit = saved;
          break;
        }
        case 24:
          b.link[i] = r.int32();
          break;
        case 32:
          b.value(r.int64Number());
          break;
        case 34: {
          const len = r.length();
          const end = r.pos + len;
          const saved = r.limit;
          r.limit = end;
          while (r.pos < end) b.value(r.int64Number());
          r.limit = saved;
          break;
        }
        case 41: {
          const pos = r.pos;
          if (pos + 8 > r.limit) r.truncated('fixed64');
          time(b, r.buf, pos);
          r.pos = pos + 8;
          break;
        }
        case 42: {
          const len = r.length();
          if (len % 8 !== 0) r.fail(`packed fixed64 run of ${len} bytes is not a multiple of 8`);
          const start = r.pos;
          r.pos = start + len;
          for (let p = start; p < start + len; p += 8) time(b, r.buf, p);
          break;
        }
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, SAMPLE_INFO, tag);
  }
  b.end();
}

/** The little-endian fixed64 at `p` as two unsigned 32-bit halves. */
function time(b: SampleColumnsBuilder, buf: Uint8Array, p: number): void {
  const lo = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
  const hi = (buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24)) >>> 0;
  b.time(lo, hi);
}
