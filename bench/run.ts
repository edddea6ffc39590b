// Runs every benchmark suite and writes bench/RESULTS.md with the machine and the date.
// `npm run bench` (all) or `npm run bench -- decode` (suites whose file name contains "decode").
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release, arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchSuite } from './harness.js';
import { suites } from './suites.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench -> bench
const resultsPath = join(here, '..', '..', 'bench', 'RESULTS.md');

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const chosen: [string, BenchSuite][] = Object.entries(suites).filter(([file]) => filters.length === 0 || filters.some((f) => file.includes(f)));
  const cpu = cpus();
  const header = [
    '# Benchmark results',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()} ${arch()}`,
    `- node: ${process.version}`,
    `- command: \`npm run bench${filters.length ? ' -- ' + filters.join(' ') : ''}\``,
    '',
  ];
  // Sections of suites not run this time are kept from the previous file, each with the
  // date line it was measured on.
  const sections = new Map<string, string>(previousSections());
  for (const [file, suite] of chosen) {
    process.stderr.write(`bench: ${suite.title} (${file})\n`);
    const body = await suite.run();
    const section = `## ${suite.title}\n\n_measured ${new Date().toISOString()} on ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, node ${process.version}_\n\n${body}\n`;
    sections.set(suite.title, section);
    process.stdout.write(section + '\n');
  }
  writeFileSync(resultsPath, header.join('\n') + '\n' + [...sections.values()].join('\n'));
  process.stderr.write(`bench: wrote ${resultsPath}\n`);
}

function previousSections(): [string, string][] {
  if (!existsSync(resultsPath)) return [];
  const text = readFileSync(resultsPath, 'utf8');
  const parts = text.split(/^(?=## )/m).slice(1);
  return parts.map((p) => [p.slice(3, p.indexOf('\n')).trim(), p.trimEnd() + '\n']);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
