// Checks an OTLP request body against the per-request limits before it is decoded; see limits.ts.
import { PROFILES_REQUEST, TRACES_REQUEST, prescanProtobuf } from './protobuf.js';
import { prescanJson } from './json.js';
import { Tally, type RequestLimits } from './limits.js';

export { DEFAULT_REQUEST_LIMITS, Tally, type RequestLimits, type CountedKind } from './limits.js';
export { MAX_JSON_STRUCTURE_DEPTH } from './json.js';

export interface LimitsOf {
  values: Readonly<RequestLimits>;
  /** Config key of the limits, for the error message, e.g. `receivers.otlp.protocols.http.limits`. */
  configKey: string;
}

/** Throws RequestLimitError when `body` holds more than the limits allow; returns the counts otherwise. */
export function prescanRequest(signal: 'traces' | 'profiles', format: 'proto' | 'json', body: Uint8Array, limits: LimitsOf): Tally {
  const tally = new Tally(limits.values, limits.configKey);
  if (format === 'json') prescanJson(body, tally);
  else prescanProtobuf(body, signal === 'traces' ? TRACES_REQUEST : PROFILES_REQUEST, tally);
  return tally;
}
