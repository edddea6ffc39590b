// Decoders for opentelemetry.proto.profiles.v1development and the profiles collector
// service messages. Conventions (merging, wire-type checks, fault location): see
// decode-common.ts. Repeated scalar fields accept both the packed and the unpacked form.
import type {
  ExportProfilesPartialSuccess,
  ExportProfilesServiceRequest,
  ExportProfilesServiceResponse,
  Function as ProfileFunction,
  KeyValueAndUnit,
  Line,
  Link,
  Location,
  Mapping,
  Profile,
  ProfilesDictionary,
  ResourceProfiles,
  Sample,
  ScopeProfiles,
  Stack,
  ValueType,
} from '../model.js';
import { decodeAnyValue, decodeGroup, decodeResource, decodeScope } from './decode-common.js';
import { NONE, type Reader, locate, messageInfo } from '../../protobuf/reader.js';

/** The shared placeholder, typed for the fields it stands in for until decoding ends. */
const NO_NUMBERS = NONE as unknown as number[];
const NO_BIGINTS = NONE as unknown as bigint[];

const REQUEST = messageInfo('ExportProfilesServiceRequest', { 1: 'resource_profiles', 2: 'dictionary' });
const DICTIONARY = messageInfo('ProfilesDictionary', {
  1: 'mapping_table',
  2: 'location_table',
  3: 'function_table',
  4: 'link_table',
  5: 'string_table',
  6: 'attribute_table',
  7: 'stack_table',
});
const RESOURCE_PROFILES = messageInfo('ResourceProfiles', { 1: 'resource', 2: 'scope_profiles', 3: 'schema_url' });
const SCOPE_PROFILES = messageInfo('ScopeProfiles', { 1: 'scope', 2: 'profiles', 3: 'schema_url' });
const PROFILE = messageInfo('Profile', {
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
const LINK = messageInfo('Link', { 1: 'trace_id', 2: 'span_id' });
const VALUE_TYPE = messageInfo('ValueType', { 1: 'type_strindex', 2: 'unit_strindex' });
const SAMPLE = messageInfo('Sample', {
  1: 'stack_index',
  2: 'attribute_indices',
  3: 'link_index',
  4: 'values',
  5: 'timestamps_unix_nano',
});
const MAPPING = messageInfo('Mapping', {
  1: 'memory_start',
  2: 'memory_limit',
  3: 'file_offset',
  4: 'filename_strindex',
  5: 'attribute_indices',
});
const STACK = messageInfo('Stack', { 1: 'location_indices' });
const LOCATION = messageInfo('Location', { 1: 'mapping_index', 2: 'address', 3: 'lines', 4: 'attribute_indices' });
const LINE = messageInfo('Line', { 1: 'function_index', 2: 'line', 3: 'column' });
const FUNCTION = messageInfo('Function', {
  1: 'name_strindex',
  2: 'system_name_strindex',
  3: 'filename_strindex',
  4: 'start_line',
});
const KEY_VALUE_AND_UNIT = messageInfo('KeyValueAndUnit', { 1: 'key_strindex', 2: 'value', 3: 'unit_strindex' });
const RESPONSE = messageInfo('ExportProfilesServiceResponse', { 1: 'partial_success' });
const PARTIAL = messageInfo('ExportProfilesPartialSuccess', { 1: 'rejected_profiles', 2: 'error_message' });

const EMPTY = new Uint8Array(0);

export function decodeProfilesRequestMessage(r: Reader): ExportProfilesServiceRequest {
  const m: ExportProfilesServiceRequest = { resourceProfiles: [] };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) {
        const saved = r.enter();
        m.resourceProfiles.push(decodeResourceProfiles(r));
        r.leave(saved);
      } else if (tag === 18) {
        const saved = r.enter();
        m.dictionary = decodeDictionary(r, m.dictionary);
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, REQUEST, tag);
  }
  return m;
}

function decodeDictionary(r: Reader, into?: ProfilesDictionary): ProfilesDictionary {
  const m: ProfilesDictionary = into ?? {
    mappingTable: [],
    locationTable: [],
    functionTable: [],
    linkTable: [],
    stringTable: [],
    attributeTable: [],
    stackTable: [],
  };
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
          m.stackTable.push(decodeStack(r));
          r.leave(saved);
          break;
        }
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, DICTIONARY, tag);
  }
  return m;
}

function decodeResourceProfiles(r: Reader): ResourceProfiles {
  const g = decodeGroup(r, RESOURCE_PROFILES, decodeResource, decodeScopeProfiles);
  const m: ResourceProfiles = { scopeProfiles: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.resource = g.head;
  return m;
}

function decodeScopeProfiles(r: Reader): ScopeProfiles {
  const g = decodeGroup(r, SCOPE_PROFILES, decodeScope, decodeProfile);
  const m: ScopeProfiles = { profiles: g.children, schemaUrl: g.schemaUrl };
  if (g.head) m.scope = g.head;
  return m;
}

function decodeProfile(r: Reader): Profile {
  const m: Profile = {
    samples: [],
    timeUnixNano: 0n,
    durationNano: 0n,
    period: 0,
    profileId: EMPTY,
    droppedAttributesCount: 0,
    originalPayloadFormat: '',
    originalPayload: EMPTY,
    attributeIndices: [],
  };
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
          m.samples.push(decodeSample(r));
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
          m.attributeIndices = r.repeatedInt32(tag, m.attributeIndices);
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, PROFILE, tag);
  }
  return m;
}

