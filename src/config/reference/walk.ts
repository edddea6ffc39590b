// Walks a component's zod config schema into rows: every key with its type, default, whether
// it is required and what it means. Pure apart from calling the schema's own parse (used to
// probe what a value type accepts: a duration reads "1m30s" as 90000, a size "1KiB" as 1024).
import type { z } from 'zod';

export interface ConfigRow {
  /** Dotted key path inside the component (`sending_queue.max_bytes`); `<name>` stands for a map key. */
  path: string;
  type: string;
  /** As a user would write it (`10s`, `64MiB`, `grpc`); absent when there is none. */
  default?: string;
  required: boolean;
  meaning?: string;
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

/** The schema under optional/nullable/default wrappers only (a transform on top stays). */
function unwrapWrappers(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (WRAPPERS.has(defOf(s).type)) s = defOf(s).innerType as z.ZodType;
  return s;
}

/** The schema under optional/nullable/default wrappers and transforms, plus the first default met. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; defaultValue?: unknown; hasDefault: boolean; description?: string } {
  let s = schema;
  let hasDefault = false;
  let defaultValue: unknown;
  let description = (s as { description?: string }).description;
  for (;;) {
    const d = defOf(s);
    if ((d.type === 'default' || d.type === 'prefault') && !hasDefault) {
      hasDefault = true;
      defaultValue = d.defaultValue;
    }
    if (WRAPPERS.has(d.type)) {
      s = d.innerType as z.ZodType;
      description ??= (s as { description?: string }).description;
      continue;
    }
    // A refinement/transform on top (`.transform`, `.pipe`): the input side carries the shape.
    if (d.type === 'pipe' && defOf(d.out as z.ZodType).type === 'transform') {
      s = d.in as z.ZodType;
      description ??= (s as { description?: string }).description;
      continue;
    }
    return { inner: s, defaultValue, hasDefault, description };
  }
}

function accepts(schema: z.ZodType, value: unknown): { ok: boolean; out?: unknown } {
  try {
    const r = schema.safeParse(value);
    return r.success ? { ok: true, out: r.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}

export type ValueKind = 'duration' | 'long-duration' | 'size' | 'host:port' | 'host:port or URL' | 'URL' | 'other';

/** What a leaf's values are, judged by what it accepts. */
export function valueKind(schema: z.ZodType): ValueKind {
  // Probed before transforms are peeled off: the transform is what turns "1m30s" into 90000.
  const outer = unwrapWrappers(schema);
  if (accepts(outer, '1m30s').out === 90_000) return accepts(outer, '2d').out === 172_800_000 ? 'long-duration' : 'duration';
  if (accepts(outer, '1KiB').out === 1024 && accepts(outer, '1MB').out === 1_000_000) return 'size';
  const { inner } = unwrap(schema);
  const d = defOf(inner);
  if (d.type !== 'string') return 'other';
  if (d.format === 'url') return 'URL';
  const hostPort = accepts(inner, 'example:4317').ok && !accepts(inner, 'example').ok;
  if (!hostPort) return 'other';
  return accepts(inner, 'http://example:4317').ok ? 'host:port or URL' : 'host:port';
}

const MS_UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

export function formatDuration(ms: number, allowDays: boolean): string {
  if (ms === 0) return '0';
  for (const [unit, size] of MS_UNITS) {
    if (unit === 'd' && !allowDays) continue;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const SIZE_UNITS: [string, number][] = [
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

export function formatSize(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [unit, size] of SIZE_UNITS) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}

function formatDefault(schema: z.ZodType, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const kind = valueKind(schema);
  if (typeof value === 'number' && (kind === 'duration' || kind === 'long-duration')) return formatDuration(value, kind === 'long-duration');
  if (typeof value === 'number' && kind === 'size') return formatSize(value);
  if (Array.isArray(value)) return `[${value.map(scalarText).join(', ')}]`;
  // An object's default is shown key by key on its children's rows; a map's (`{}`) here.
  if (typeof value === 'object') return defOf(unwrap(schema).inner).type === 'record' && Object.keys(value).length === 0 ? '{}' : undefined;
  return scalarText(value);
}

/** A short type name for the table. */
export function typeName(schema: z.ZodType): string {
  const kind = valueKind(schema);
  if (kind === 'long-duration') return 'duration';
  if (kind !== 'other') return kind;
  const { inner } = unwrap(schema);
  const d = defOf(inner);
  switch (d.type) {
    case 'string':
      return 'string';
    case 'number':
      return (inner as { isInt?: boolean }).isInt === true ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return Object.values(d.entries as Record<string, string>)
        .map((v) => `\`${v}\``)
        .join(' \\| ');
    case 'literal':
      return (d.values as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
    case 'record':
      return `map of ${typeName(d.valueType as z.ZodType)}`;
    case 'array':
      return `list of ${typeName(d.element as z.ZodType)}`;
    case 'object':
      return 'object';
    case 'union': {
      const options = d.options as z.ZodType[];
      if (options.every((o) => defOf(unwrap(o).inner).type === 'object')) return 'object (one of)';
      return [...new Set(options.map(typeName))].join(' or ');
    }
    case 'unknown':
    case 'any':
      return 'any';
    default:
      return d.type;
  }
}

function isRequired(schema: z.ZodType): boolean {
  const { hasDefault } = unwrap(schema);
  if (hasDefault) return false;
  return !accepts(schema, undefined).ok;
}

/** Object shapes under `inner` to descend into: an object, or every object of a union. */
function childShapes(inner: z.ZodType): { shapes: Record<string, z.ZodType>[]; alternatives: boolean } {
  const d = defOf(inner);
  if (d.type === 'object') return { shapes: [d.shape as Record<string, z.ZodType>], alternatives: false };
  if (d.type === 'union') {
    const shapes = (d.options as z.ZodType[]).map((o) => childShapes(unwrap(o).inner).shapes);
    return shapes.every((s) => s.length > 0) ? { shapes: shapes.flat(), alternatives: true } : { shapes: [], alternatives: false };
  }
  return { shapes: [], alternatives: false };
}

/**
 * Every key of `schema` (an object, possibly wrapped, transformed or nullable) as rows,
 * parents before their children. A map whose values are objects gets a `<name>` segment.
 */
export function schemaRows(schema: z.ZodType, prefix = ''): ConfigRow[] {
  const rows: ConfigRow[] = [];
  const walkShapes = ({ shapes, alternatives }: ReturnType<typeof childShapes>, base: string): void => {
    for (const shape of shapes) {
      for (const key of Object.keys(shape)) {
        const field = shape[key]!;
        const path = base ? `${base}.${key}` : key;
        const { inner, defaultValue, hasDefault, description } = unwrap(field);
        const row: ConfigRow = {
          path,
          type: typeName(field),
          // Keys of one alternative of a union are required only when that alternative is chosen.
          required: !alternatives && isRequired(field),
        };
        if (description !== undefined) row.meaning = description;
        const dflt = hasDefault ? formatDefault(field, defaultValue) : undefined;
        if (dflt !== undefined) row.default = dflt;
        rows.push(row);
        walkInner(inner, path);
      }
    }
  };
  const walkInner = (inner: z.ZodType, path: string): void => {
    const d = defOf(inner);
    if (d.type === 'record') {
      const value = unwrap(d.valueType as z.ZodType).inner;
      const shapes = childShapes(value);
      if (shapes.shapes.length > 0) walkShapes(shapes, `${path}.<name>`);
      return;
    }
    walkShapes(childShapes(inner), path);
  };
  walkInner(unwrap(schema).inner, prefix);
  // Keys of union alternatives (e.g. `auth.basic` or `auth.bearer_token`) appear once each.
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.path) ? false : (seen.add(r.path), true)));
}
