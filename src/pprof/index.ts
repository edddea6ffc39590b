// The pprof conversion's public pieces.
export type { ConvertedProfile, PprofSummary } from './types.js';
export {
  convertProfilesRequest,
  convertEach,
  countProfiles,
  BUILD_ID_ATTR_KEYS,
  UNKNOWN_SERVICE,
  type ConvertOptions,
  type ConvertResult,
  type TimestampMode,
} from './convert.js';
export { resourceServiceName, unknownServiceName, namingValue, SERVICE_NAME_KEY, PROCESS_EXECUTABLE_NAME_KEY } from './service-name.js';
export {
  encodePprof,
  encodePprofGzip,
  encodePprofGzipAsync,
  pprofBytesOf,
  pprofGzipAsync,
  pprofSummary,
  PPROF_GZIP_LEVEL,
  PPROF_GZIP_OPTIONS,
} from './encode.js';
export { encodeProfilesRequestPprof, encodeEach } from './encode-direct.js';
export { encodeProfileFast } from './encode-fast.js';
export { pprofOf, forgetPprof } from './cache.js';
export {
  isSampleCountType,
  measuredTypeOf,
  profileTypeOf,
  profileTypesOf,
  sanitizeTypeName,
  type ProfileHead,
  type TypeAndUnit,
} from './profile-type.js';
export {
  PPROF_LABELS,
  CONTEXT_ATTRIBUTE_KEYS,
  sampleLabels,
  attributeLabel,
  linkIds,
  hexToDecimal,
  decimalToHex16,
  type LabelSpec,
  type LinkIds,
  type ResolvedAttribute,
  type SampleLabels,
} from './labels.js';
export { ConvertError, type ProfilePosition } from '../errors.js';
