// The service a profile or span belongs to, per the OTel semantic conventions for
// `service.name`: the resource's `service.name`; without one, `unknown_service:` followed by
// the resource's `process.executable.name`; without that, `unknown_service`. Pyroscope's OTLP
// ingest names services the same way, so the two agree on the same data.
//
// A sample may name its own service (the OTel eBPF profiler attaches `service.name` per
// process when it runs a whole host under one resource): such a sample belongs to that
// service, and the converter splits a profile that mixes services into one per service.
import type { AnyValue, KeyValue } from '../otlp/model.js';

export const SERVICE_NAME_KEY = 'service.name';
export const PROCESS_EXECUTABLE_NAME_KEY = 'process.executable.name';
/** service.name when nothing names the service or its executable. */
export const UNKNOWN_SERVICE = 'unknown_service';

/**
 * A naming value as text, as Pyroscope reads it: a string or an integer, or the one element
 * of a single-element array; anything else (and an empty string) names nothing.
 */
export function namingValue(v: AnyValue | undefined, strings: readonly string[] = []): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.stringValueStrindex !== undefined) return strings[v.stringValueStrindex] ?? '';
  if (v.intValue !== undefined) return v.intValue.toString(10);
  const a = v.arrayValue?.values;
  if (a && a.length === 1) return namingValue(a[0], strings);
  return '';
}

/** `unknown_service:<executable>` or `unknown_service`. */
export function unknownServiceName(executableName: string | undefined): string {
  return executableName ? `${UNKNOWN_SERVICE}:${executableName}` : UNKNOWN_SERVICE;
}

/**
 * The service of a resource, from its attributes. Keys may be inline (`key`) or, in the
 * profiles dictionary form, string indices (`keyStrindex` into `strings`).
 */
export function resourceServiceName(attributes: readonly KeyValue[] | undefined, strings: readonly string[] = []): string {
  let executable = '';
  for (const kv of attributes ?? []) {
    const key = kv.keyStrindex ? (strings[kv.keyStrindex] ?? '') : kv.key;
    if (key === SERVICE_NAME_KEY) {
      const v = namingValue(kv.value, strings);
      if (v !== '') return v;
    } else if (key === PROCESS_EXECUTABLE_NAME_KEY && executable === '') {
      executable = namingValue(kv.value, strings);
    }
  }
  return unknownServiceName(executable);
}
