// Markdown for the config reference, and splicing it into the README between markers.
import type { ConfigRow } from './walk.js';

export const START_MARKER = '<!-- config-reference:start -->';
export const END_MARKER = '<!-- config-reference:end -->';

export interface ReferenceSection {
  /** Heading, e.g. "exporters: `pyroscope`". */
  title: string;
  /** One line under the heading (how to write the component id). */
  intro?: string;
  rows: ConfigRow[];
}

function cell(text: string): string {
  return text.replace(/\|/g, (m, i: number, s: string) => (s[i - 1] === '\\' ? m : '\\|')).replace(/\n/g, ' ');
}

export function renderTable(rows: readonly ConfigRow[]): string {
  const lines = ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const r of rows) {
    const dflt = r.default !== undefined ? `\`${r.default}\`` : r.required ? '**required**' : '';
    lines.push(`| \`${r.path}\` | ${cell(r.type)} | ${cell(dflt)} | ${cell(r.meaning ?? '')} |`);
  }
  return lines.join('\n');
}

export function renderReference(sections: readonly ReferenceSection[]): string {
  const parts = [START_MARKER, '<!-- Generated from the config schemas by `npm run docs`; edit the schemas, not this text. -->', ''];
  for (const s of sections) {
    parts.push(`#### ${s.title}`, '');
    if (s.intro) parts.push(s.intro, '');
    parts.push(renderTable(s.rows), '');
  }
  parts.push(END_MARKER);
  return parts.join('\n');
}

/** The README with its reference section replaced; throws when the markers are missing. */
export function spliceReference(readme: string, reference: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README has no ${START_MARKER} ... ${END_MARKER} section`);
  return readme.slice(0, start) + reference + readme.slice(end + END_MARKER.length);
}

/** The reference section currently in the README (markers included), or undefined. */
export function currentReference(readme: string): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start, end + END_MARKER.length);
}
