// `${env:NAME}`, `${NAME}` and `${env:NAME:-default}` in config strings, as the collector
// expands them, so secrets (API keys, tokens) stay out of config files.
//
// An unset variable without a default expands to an empty string, as in the collector. Which
// variables did so is remembered per key, so a message about the empty value can name them
// (`${env:HOLD} is not set`) instead of only quoting `""`.

const PATTERN = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expanded objects -> their keys whose value came from unset or empty variables. */
const emptyExpansions = new WeakMap<object, Map<string, string[]>>();

/** Variables that were unset or empty in the expansion of `parent[key]`, if any. */
export function emptyVariablesAt(parent: unknown, key: PropertyKey): string[] {
  if (parent === null || typeof parent !== 'object') return [];
  return emptyExpansions.get(parent)?.get(String(key)) ?? [];
}

function expandString(value: string, env: NodeJS.ProcessEnv, empty: string[]): string {
  return value.replace(PATTERN, (_m, name: string, dflt?: string) => {
    const v = env[name] ?? dflt ?? '';
    if (v === '') empty.push(name);
    return v;
  });
}

export function expandEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return expandString(value, env, []);
  if (value === null || typeof value !== 'object') return value;
  const out: unknown = Array.isArray(value) ? [] : {};
  const empties = new Map<string, string[]>();
  for (const [k, v] of Object.entries(value)) {
    let expanded: unknown;
    if (typeof v === 'string') {
      const empty: string[] = [];
      expanded = expandString(v, env, empty);
      if (empty.length > 0) empties.set(k, empty);
    } else {
      expanded = expandEnv(v, env);
    }
    (out as Record<string, unknown>)[k] = expanded;
  }
  if (empties.size > 0) emptyExpansions.set(out as object, empties);
  return out;
}
