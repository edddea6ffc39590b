// Pure content checks the receivers run after decoding: what is syntactically valid
// protobuf/JSON but breaks an OTLP rule is removed, counted and explained, so one bad
// profile or span never sinks the rest of a request (partial success).
export { type ValidationResult, MAX_MESSAGES } from './validate/result.js';
export { validateProfilesRequest, validateColumnarProfilesRequest, profileProblem, DictionaryChecker } from './validate/profiles.js';
export { validateTracesRequest, spanIdProblem } from './validate/traces.js';
