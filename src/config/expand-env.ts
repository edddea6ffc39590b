// `${env:NAME}`, `${NAME}` and `${env:NAME:-default}` in config strings, as the collector
// expands them, so secrets (API keys, tokens) stay out of config files.

const PATTERN = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function expandEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return value.replace(PATTERN, (_m, name: string, dflt?: string) => env[name] ?? dflt ?? '');
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env)]));
  }
  return value;
}
