// The config reference of the README, generated from what the bridge validates: the frame
// schema (src/config/schema.ts) and every registered component factory's `configSchema`.
// A key's meaning is its zod description (`.describe()`, or `.meta({ description })`), so
// the text lives beside the key it explains and nothing else can drift from it.
import { bridgeConfigSchema } from '../schema.js';
import { defaultFactories, type FactoryRegistry } from '../../components.js';
import { renderReference, type ReferenceSection } from './render.js';
import { schemaRows } from './walk.js';

export { START_MARKER, END_MARKER, spliceReference, currentReference, renderReference } from './render.js';
export type { ConfigRow } from './walk.js';

const KINDS = ['receivers', 'processors', 'exporters', 'extensions'] as const;

export interface ConfigReference {
  markdown: string;
  sections: ReferenceSection[];
  /** Full key paths (`exporters.pyroscope.endpoint`) whose schema has no description. */
  undocumented: string[];
}

/** Builds the reference from the frame schema and the config schemas of `factories`. */
export function buildConfigReference(factories: FactoryRegistry = defaultFactories()): ConfigReference {
  const prefixes: string[] = [''];
  const sections: ReferenceSection[] = [
    {
      title: 'The frame: `receivers`, `processors`, `exporters`, `extensions`, `service`',
      intro:
        'Components are configured by id, `type` or `type/name` (e.g. `file/archive`), under their section, and take part only when `service` names them.',
      rows: schemaRows(bridgeConfigSchema),
    },
  ];
  for (const kind of KINDS) {
    for (const type of Object.keys(factories[kind]).sort()) {
      const factory = factories[kind][type]!;
      prefixes.push(`${kind}.${type}`);
      sections.push({ title: `${kind}: \`${type}\``, rows: schemaRows(factory.configSchema) });
    }
  }
  const undocumented: string[] = [];
  for (const [i, s] of sections.entries()) {
    const prefix = prefixes[i]!;
    for (const r of s.rows) if (!r.meaning) undocumented.push(prefix ? `${prefix}.${r.path}` : r.path);
  }
  return { markdown: renderReference(sections), sections, undocumented };
}
