// The config reference of the README, generated from what the bridge validates: the frame
// schema (src/config/schema.ts) and every registered component factory's `configSchema`.
// Meanings come from, in order: a zod `.describe()`, the key's `/** doc comment */` in the
// schema's source, the table in ./meanings.ts.
import { bridgeConfigSchema } from '../schema.js';
import { defaultFactories, type FactoryRegistry } from '../../components.js';
import { loadCommentIndex, type CommentIndex } from './source-comments.js';
import { MEANINGS } from './meanings.js';
import { renderReference, type ReferenceSection } from './render.js';
import { schemaRows, type MeaningSource } from './walk.js';

export { START_MARKER, END_MARKER, spliceReference, currentReference, renderReference } from './render.js';
export type { ConfigRow } from './walk.js';

const KINDS = ['receivers', 'processors', 'exporters', 'extensions'] as const;

export interface ConfigReference {
  markdown: string;
  sections: ReferenceSection[];
  /** Full key paths (`exporters.pyroscope.endpoint`) without a meaning from any source. */
  undocumented: string[];
  /** Entries of the meanings table that name no key at all (stale: the key was renamed or removed). */
  unknownMeanings: string[];
  /** Entries of the meanings table never used because a doc comment or description covers every key they name. */
  shadowedMeanings: string[];
}

interface Usage {
  /** Table entries that name an existing key. */
  matched: Set<string>;
  /** Table entries whose text was used. */
  used: Set<string>;
}

/** Table entry for a full path: exact, else with the component type replaced by `*`. */
function tableEntry(full: string): string | undefined {
  if (MEANINGS[full] !== undefined) return full;
  const parts = full.split('.');
  if (parts.length < 3) return undefined;
  const wild = [parts[0], '*', ...parts.slice(2)].join('.');
  return MEANINGS[wild] !== undefined ? wild : undefined;
}

function meaningSource(prefix: string, comments: CommentIndex, usage: Usage): MeaningSource {
  return (path, siblings, key) => {
    const full = prefix ? `${prefix}.${path}` : path;
    const entry = tableEntry(full);
    if (entry) usage.matched.add(entry);
    const fromSource = comments.lookup(siblings, key);
    if (fromSource) return fromSource;
    if (entry) usage.used.add(entry);
    return entry && MEANINGS[entry];
  };
}

/** Builds the reference from the sources under `root` (a checkout: it reads `src/**` for doc comments). */
export async function buildConfigReference(root: string, factories: FactoryRegistry = defaultFactories()): Promise<ConfigReference> {
  const comments = await loadCommentIndex(root);
  const usage: Usage = { matched: new Set(), used: new Set() };
  const prefixes: string[] = [''];
  const sections: ReferenceSection[] = [
    {
      title: 'The frame: `receivers`, `processors`, `exporters`, `extensions`, `service`',
      intro:
        'Components are configured by id, `type` or `type/name` (e.g. `file/archive`), under their section, and take part only when `service` names them.',
      rows: schemaRows(bridgeConfigSchema, meaningSource('', comments, usage)),
    },
  ];
  for (const kind of KINDS) {
    for (const type of Object.keys(factories[kind]).sort()) {
      const factory = factories[kind][type]!;
      prefixes.push(`${kind}.${type}`);
      sections.push({
        title: `${kind}: \`${type}\``,
        rows: schemaRows(factory.configSchema, meaningSource(`${kind}.${type}`, comments, usage)),
      });
    }
  }
  const undocumented: string[] = [];
  for (const [i, s] of sections.entries()) {
    const prefix = prefixes[i]!;
    for (const r of s.rows) if (!r.meaning) undocumented.push(prefix ? `${prefix}.${r.path}` : r.path);
  }
  // A key with a `.describe()` never asks for a meaning, so it can't mark its entry as matched;
  // such an entry then shows up as unknown, which is right: it is dead text either way.
  const unknownMeanings = Object.keys(MEANINGS).filter((k) => !usage.matched.has(k));
  const shadowedMeanings = Object.keys(MEANINGS).filter((k) => usage.matched.has(k) && !usage.used.has(k));
  return { markdown: renderReference(sections), sections, undocumented, unknownMeanings, shadowedMeanings };
}