function decodeValueType(r: Reader, into?: ValueType): ValueType {
  const m: ValueType = into ?? { typeStrindex: 0, unitStrindex: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 8) m.typeStrindex = r.int32();
      else if (tag === 16) m.unitStrindex = r.int32();
      else r.skip(tag);
    }
  } catch (e) {
    throw locate(e, VALUE_TYPE, tag);
  }
  return m;
}

function decodeSample(r: Reader): Sample {
  const m: Sample = { stackIndex: 0, attributeIndices: NO_NUMBERS, linkIndex: 0, values: NO_NUMBERS, timestampsUnixNano: NO_BIGINTS };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.stackIndex = r.int32();
          break;
        case 16:
        case 18:
          m.attributeIndices = r.repeatedInt32(tag, m.attributeIndices);
          break;
        case 24:
          m.linkIndex = r.int32();
          break;
        case 32:
        case 34:
          m.values = r.repeatedInt64Number(tag, m.values);
          break;
        case 41:
        case 42:
          m.timestampsUnixNano = r.repeatedFixed64Big(tag, m.timestampsUnixNano);
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, SAMPLE, tag);
  }
  if (m.attributeIndices === NO_NUMBERS) m.attributeIndices = [];
  if (m.values === NO_NUMBERS) m.values = [];
  if (m.timestampsUnixNano === NO_BIGINTS) m.timestampsUnixNano = [];
  return m;
}

function decodeMapping(r: Reader): Mapping {
  const m: Mapping = { memoryStart: 0n, memoryLimit: 0n, fileOffset: 0n, filenameStrindex: 0, attributeIndices: NO_NUMBERS };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.memoryStart = r.uint64Big();
          break;
        case 16:
          m.memoryLimit = r.uint64Big();
          break;
        case 24:
          m.fileOffset = r.uint64Big();
          break;
        case 32:
          m.filenameStrindex = r.int32();
          break;
        case 40:
        case 42:
          m.attributeIndices = r.repeatedInt32(tag, m.attributeIndices);
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, MAPPING, tag);
  }
  if (m.attributeIndices === NO_NUMBERS) m.attributeIndices = [];
  return m;
}

function decodeStack(r: Reader): Stack {
  const m: Stack = { locationIndices: NO_NUMBERS };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10 || tag === 8) m.locationIndices = r.repeatedInt32(tag, m.locationIndices);
      else r.skip(tag);
    }
  } catch (e) {
    throw locate(e, STACK, tag);
  }
  if (m.locationIndices === NO_NUMBERS) m.locationIndices = [];
  return m;
}

function decodeLocation(r: Reader): Location {
  const m: Location = { mappingIndex: 0, address: 0n, lines: [], attributeIndices: NO_NUMBERS };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.mappingIndex = r.int32();
          break;
        case 16:
          m.address = r.uint64Big();
          break;
        case 26: {
          const saved = r.enter();
          m.lines.push(decodeLine(r));
          r.leave(saved);
          break;
        }
        case 32:
        case 34:
          m.attributeIndices = r.repeatedInt32(tag, m.attributeIndices);
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, LOCATION, tag);
  }
  if (m.attributeIndices === NO_NUMBERS) m.attributeIndices = [];
  return m;
}

function decodeLine(r: Reader): Line {
  const m: Line = { functionIndex: 0, line: 0, column: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.functionIndex = r.int32();
          break;
        case 16:
          m.line = r.int64Number();
          break;
        case 24:
          m.column = r.int64Number();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, LINE, tag);
  }
  return m;
}

function decodeFunction(r: Reader): ProfileFunction {
  const m: ProfileFunction = { nameStrindex: 0, systemNameStrindex: 0, filenameStrindex: 0, startLine: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.nameStrindex = r.int32();
          break;
        case 16:
          m.systemNameStrindex = r.int32();
          break;
        case 24:
          m.filenameStrindex = r.int32();
          break;
        case 32:
          m.startLine = r.int64Number();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, FUNCTION, tag);
  }
  return m;
}

function decodeLink(r: Reader): Link {
  const m: Link = { traceId: EMPTY, spanId: EMPTY };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) m.traceId = r.bytes();
      else if (tag === 18) m.spanId = r.bytes();
      else r.skip(tag);
    }
  } catch (e) {
    throw locate(e, LINK, tag);
  }
  return m;
}

function decodeKeyValueAndUnit(r: Reader): KeyValueAndUnit {
  const m: KeyValueAndUnit = { keyStrindex: 0, unitStrindex: 0 };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.keyStrindex = r.int32();
          break;
        case 18: {
          const saved = r.enter();
          m.value = decodeAnyValue(r, m.value);
          r.leave(saved);
          break;
        }
        case 24:
          m.unitStrindex = r.int32();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, KEY_VALUE_AND_UNIT, tag);
  }
  return m;
}

export function decodeProfilesResponseMessage(r: Reader): ExportProfilesServiceResponse {
  const m: ExportProfilesServiceResponse = {};
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      if (tag === 10) {
        const saved = r.enter();
        m.partialSuccess = decodePartialSuccess(r, m.partialSuccess);
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, RESPONSE, tag);
  }
  return m;
}

function decodePartialSuccess(r: Reader, into?: ExportProfilesPartialSuccess): ExportProfilesPartialSuccess {
  const m: ExportProfilesPartialSuccess = into ?? { rejectedProfiles: 0, errorMessage: '' };
  let tag = 0;
  try {
    while (r.pos < r.limit) {
      tag = r.tag();
      switch (tag) {
        case 8:
          m.rejectedProfiles = r.int64Number();
          break;
        case 18:
          m.errorMessage = r.string();
          break;
        default:
          r.skip(tag);
      }
    }
  } catch (e) {
    throw locate(e, PARTIAL, tag);
  }
  return m;
}
