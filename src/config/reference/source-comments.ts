// Doc comments of config keys, read from the TypeScript sources of the config schemas: a
// `/** ... */` above a key of a `z.object({...})` / `z.strictObject({...})` literal documents
// that key. At run time a zod object only knows its key names, so a runtime object is matched
// to the literal(s) that declare exactly those keys (see `CommentIndex.lookup`).
//
// Only the docs generator and its test use this (it needs the `typescript` package, a dev
// dependency, and the sources of a checkout); the bridge itself never loads it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as TS from 'typescript';

type TsApi = typeof import('typescript');

/** One `z.object({...})` literal: its key names and the doc comment of each key that has one. */
export interface ObjectLiteralDocs {
  file: string;
  keys: Set<string>;
  /** `...spread` entries: the runtime object has more keys than the literal names. */
  spreads: number;
  comments: Map<string, string>;
}

const OBJECT_FACTORIES = new Set(['object', 'strictObject', 'looseObject']);

/** The text of a JSDoc block: the `*` gutter removed, lines joined, tags dropped. */
export function jsDocText(raw: string): string {
  const body = raw
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trim());
  const untagged: string[] = [];
  for (const l of body) {
    if (l.startsWith('@')) break;
    untagged.push(l);
  }
  return untagged.join(' ').replace(/\s+/g, ' ').trim();
}

/** Every zod object literal of one source text. */
export function objectLiteralsOf(ts: TsApi, file: string, text: string): ObjectLiteralDocs[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: ObjectLiteralDocs[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && OBJECT_FACTORIES.has(node.expression.name.text)) {
      const arg = node.arguments[0];
      if (arg && ts.isObjectLiteralExpression(arg)) out.push(literalDocs(ts, sf, file, arg));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function literalDocs(ts: TsApi, sf: TS.SourceFile, file: string, lit: TS.ObjectLiteralExpression): ObjectLiteralDocs {
  const docs: ObjectLiteralDocs = { file, keys: new Set(), spreads: 0, comments: new Map() };
  for (const p of lit.properties) {
    if (ts.isSpreadAssignment(p)) {
      docs.spreads++;
      continue;
    }
    const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (name === undefined) continue;
    docs.keys.add(name);
    // A comment on the line of the previous comma counts as that token's trailing comment.
    const start = p.getFullStart();
    const ranges = [...(ts.getTrailingCommentRanges(sf.text, start) ?? []), ...(ts.getLeadingCommentRanges(sf.text, start) ?? [])];
    const doc = ranges.reverse().find((r) => sf.text.startsWith('/**', r.pos));
    if (doc) {
      const text = jsDocText(sf.text.slice(doc.pos, doc.end));
      if (text) docs.comments.set(name, text);
    }
  }
  return docs;
}

export class CommentIndex {
  constructor(readonly literals: readonly ObjectLiteralDocs[]) {}

  /**
   * The doc comment of `key` in a runtime object whose keys are `keys`, when it is certain:
   * the literals that could have built that object are those whose names are all among
   * `keys` (exactly `keys` unless the literal spreads in more). Of those, the ones naming the
   * most keys count, and they must agree; a key two unrelated objects share with different
   * (or missing) comments stays undocumented rather than borrowing the wrong text.
   */
  lookup(keys: readonly string[], key: string): string | undefined {
    const all = new Set(keys);
    let best: ObjectLiteralDocs[] = [];
    let bestSize = 0;
    for (const l of this.literals) {
      if (!l.keys.has(key) || l.keys.size > all.size) continue;
      if (l.spreads === 0 && l.keys.size !== all.size) continue;
      let inside = true;
      for (const k of l.keys) if (!all.has(k)) inside = false;
      if (!inside) continue;
      if (l.keys.size > bestSize) {
        best = [l];
        bestSize = l.keys.size;
      } else if (l.keys.size === bestSize) best.push(l);
    }
    const texts = new Set(best.map((l) => l.comments.get(key)));
    if (texts.size !== 1) return undefined;
    return [...texts][0];
  }
}

function tsFiles(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Reads every `.ts` file under `<root>/src` that mentions zod. */
export async function loadCommentIndex(root: string): Promise<CommentIndex> {
  // A CommonJS package: its namespace arrives as the default export.
  const mod = (await import('typescript')) as unknown as { default?: TsApi } & TsApi;
  const ts = mod.default ?? mod;
  const literals: ObjectLiteralDocs[] = [];
  for (const file of tsFiles(join(root, 'src'), []).sort()) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes("from 'zod'")) continue;
    literals.push(...objectLiteralsOf(ts, file.slice(root.length).replace(/^[/\\]/, ''), text));
  }
  return new CommentIndex(literals);
}
