// Every component in the config must be of a known type, used by a pipeline or not: an
// exporter written as `pyroscop/prod` is a typo to point out, not a section to skip.
import { ConfigError } from '../errors.js';
import { nearest } from './explain.js';
import { typeOf, type BridgeConfig } from './schema.js';

export type ComponentSection = 'receivers' | 'processors' | 'exporters' | 'extensions';

/** Throws one ConfigError listing every component whose type is not in `known`. */
export function checkComponentTypes(config: BridgeConfig, known: Record<ComponentSection, readonly string[]>): void {
  const problems: string[] = [];
  for (const section of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    const types = known[section];
    const kind = section.slice(0, -1);
    for (const id of Object.keys(config[section])) {
      const type = typeOf(id);
      if (types.includes(type)) continue;
      const near = nearest(type, types);
      const list = [...types].sort().join(', ') || '(none)';
      problems.push(
        `${section}.${id}: unknown ${kind} type "${type}"; ${near ? `did you mean \`${id.replace(type, near)}\`? ` : ''}known types: ${list}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid config:\n  ${problems.join('\n  ')}`);
}
