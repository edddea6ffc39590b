// One conversion per request object: every pprof-speaking exporter of a fan-out receives the
// same request object, so they share the result instead of each converting it again. Keyed
// weakly, so a result lives exactly as long as its request. The conversion writes pprof
// bytes directly (encode-direct.ts); a result's pprof-format model is built only for code
// that reads it (merging several profiles into one, the store's extraction).
//
// The shared result must be treated as read-only: an exporter that wants to change a
// profile (add labels, rename sample types) copies what it changes.
import type { ExportProfilesServiceRequest } from '../otlp/model.js';
import type { ConvertResult } from './convert.js';
import { encodeProfilesRequestPprof } from './encode-direct.js';

const results = new WeakMap<ExportProfilesServiceRequest, ConvertResult>();

/**
 * The default conversion of `req`, computed on first use. Processors that change a request
 * build a new request object (or call `forgetPprof`), so a cached result never goes stale.
 */
export function pprofOf(req: ExportProfilesServiceRequest): ConvertResult {
  let r = results.get(req);
  if (r === undefined) {
    r = encodeProfilesRequestPprof(req);
    results.set(req, r);
  }
  return r;
}

/** Drops the cached conversion of `req` (for code that mutates a request in place). */
export function forgetPprof(req: ExportProfilesServiceRequest): void {
  results.delete(req);
}
