// Bounds on a profile's series labels as the store keeps them: how many, how long a name,
// how long a value. One profile with a million attribute keys would otherwise make every
// label listing scan and return a million names. Pure; the input is not modified.

export interface LabelLimits {
  /** Labels kept per profile (service.name always among them); the rest are dropped. */
  max_per_profile: number;
  /** Labels with a longer name are dropped. */
  max_name_length: number;
  /** Longer values are cut to this many UTF-16 units (never inside a surrogate pair). */
  max_value_length: number;
}

export interface BoundedLabels {
  labels: Record<string, string>;
  /** Labels dropped beyond max_per_profile. */
  tooMany: number;
  /** Labels dropped for a name longer than max_name_length. */
  nameTooLong: number;
  /** Values cut to max_value_length. */
  valueTruncated: number;
}

const ALWAYS_KEPT = 'service.name';

function cut(value: string, max: number): string {
  let end = max;
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // keep a surrogate pair whole
  return value.slice(0, end);
}

/** `labels` within `limits`, first come first kept (resource attributes come first). */
export function boundLabels(labels: Readonly<Record<string, string>>, limits: LabelLimits): BoundedLabels {
  const keys = Object.keys(labels);
  const out: BoundedLabels = { labels: labels as Record<string, string>, tooMany: 0, nameTooLong: 0, valueTruncated: 0 };
  let within = keys.length <= limits.max_per_profile;
  if (within) {
    for (const k of keys) {
      if (k.length > limits.max_name_length || labels[k]!.length > limits.max_value_length) {
        within = false;
        break;
      }
    }
  }
  if (within) return out;
  const kept: Record<string, string> = {};
  let n = 0;
  const keep = (k: string): void => {
    let v = labels[k]!;
    if (v.length > limits.max_value_length) {
      v = cut(v, limits.max_value_length);
      out.valueTruncated++;
    }
    // defineProperty: a label named __proto__ is a label.
    Object.defineProperty(kept, k, { value: v, enumerable: true, writable: true, configurable: true });
    n++;
  };
  const hasService = Object.hasOwn(labels, ALWAYS_KEPT);
  if (hasService) keep(ALWAYS_KEPT);
  for (const k of keys) {
    if (k === ALWAYS_KEPT && hasService) continue;
    if (k.length > limits.max_name_length) {
      out.nameTooLong++;
      continue;
    }
    if (n >= limits.max_per_profile) {
      out.tooMany++;
      continue;
    }
    keep(k);
  }
  out.labels = kept;
  return out;
}
