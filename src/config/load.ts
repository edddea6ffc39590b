// Reads the config: a YAML file (or the embedded default), `${env:...}` expanded, the frame
// validated. Errors name the key path and what to write instead.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, errorMessage } from '../errors.js';
import { DEFAULT_CONFIG_YAML } from './default-config.js';
import { emptyVariablesAt, expandEnv } from './expand-env.js';
import { explainIssue, type Issue } from './explain.js';
import { bridgeConfigSchema, type BridgeConfig } from './schema.js';

export interface LoadedConfig {
  config: BridgeConfig;
  /** Where it came from, for the start-up log line. */
  source: string;
}

export function loadConfigFile(path: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (path === undefined) return { config: parseConfigText(DEFAULT_CONFIG_YAML, env, 'default config'), source: 'embedded default' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${errorMessage(e)}`);
  }
  return { config: parseConfigText(text, env, path), source: path };
}

export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env, source = 'config'): BridgeConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid YAML: ${errorMessage(e)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a mapping with receivers, processors, exporters and service`);
  }
  return validate(bridgeConfigSchema, expandEnv(raw, env), source);
}

/** Parses with a zod schema; on failure throws a ConfigError listing every problem by key path. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = [where, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path}: ${explainIssue(schema, value, i as Issue)}${fromEmptyVariables(value, i.path)}`;
  });
  throw new ConfigError(`invalid config:\n  ${lines.join('\n  ')}`);
}

/** ` (${env:HOLD} is not set or empty: ...)` when the value at `path` came from empty variables. */
function fromEmptyVariables(value: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  let parent = value;
  for (const k of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return '';
    parent = (parent as Record<PropertyKey, unknown>)[k as string];
  }
  const names = emptyVariablesAt(parent, path[path.length - 1]!);
  if (names.length === 0) return '';
  const list = names.map((n) => `\${env:${n}}`).join(', ');
  return ` (${list} ${names.length > 1 ? 'are' : 'is'} not set or empty: set ${names.join(', ')}, or give a default as \${env:${names[0]}:-<value>})`;
}
