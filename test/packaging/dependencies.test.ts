// Every runtime dependency is one the shipped code imports: an unused one only costs the
// users who install the package (download, disk, and for native ones a build).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'ui' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('runtime dependencies', () => {
  it('are all imported by src/ (the browser UI is bundled, not a dependency)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const text = sources(join(root, 'src'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = Object.keys(pkg.dependencies).filter(
      (name) => !new RegExp(`(from |import\\(|require\\()'${name.replace(/[/.]/g, '\\$&')}'`).test(text),
    );
    assert.deepEqual(unused, []);
  });
});
